import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { slugOf } from '../../src/lib/domain/slug.ts';
import { noticeFactory } from '../factories.ts';
import { staffCookie } from '../harness/api.ts';
import { sharedApp } from '../harness/shared-app.ts';
import { LAPTOP, openDevice, resultsDir, staffLogin, syncStaff, type Device } from './browser.ts';

/**
 * Issue 15 §1, what the secretary sees of a refusal. Which documents the
 * server refuses, and why, is proven by tests/integration/staff-refusals.test.ts
 * on both back ends; here a refusal kept from an earlier sync, as the laptop
 * stores it, shows on every staff page after a reload, leads to the document,
 * and goes once the server takes the document sent again.
 */
const app = sharedApp();
const devices: Device[] = [];

afterAll(async () => {
	for (const opened of devices) await opened.close().catch(() => undefined);
});

describe('a document the server refused', () => {
	it('is named with the reason on the laptop after a reload, and goes away once sent again', async () => {
		// A notice of this test's own: other files edit the demo's on the shared app.
		const cookie = await staffCookie(app.url, app.staff);
		const title = 'Avis refusé puis renvoyé';
		const notice = noticeFactory({ title, published_at: new Date().toISOString() });
		const id = notice._id;
		const put = await fetch(`${app.url}/db/demo-public/${encodeURIComponent(id)}`, {
			method: 'PUT',
			headers: { cookie, 'content-type': 'application/json' },
			body: JSON.stringify(notice)
		});
		expect(put.status).toBe(201);
		const { rev } = (await put.json()) as { rev: string };
		const href = `/mairie/avis/${slugOf(id)}`;

		const laptop = await openDevice(LAPTOP);
		devices.push(laptop);
		const { page } = laptop;
		await staffLogin(page, app.url, app.staff);
		await page.locator(`a[href="${href}"]`).waitFor();

		// As the laptop keeps it (client/staff/refusals.ts), in its device table,
		// written from a public page: no staff sync there to write over it.
		// Refused at the revision the laptop holds: not sent again until it changes.
		await page.goto(`${app.url}/`);
		await page.evaluate(
			async ({ id, title, revs }) => {
				const open = indexedDB.open('crieur-device');
				const db = await new Promise<IDBDatabase>((resolve, reject) => {
					open.onsuccess = () => resolve(open.result);
					open.onerror = () => reject(open.error);
				});
				const refusal = {
					location: 'public',
					id,
					title,
					kind: 'rules',
					reason: 'Document refusé (titre : trop long).',
					revs,
					at: new Date().toISOString()
				};
				const write = db.transaction('settings', 'readwrite');
				write.objectStore('settings').put({ key: 'staff-refusals:demo', value: [refusal] });
				await new Promise((resolve) => (write.oncomplete = resolve));
				db.close();
			},
			{ id, title, revs: [rev] }
		);
		await page.goto(`${app.url}/mairie`);
		const banner = page.locator(`[data-refused="${id}"]`);
		await banner.waitFor();
		expect(await banner.getAttribute('role')).toBe('alert');
		expect(await banner.innerText()).toContain(
			`Refusé par le serveur : « ${title} » — Document refusé (titre : trop long).`
		);
		await banner.getByText('Votre modification reste sur cet ordinateur').waitFor();
		await page.screenshot({ path: path.join(resultsDir(), 'staff-refusal-1366x768.png') });

		// It leads to the document, and stays on the way.
		await banner.getByRole('link', { name: 'Ouvrir' }).click();
		await page.waitForURL(`**${href}`);
		await page.locator(`[data-refused="${id}"]`).waitFor();

		// Sent again: the server holds that version, so nothing is refused any more.
		await banner.getByRole('button', { name: 'Renvoyer' }).click();
		await syncStaff(page);
		await page.locator(`[data-refused="${id}"]`).waitFor({ state: 'detached' });
		await page.reload();
		await page.getByLabel('Titre').waitFor();
		expect(await page.locator('[data-refused]').count()).toBe(0);
	});
});
