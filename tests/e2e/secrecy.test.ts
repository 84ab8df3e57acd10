import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollFactory } from '../factories.ts';
import { issueCodes, residentCookie, staffCookie } from '../harness/api.ts';
import { sharedApp } from '../harness/shared-app.ts';
import {
	PHONE,
	openDevice,
	resultsDir,
	waitForServiceWorker,
	waitForVillagerSync,
	type Device
} from './browser.ts';

/**
 * Issue 13, end to end: results move in batches of 5 ballots. A villager who
 * voted reads when results will show (not « 0 vote pour l'instant »); the
 * phone and the kiosk show the first batch, nothing of the next ballots, and
 * the exact count at closing.
 */
const KIOSK = { width: 1280, height: 800 };
const QUESTION = 'Faut-il rénover le lavoir du bourg ?';
const SLUG = 'lavoir-secret';
const app = sharedApp();
let staff = '';
let codes: string[] = [];
const devices: Device[] = [];

beforeAll(async () => {
	staff = await staffCookie(app.url, app.staff);
	codes = await issueCodes(
		app.url,
		staff,
		Array.from({ length: 7 }, (_, i) => `Foyer ${i + 1}`)
	);
	const poll = pollFactory({
		_id: `poll:${SLUG}`,
		question: QUESTION,
		options: [
			{ id: 'oui', label: 'Oui' },
			{ id: 'non', label: 'Non' }
		],
		opens_at: new Date(Date.now() - 60_000).toISOString(),
		closes_at: new Date(Date.now() + 3_600_000).toISOString()
	});
	const published = await fetch(`${app.url}/db/demo-public/${encodeURIComponent(poll._id)}`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json', cookie: staff },
		body: JSON.stringify(poll)
	});
	expect(published.status).toBe(201);
});

afterAll(async () => {
	for (const opened of devices) await opened.close().catch(() => undefined);
});

/** offline: the device installs the service worker, to work without the network. */
async function device(viewport = PHONE, offline = false) {
	const opened = await openDevice(viewport, { serviceWorker: offline });
	devices.push(opened);
	return opened;
}

let outbox = 0;
async function voteAs(code: string, choice: string) {
	const cookie = await residentCookie(app.url, code, `10.14.0.${outbox + 1}`);
	const response = await fetch(`${app.url}/api/ballots`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify({
			outbox_id: `e2e-secret-${outbox++}`,
			poll: `poll:${SLUG}`,
			choices: [choice]
		})
	});
	expect(response.status).toBe(201);
}

async function published(): Promise<{ total: number; state: string }> {
	return (await fetch(`${app.url}/db/demo-public/tally%3A${SLUG}`)).json();
}

/** The kiosk's display of the poll, after a pull (as on start). */
async function kioskPoll(page: Page) {
	await page.goto(`${app.url}/borne`);
	await page.getByRole('button', { name: QUESTION }).click();
	return page.locator('.results');
}

describe('results in batches of 5', () => {
	let phone: Page;
	let kiosk: Page;

	it('tells the villager who voted when results will show', async () => {
		phone = (await device(PHONE, true)).page;
		await phone.goto(`${app.url}/habitant#${codes[0].replace(/-/g, '')}`);
		await waitForServiceWorker(phone);
		await phone.getByRole('button', { name: 'Valider mon code' }).click();
		await phone.getByText('Vous êtes reconnu comme habitant').first().waitFor();
		await phone.goto(`${app.url}/sondages/${SLUG}`);
		await waitForVillagerSync(phone);
		await phone.getByLabel('Oui').check();
		await phone.getByRole('button', { name: 'Voter' }).click();
		await expect
			.poll(() => phone.locator('[data-outbox-state]').getAttribute('data-outbox-state'), {
				timeout: 30_000
			})
			.toBe('sent');
		await phone.getByText('Votre vote est enregistré').waitFor();
		const results = phone.locator('.results');
		await results.getByText(/à partir de 5 votes, puis par groupes de 5 votes/).waitFor();
		expect(await results.textContent()).not.toMatch(/pour l’instant|\b0 vote/);
		await phone.screenshot({ path: path.join(resultsDir(), 'villager-voted-batch-412x915.png') });

		kiosk = (await device(KIOSK)).page;
		const shown = await kioskPoll(kiosk);
		await shown.getByText(/à partir de 5 votes/).waitFor();
		// Not paired, the tablet says so and offers no vote it could not take.
		await kiosk.getByText('Cette tablette n’est pas une borne').waitFor();
		expect(
			await kiosk.getByRole('button', { name: 'Voter avec mon code d’habitant' }).count()
		).toBe(0);
	});

	it('shows the first batch of 5 on the phone and the kiosk', async () => {
		for (let i = 1; i < 5; i++) await voteAs(codes[i], i % 2 ? 'non' : 'oui');
		await expect.poll(async () => (await published()).total, { timeout: 30_000 }).toBe(5);

		await phone.reload();
		await waitForVillagerSync(phone);
		const results = phone.locator('.results');
		await results.getByRole('heading', { name: 'Résultats en direct' }).waitFor();
		await results.getByText('5 votes', { exact: true }).waitFor();
		await results.getByText('3 (60 %)').waitFor();
		await results.getByText(/Mis à jour par groupes de 5 votes/).waitFor();

		const shown = await kioskPoll(kiosk);
		await shown.getByText('5 votes', { exact: true }).waitFor();
		await shown.getByText('2 (40 %)').waitFor();
		await kiosk.screenshot({ path: path.join(resultsDir(), 'kiosk-results-batch-1280x800.png') });
	});

	it('holds the next ballots back until closing, then shows the exact count', async () => {
		await voteAs(codes[5], 'non');
		await voteAs(codes[6], 'non');
		await phone.reload();
		await waitForVillagerSync(phone);
		await phone.locator('.results').getByText('5 votes', { exact: true }).waitFor();

		// Staff close the poll now; the kiosk stays on it meanwhile.
		await kiosk.locator('.results h2').click();
		const current = await (await fetch(`${app.url}/db/demo-public/poll%3A${SLUG}`)).json();
		const closed = await fetch(`${app.url}/db/demo-public/poll%3A${SLUG}`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json', cookie: staff },
			body: JSON.stringify({ ...current, closes_at: new Date(Date.now() + 1000).toISOString() })
		});
		expect(closed.status).toBe(201);
		await expect
			.poll(async () => (await published()).state, { timeout: 40_000, interval: 250 })
			.toBe('final');

		await kiosk.evaluate(() => window.dispatchEvent(new Event('online')));
		const shown = kiosk.locator('.results');
		await shown.getByRole('heading', { name: 'Résultats définitifs' }).waitFor();
		await shown.getByText('7 votes', { exact: true }).waitFor();
		await shown.getByText('4 (57 %)').waitFor();

		await phone.reload();
		await waitForVillagerSync(phone);
		const results = phone.locator('.results');
		await results.getByRole('heading', { name: 'Résultats définitifs' }).waitFor();
		await results.getByText('7 votes', { exact: true }).waitFor();
		await results.getByText('3 (43 %)').waitFor();
		await phone.screenshot({ path: path.join(resultsDir(), 'villager-final-batch-412x915.png') });
	});
});
