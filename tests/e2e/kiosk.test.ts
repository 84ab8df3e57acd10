import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollFactory } from '../factories.ts';
import { issueCodes, staffCookie } from '../harness/api.ts';
import { sharedApp } from '../harness/shared-app.ts';
import {
	LAPTOP,
	openDevice,
	resultsDir,
	staffLogin,
	syncStaff,
	waitForServiceWorker,
	type Device
} from './browser.ts';

/**
 * Issue 4, the kiosk: pair a tablet, let it rotate, vote with a code on the
 * keypad, reset by itself, and keep nothing of the resident.
 */
const KIOSK = { width: 1280, height: 800 };
const app = sharedApp();
let tablet: Device;
let codes: string[] = [];
const devices: Device[] = [];
// This file's own poll: its tally counts only the ballots cast here.
const POLL = pollFactory({
	question: 'Quel jour pour le marché aux fleurs du printemps ?',
	options: [
		{ id: 'mercredi', label: 'Le mercredi matin' },
		{ id: 'vendredi', label: 'Le vendredi matin' },
		{ id: 'samedi', label: 'Le samedi matin' }
	],
	opens_at: new Date(Date.now() - 3_600_000).toISOString(),
	closes_at: new Date(Date.now() + 7 * 86_400_000).toISOString()
});

async function typeCode(page: Page, code: string) {
	for (const key of code) await page.getByRole('button', { name: key, exact: true }).click();
}

/** Everything the tablet keeps: localStorage, cookies, and every IndexedDB record. */
async function storedOnTablet(page: Page): Promise<string> {
	const indexedDb = await page.evaluate(async () => {
		const dump: Record<string, unknown[]> = {};
		for (const info of await indexedDB.databases()) {
			if (!info.name) continue;
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const request = indexedDB.open(info.name!);
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
			for (const store of Array.from(db.objectStoreNames)) {
				dump[`${info.name}/${store}`] = await new Promise((resolve) => {
					const request = db.transaction(store).objectStore(store).getAll();
					request.onsuccess = () => resolve(request.result);
				});
			}
			db.close();
		}
		return dump;
	});
	const local = await page.evaluate(() => JSON.stringify({ ...localStorage }));
	const cookies = await tablet.context.cookies();
	return JSON.stringify({ indexedDb, local, cookies });
}

beforeAll(async () => {
	const staff = await staffCookie(app.url, app.staff);
	codes = await issueCodes(app.url, staff, ['', '']);
	const published = await fetch(`${app.url}/db/demo-public/${encodeURIComponent(POLL._id)}`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json', cookie: staff },
		body: JSON.stringify(POLL)
	});
	expect(published.status).toBe(201);
});

afterAll(async () => {
	for (const opened of devices) await opened.close().catch(() => undefined);
});

describe('kiosk tablet', () => {
	it('is paired once by staff and opens in kiosk layout, rotating', async () => {
		const staff = await openDevice(LAPTOP);
		devices.push(staff);
		await staffLogin(staff.page, app.url, app.staff);
		await staff.page.getByRole('link', { name: 'Bornes' }).click();
		await staff.page.getByLabel(/Nom de la borne/).fill('Hall de la mairie');
		await staff.page.getByRole('button', { name: 'Ajouter une borne' }).click();
		const link = await staff.page.locator('a.pairing-link').getAttribute('href');
		expect(link).toContain('/borne/appairage#');
		await syncStaff(staff.page);

		tablet = await openDevice(KIOSK);
		devices.push(tablet);
		await tablet.page.goto(link!);
		await tablet.page.waitForURL(/\/borne$/);
		await waitForServiceWorker(tablet.page);
		// The urgent alert stays on top; the display rotates by itself.
		await tablet.page.locator('.urgent-item', { hasText: "Coupure d'eau" }).waitFor();
		const first = await tablet.page.locator('.slide h1').textContent();
		await expect
			.poll(() => tablet.page.locator('.slide h1').textContent(), { timeout: 20_000 })
			.not.toBe(first);
		await tablet.page.screenshot({ path: path.join(resultsDir(), 'kiosk-1280x800.png') });
	});

	it('lets a resident vote with their code, then forgets them', async () => {
		const { page } = tablet;
		await page.goto(`${app.url}/borne`);
		await page.getByRole('button', { name: POLL.question }).click();
		await page.getByRole('button', { name: 'Voter avec mon code d’habitant' }).click();
		await typeCode(page, codes[0].replace(/-/g, ''));
		await page.getByRole('button', { name: 'Continuer' }).click();
		await page.getByRole('button', { name: /Le samedi matin/ }).click();
		await page.getByRole('button', { name: 'Confirmer mon vote' }).click();
		await page.getByText('Merci ! Votre vote est enregistré.').waitFor({ timeout: 20_000 });
		await page.screenshot({ path: path.join(resultsDir(), 'kiosk-vote-done-1280x800.png') });
		// Back to the display by itself, with nothing of the resident kept.
		await page.locator('.slide').waitFor({ timeout: 15_000 });
		const stored = await storedOnTablet(page);
		expect(stored).not.toContain(codes[0].replace(/-/g, ''));
		expect(stored).not.toContain('habitant-');
		const { indexedDb } = JSON.parse(stored) as { indexedDb: Record<string, { key?: string }[]> };
		// The ballot has left the outbox; the device keeps only its own account.
		expect(indexedDb['crieur-device/outbox']).toEqual([]);
		expect(indexedDb['crieur-device/settings'].map((setting) => setting.key)).toEqual(['kiosk']);
		const tally = await fetch(
			`${app.url}/db/demo-public/${encodeURIComponent(`tally:${POLL._id.slice('poll:'.length)}`)}`
		);
		expect(await tally.json()).toMatchObject({ total: 1 });
	});

	it('drops a half-typed code after inactivity', async () => {
		const { page } = tablet;
		await page.goto(`${app.url}/borne?inactivite=2`);
		await page.getByRole('button', { name: POLL.question }).click();
		await page.getByRole('button', { name: 'Voter avec mon code d’habitant' }).click();
		await typeCode(page, codes[1].slice(0, 4));
		await page.locator('.slide').waitFor({ timeout: 10_000 });
		await page.getByRole('button', { name: POLL.question }).click();
		await page.getByRole('button', { name: 'Voter avec mon code d’habitant' }).click();
		expect(await page.locator('output.display').textContent()).toContain('····');
	});

	it('refuses a wrong code with a clear message', async () => {
		const { page } = tablet;
		await page.goto(`${app.url}/borne`);
		await page.getByRole('button', { name: POLL.question }).click();
		await page.getByRole('button', { name: 'Voter avec mon code d’habitant' }).click();
		await typeCode(page, 'ACDEFGHJKMNP');
		await page.getByRole('button', { name: 'Continuer' }).click();
		await page.getByRole('button', { name: /Le mercredi matin/ }).click();
		await page.getByRole('button', { name: 'Confirmer mon vote' }).click();
		await page.getByText(/Vote refusé : Code inconnu/).waitFor({ timeout: 20_000 });
	});

	it('stays locked: no staff screen without the staff unlock', async () => {
		const { page } = tablet;
		await page.goto(`${app.url}/mairie`);
		await page.waitForURL(/\/borne$/);
		await page.goto(`${app.url}/`);
		await page.waitForURL(/\/borne$/);

		await page.getByRole('button', { name: 'Mairie' }).click();
		await page.getByLabel('Identifiant').fill('secretariat');
		await page.getByLabel('Mot de passe').fill('pas-le-bon');
		await page.getByRole('button', { name: 'Déverrouiller' }).click();
		await page.getByText('Identifiant ou mot de passe incorrect.').waitFor();
		await page.getByLabel('Mot de passe').fill(app.staff.password);
		await page.getByRole('button', { name: 'Déverrouiller' }).click();
		await page.waitForURL(/\/mairie$/);
	});
});
