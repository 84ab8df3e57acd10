import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedApp } from '../harness/shared-app.ts';
import {
	LAPTOP,
	PHONE,
	openDevice,
	resultsDir,
	staffLogin,
	syncStaff,
	waitForServiceWorker,
	waitForVillagerSync,
	type Device,
	type DeviceOptions
} from './browser.ts';
import { tallyId } from '../../src/lib/domain/tally.ts';
import { slugOf } from '../../src/lib/domain/slug.ts';

/**
 * Issue 3, end to end: staff issue codes and publish a poll; a villager opens
 * the app from the letter's QR URL, votes offline, reloads offline, comes back
 * online, and the ballot goes by itself; the tally appears on another phone.
 */
const app = sharedApp();
const devices: Device[] = [];
const QUESTION = 'Faut-il illuminer le clocher pour les fêtes ?';

async function device(viewport = PHONE, options: DeviceOptions = {}) {
	const opened = await openDevice(viewport, options);
	devices.push(opened);
	return opened;
}

/** Another resident votes from their own device, through the same API. */
async function voteAs(code: string, poll: string, choice: string, outboxId: string) {
	const session = await fetch(`${app.url}/api/habitants/session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ code })
	});
	expect(session.status).toBe(200);
	const cookie = session.headers.getSetCookie()[0].split(';')[0];
	const ballot = await fetch(`${app.url}/api/ballots`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify({ outbox_id: outboxId, poll, choices: [choice] })
	});
	expect(ballot.status).toBe(201);
}

afterAll(async () => {
	for (const opened of devices) await opened.close().catch(() => undefined);
});

describe('a secret ballot cast offline', () => {
	let codes: string[] = [];
	let pollId = '';

	it('staff issue printable codes and publish a poll', async () => {
		const staff = await device(LAPTOP);
		await staffLogin(staff.page, app.url, app.staff);

		await staff.page.getByRole('link', { name: 'Codes d’habitants' }).click();
		await staff.page
			.getByLabel(/Une ligne par habitant/)
			.fill('Famille Martin, 3 rue du Lavoir\nM. Dubois\nMme Petit\nFoyer Roux\nFoyer Lefèvre');
		// Other files of the run may have issued a code to one of these households: the
		// register asks before a second one, and staff say yes.
		staff.page.on('dialog', (dialog) => void dialog.accept());
		await staff.page.getByRole('button', { name: 'Émettre les codes' }).click();
		await staff.page.getByText('5 codes émis.').waitFor();
		await staff.page.locator('.letter .qr svg').first().waitFor();
		codes = (await staff.page.locator('.letter .code').allTextContents()).map((code) =>
			code.trim()
		);
		expect(codes).toHaveLength(5);
		expect(codes[0]).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
		await staff.page.screenshot({ path: path.join(resultsDir(), 'staff-letters-1366x768.png') });
		await staff.page.emulateMedia({ media: 'print' });
		const pdf = await staff.page.pdf({ format: 'A4' });
		expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
		await staff.page.emulateMedia({ media: 'screen' });

		await staff.page.goto(`${app.url}/mairie/sondages/nouveau`);
		await staff.page.getByLabel('Question').fill(QUESTION);
		await staff.page.getByLabel('Réponse 1').fill('Oui');
		await staff.page.getByLabel('Réponse 2').fill('Non');
		await staff.page.getByRole('button', { name: 'Publier le sondage' }).click();
		await staff.page.getByText('Sondage publié.').waitFor();
		await syncStaff(staff.page);
		pollId = `poll:${staff.page.url().split('/').pop()}`;
		expect(pollId).toMatch(/^poll:/);
	});

	it('counts a ballot cast offline, sent by itself when the network returns', async () => {
		// Four neighbours have voted already: the fifth ballot unlocks live results.
		for (const [index, code] of codes.slice(1).entries()) {
			await voteAs(code, pollId, index % 2 ? 'choix-2' : 'choix-1', `neighbour-${index}-0001`);
		}

		const phone = await device(PHONE, { serviceWorker: true });
		const { page, context } = phone;
		await page.goto(`${app.url}/habitant#${codes[0].replace(/-/g, '')}`);
		await waitForServiceWorker(page);
		expect(await page.getByLabel('Code d’habitant').inputValue()).toBe(codes[0]);
		await page.getByRole('button', { name: 'Valider mon code' }).click();
		await page.getByText('Vous êtes reconnu comme habitant').first().waitFor();

		await page.getByRole('link', { name: 'Sondages' }).first().click();
		await waitForVillagerSync(page);
		await page.getByRole('link', { name: QUESTION }).click();
		await page.getByRole('heading', { name: QUESTION }).waitFor();

		await context.setOffline(true);
		await page.getByLabel('Oui').check();
		await page.getByRole('button', { name: 'Voter' }).click();
		const state = page.locator('[data-outbox-state]');
		await expect.poll(() => state.getAttribute('data-outbox-state')).toBe('waiting');
		await page.getByText('partira tout seul au retour du réseau').first().waitFor();

		// Reloaded offline: the ballot is still there, still waiting.
		await page.reload();
		await page.getByRole('heading', { name: QUESTION }).waitFor();
		await expect.poll(() => state.getAttribute('data-outbox-state')).toBe('waiting');
		await page.screenshot({ path: path.join(resultsDir(), 'villager-ballot-waiting-412x915.png') });

		await context.setOffline(false);
		await expect
			.poll(() => state.getAttribute('data-outbox-state'), { timeout: 30_000 })
			.toBe('sent');
		await page.getByText('Votre vote est enregistré').waitFor();

		// Another phone, never used by this resident, sees the live tally.
		const other = await device(PHONE, { serviceWorker: true });
		await other.page.goto(app.url);
		await waitForServiceWorker(other.page);
		await other.page.goto(`${app.url}/sondages/${slugOf(pollId)}`);
		await other.page
			.getByRole('heading', { name: 'Résultats en direct' })
			.waitFor({ timeout: 30_000 });
		await other.page.getByText('5 votes', { exact: true }).waitFor();
		await other.page.getByText('3 (60 %)').waitFor();
		await other.page.screenshot({ path: path.join(resultsDir(), 'villager-results-412x915.png') });
	});

	it('refuses a second ballot from the same resident on another device, in French', async () => {
		const kiosk = await device(PHONE);
		await kiosk.page.goto(`${app.url}/habitant`);
		// Hydrated first: a click on the server-rendered form would submit it natively.
		await waitForVillagerSync(kiosk.page);
		await kiosk.page.getByLabel('Code d’habitant').fill(codes[0].toLowerCase());
		await kiosk.page.getByRole('button', { name: 'Valider mon code' }).click();
		await kiosk.page.getByText('Vous êtes reconnu comme habitant').first().waitFor();
		await kiosk.page.goto(`${app.url}/sondages/${slugOf(pollId)}`);
		await kiosk.page.getByLabel('Non').check();
		await kiosk.page.getByRole('button', { name: 'Voter' }).click();
		await kiosk.page.getByText('Refusé').first().waitFor({ timeout: 20_000 });
		await kiosk.page.getByText('Vous avez déjà voté à ce sondage.').waitFor();
		const tally = await (
			await fetch(`${app.url}/db/demo-public/${encodeURIComponent(tallyId(pollId))}`)
		).json();
		expect(tally).toMatchObject({ total: 5, counts: { 'choix-1': 3, 'choix-2': 2 } });
	});

	// Issue 14: "Vous êtes reconnu" showed before the device had stored the
	// session (Dexie still loading), so a page opened at once forgot it.
	it('keeps the session on the device before saying the resident is recognised', async () => {
		// Without the service worker, which would serve the scripts from its cache.
		const { page, context } = await device(PHONE);
		await page.goto(`${app.url}/habitant`);
		await waitForVillagerSync(page);
		await page.getByLabel('Code d’habitant').fill(codes[1]);
		// The script of the device database (Dexie, loaded on first use) is held back.
		const held: (() => Promise<void>)[] = [];
		let holding = true;
		await context.route('**/_app/immutable/**/*.js', async (route) => {
			const response = await route.fetch();
			const body = await response.text();
			const release = () => route.fulfill({ response, body });
			if (holding && body.includes('crieur-device')) held.push(release);
			else await release();
		});
		await page.getByRole('button', { name: 'Valider mon code' }).click();
		await expect.poll(() => held.length).toBeGreaterThan(0);
		expect(await page.getByText('Vous êtes reconnu comme habitant').count()).toBe(0);
		holding = false;
		for (const release of held) await release();
		// Waits for scripts still in the handler: unrouted under it, their fulfil would throw.
		await context.unrouteAll({ behavior: 'wait' });
		await page.getByText('Vous êtes reconnu comme habitant').first().waitFor();
		// Reloaded at once: the device still knows its resident.
		await page.reload();
		await page.getByText('Vous êtes reconnu comme habitant').first().waitFor();
	});

	it('tells a wrong code clearly', async () => {
		const phone = await device(PHONE);
		await phone.page.goto(`${app.url}/habitant`);
		await waitForVillagerSync(phone.page);
		await phone.page.getByLabel('Code d’habitant').fill('ACDE-FGHJ-KMNP');
		await phone.page.getByRole('button', { name: 'Valider mon code' }).click();
		await phone.page.getByText('Code inconnu ou retiré').waitFor();
		// Issue 13 §2: what is wrong is said, from the code alphabet itself.
		await phone.page.getByLabel('Code d’habitant').fill('ACDE');
		await phone.page.getByRole('button', { name: 'Valider mon code' }).click();
		await phone.page.getByText('vous en avez saisi 4').waitFor();
		await phone.page.getByLabel('Code d’habitant').fill('AAAA-BBBB-CCCC');
		await phone.page.getByRole('button', { name: 'Valider mon code' }).click();
		await phone.page.getByText('Les codes n’emploient pas').waitFor();
	});
});
