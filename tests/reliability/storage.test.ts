import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { waitForVillagerSync, type Device } from '../e2e/browser.ts';
import { fillStorageWhenAsked, setStorageFull } from '../storage-full.ts';
import {
	publishNotices,
	publishPolls,
	residentPhone,
	serverCounts,
	startVillage,
	storedOutbox,
	suggest,
	vote,
	type Village
} from './village.ts';
import { slugOf } from '../../src/lib/domain/slug.ts';

/**
 * Issue 7: local storage is a cache that can vanish or fill up (ARCHITECTURE
 * §3). The replica is rebuilt from the server, the outbox is never lost, and
 * the villager is told what happens, in French.
 */
let village: Village;
const devices: Device[] = [];

beforeAll(async () => {
	village = await startVillage();
});

afterAll(async () => {
	for (const device of devices) await device.close().catch(() => undefined);
	await village?.stop();
});

async function databaseNames(page: Page): Promise<string[]> {
	return page.evaluate(async () => (await indexedDB.databases()).map((info) => info.name ?? ''));
}

const syncLabel = (page: Page) => page.locator('.sync .label').textContent();

/** Deletes the replica's IndexedDB database as the browser would (PouchDB's idb adapter names it _pouch_<name>). */
async function eraseReplica(page: Page): Promise<string> {
	expect(await databaseNames(page)).toContain(REPLICA_DB);
	return page.evaluate(
		(name) =>
			new Promise<string>((resolve) => {
				const request = indexedDB.deleteDatabase(name);
				request.onsuccess = () => resolve('deleted');
				request.onerror = () => resolve(`error ${request.error?.name}`);
				request.onblocked = () => resolve('blocked');
			}),
		REPLICA_DB
	);
}

const REPLICA_DB = '_pouch_crieur-public';
const ERASED = 'Les avis gardés sur cet appareil ont été effacés par le navigateur.';

describe('storage evicted under the running app', () => {
	it('rebuilds the replica from the server, says so, and keeps the outbox', async () => {
		const notices = await publishNotices(village, 3, 'evict');
		const [poll] = await publishPolls(village, 1, 'evict');
		const phone = await residentPhone(village, 'Famille Efface');
		devices.push(phone);
		const { page, context } = phone;
		const url = village.app.url;
		await page.goto(url);
		for (const notice of notices) await page.getByText(notice.title).first().waitFor();

		await context.setOffline(true);
		await vote(page, url, poll._id);
		await page.goto(`${url}/participer`);
		await suggest(page, 'Un banc près du lavoir');
		expect((await storedOutbox(page)).filter((item) => item.state === 'sent')).toEqual([]);

		// Erased while the app is open and offline; the villager opens it again.
		expect(await eraseReplica(page)).toBe('deleted');
		await page.goto(url);
		await page.getByText(ERASED).waitFor();
		await page.getByText('2 envois en attente').waitFor();
		expect((await storedOutbox(page)).map((item) => item.state)).toEqual(['waiting', 'waiting']);

		// Back online: the replica is rebuilt, the message goes, the outbox drains.
		await context.setOffline(false);
		await waitForVillagerSync(page);
		await expect.poll(() => page.getByText(ERASED).count()).toBe(0);
		expect(await databaseNames(page)).toContain(REPLICA_DB);
		await expect
			.poll(async () => (await storedOutbox(page)).map((item) => item.state), { timeout: 30_000 })
			.toEqual(['sent', 'sent']);
		const items = await storedOutbox(page);
		const counts = await serverCounts(
			village,
			[poll._id],
			items.filter((item) => item.kind === 'submission').map((item) => item.id)
		);
		expect(counts.ballotsPerPoll[poll._id]).toBe(1);
		expect(counts.submissionsFromOutbox).toBe(1);

		// Erased again under the running app, online, without a reload: the next
		// sync starts a new replica instead of failing until the app restarts.
		expect(await eraseReplica(page)).toBe('deleted');
		await page.getByRole('button', { name: 'Actualiser' }).click();
		await expect.poll(() => databaseNames(page)).toContain(REPLICA_DB);
		await waitForVillagerSync(page);
		await expect.poll(() => syncLabel(page)).toMatch(/^À jour/);
		// The rebuilt replica alone shows a notice never opened on this phone.
		await context.setOffline(true);
		await page.goto(`${url}/avis/${slugOf(notices[1]._id)}`);
		await page.getByRole('heading', { name: notices[1].title }).waitFor();
		console.log('evict:', { counts, outbox: items.map((item) => item.state) });
		await context.setOffline(false);
	});
});

const FULL = 'La mémoire de cet appareil est pleine : libérez de la place';
const NOT_KEPT = 'La mémoire de cet appareil est pleine : votre envoi n’a pas pu être gardé.';

describe('storage full', () => {
	it('says so in French during a pull, keeps what it had, and recovers', async () => {
		const before = await publishNotices(village, 2, 'avant-quota');
		const phone = await residentPhone(village, 'Famille Pleine');
		devices.push(phone);
		const { page, context } = phone;
		await context.addInitScript(fillStorageWhenAsked);
		const url = village.app.url;
		await page.goto(url);
		await waitForVillagerSync(page);
		for (const notice of before) await page.getByText(notice.title).first().waitFor();

		await setStorageFull(page, true);
		const after = await publishNotices(village, 2, 'apres-quota');
		await page.getByRole('button', { name: 'Actualiser' }).click();
		await page.getByRole('alert').getByText(FULL).waitFor();
		// What the phone had stays on screen; nothing new was half-stored.
		for (const notice of before) await page.getByText(notice.title).first().waitFor();
		expect(await page.getByText(after[0].title).count()).toBe(0);
		const whileFull = await syncLabel(page);

		// Space is back. A retry may still be stuck in a write IndexedDB aborted under
		// PouchDB: the app abandons it (StorageStalled) and the button comes back.
		await setStorageFull(page, false);
		await page.getByRole('button', { name: 'Actualiser' }).click({ timeout: 40_000 });
		for (const notice of after) await page.getByText(notice.title).first().waitFor();
		await expect.poll(() => page.getByText(FULL).count()).toBe(0);
		console.log('quota pull:', { whileFull, after: await syncLabel(page) });
	});

	it('tells the villager when the outbox cannot keep an action, and loses nothing', async () => {
		const [poll] = await publishPolls(village, 1, 'quota');
		const phone = await residentPhone(village, 'Famille Comble');
		devices.push(phone);
		const { page, context } = phone;
		await context.addInitScript(fillStorageWhenAsked);
		const url = village.app.url;

		// A ballot: refused by the full memory, the choice stays for another try.
		await page.goto(`${url}/sondages/${slugOf(poll._id)}`);
		await page.getByLabel('Oui').check();
		await setStorageFull(page, true);
		await page.getByRole('button', { name: 'Voter' }).click();
		await page.getByRole('alert').getByText(NOT_KEPT).waitFor();
		expect(await page.getByLabel('Oui').isChecked()).toBe(true);
		expect(await storedOutbox(page)).toEqual([]);
		await setStorageFull(page, false);
		await page.getByRole('button', { name: 'Voter' }).click();
		await expect
			.poll(() => page.locator('[data-outbox-state]').getAttribute('data-outbox-state'), {
				timeout: 20_000
			})
			.toBe('sent');

		// A suggestion: the form keeps what was written.
		await page.goto(`${url}/participer`);
		await page.getByLabel('Proposer une idée').check();
		await page.getByLabel('Titre').fill('Des bancs au cimetière');
		await page.getByLabel('Description').fill('Pour les anciens qui viennent à pied.');
		await page.getByLabel('Catégorie').selectOption({ index: 1 });
		await setStorageFull(page, true);
		await page.getByRole('button', { name: 'Envoyer à la mairie' }).click();
		await page.getByRole('alert').getByText(NOT_KEPT).waitFor();
		expect(await page.getByLabel('Titre').inputValue()).toBe('Des bancs au cimetière');
		await setStorageFull(page, false);
		await page.getByRole('button', { name: 'Envoyer à la mairie' }).click();
		await expect.poll(() => page.getByLabel('Titre').inputValue()).toBe('');

		await expect
			.poll(async () => (await storedOutbox(page)).map((item) => item.state), { timeout: 20_000 })
			.toEqual(['sent', 'sent']);
		const items = await storedOutbox(page);
		const counts = await serverCounts(
			village,
			[poll._id],
			items.filter((item) => item.kind === 'submission').map((item) => item.id)
		);
		console.log('quota outbox:', counts);
		expect(counts.ballotsPerPoll[poll._id]).toBe(1);
		expect(counts.submissionsFromOutbox).toBe(1);
	});
});
