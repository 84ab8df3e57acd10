import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCodes, pairedKioskCookie, staffCookie } from '../harness/api.ts';
import type { TestApp } from '../harness/app.ts';
import { startOwnApp, type OwnApp } from '../harness/own-app.ts';
import { storeKind } from '../harness/store.ts';
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
 * The kiosk tablet (issues 4 and 13 §3): paired once by staff with a
 * confirmation on the tablet, it rotates notices, polls and coming events in
 * large type; a resident votes with their code, checked as soon as it is
 * typed; nothing of them is kept, not even while the network or the kiosk's
 * own limit holds the vote back; every screen fits the tablet without
 * scrolling; staff unlock it into their own screens.
 */
const KIOSK = { width: 1280, height: 800 };
const SIZES = [KIOSK, { width: 800, height: 1280 }, { width: 1024, height: 768 }];
const MARKET = 'Quel jour préférez-vous pour le marché hebdomadaire ?';
const WRONG = 'ACDEFGHJKMNP';
let own: OwnApp;
let app: TestApp;
let staff: Device;
let tablet: Device;
let codes: string[] = [];
let pairingLink = '';
const devices: Device[] = [];

const bare = (code: string) => code.replace(/-/g, '');

async function typeCode(page: Page, code: string) {
	for (const key of bare(code)) await page.getByRole('button', { name: key, exact: true }).click();
}

/** From the display: the market poll's slide, then its one button to the keypad. */
async function startVote(page: Page) {
	await page.goto(`${app.url}/borne`);
	await page.locator('.slide h1', { hasText: MARKET }).waitFor();
	await page.getByRole('button', { name: 'Voter avec mon code d’habitant' }).click();
	await page.locator('output.display').waitFor();
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

/** Asserts that the tablet keeps no trace of a code, with or without its dashes. */
async function expectNothingOf(page: Page, code: string) {
	const stored = await storedOnTablet(page);
	expect(stored).not.toContain(bare(code));
	expect(stored).not.toContain(code);
	const { indexedDb } = JSON.parse(stored) as { indexedDb: Record<string, unknown[]> };
	expect(indexedDb['crieur-device/outbox'] ?? []).toEqual([]);
}

/**
 * What does not fit the screen: the page scrolling, or a control, a heading or
 * an alert cut by the screen's edge or by a frame that clips it. Measured on
 * the page as laid out, at the viewport's size.
 */
async function misfits(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const problems: string[] = [];
		const doc = document.documentElement;
		if (doc.scrollHeight > innerHeight || doc.scrollWidth > innerWidth) {
			problems.push(`page ${doc.scrollWidth}×${doc.scrollHeight} in ${innerWidth}×${innerHeight}`);
		}
		const selector = 'button, input, output, label, legend, h1, li, [role="alert"]';
		for (const element of document.querySelectorAll<HTMLElement>(selector)) {
			const box = element.getBoundingClientRect();
			if (box.width === 0 || box.height === 0 || !element.checkVisibility()) continue;
			const clip = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
			// An open dialog sits in the top layer: its ancestors do not clip it.
			for (let up = element.parentElement; up && up.tagName !== 'DIALOG'; up = up.parentElement) {
				const style = getComputedStyle(up);
				if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
				const frame = up.getBoundingClientRect();
				clip.left = Math.max(clip.left, frame.left);
				clip.top = Math.max(clip.top, frame.top);
				clip.right = Math.min(clip.right, frame.right);
				clip.bottom = Math.min(clip.bottom, frame.bottom);
			}
			if (
				box.left < clip.left - 1 ||
				box.top < clip.top - 1 ||
				box.right > clip.right + 1 ||
				box.bottom > clip.bottom + 1
			) {
				const name = (element.getAttribute('aria-label') ?? element.textContent ?? '').trim();
				problems.push(`${element.tagName.toLowerCase()} « ${name.slice(0, 40)} » cut`);
			}
		}
		return problems;
	});
}

async function expectFits(page: Page, screen: string) {
	const { width, height } = page.viewportSize()!;
	await page.screenshot({
		path: path.join(resultsDir(), `kiosk-${screen}-${width}x${height}.png`),
		animations: 'disabled'
	});
	expect(await misfits(page), `${screen} at ${width}×${height}`).toEqual([]);
}

beforeAll(async () => {
	// Its own app: the demo market poll's tally counts only the ballots cast here.
	// Jobs every 2 s: the seeded ballots are counted before the tablet's first sync.
	own = await startOwnApp({ demoContent: true, env: { CRIEUR_JOB_INTERVAL_SECONDS: '2' } });
	app = own.app;
	const cookie = await staffCookie(app.url, own.staff);
	codes = await issueCodes(
		app.url,
		cookie,
		Array.from({ length: 14 }, () => '')
	);
	// Five ballots from another kiosk: the market poll has results to show.
	const other = await pairedKioskCookie(app.url, cookie);
	for (const [index, code] of codes.slice(9).entries()) {
		const response = await fetch(`${app.url}/api/borne/ballots`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', cookie: other },
			body: JSON.stringify({
				outbox_id: `seed-ballot-${index}`,
				code,
				poll: 'poll:demo-marche',
				choices: [['mercredi', 'vendredi', 'samedi'][index % 3]]
			})
		});
		expect(response.status).toBe(201);
	}
	// The tally job counts them; the tablet's first sync then brings the results.
	for (let i = 0; i < 80; i++) {
		const feed = (await (await fetch(`${app.url}/api/sync?since=0&limit=1000`)).json()) as {
			docs: { _id: string; counts?: unknown }[];
		};
		if (feed.docs.find((doc) => doc._id === 'tally:demo-marche')?.counts) break;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
});

afterAll(async () => {
	for (const opened of devices) await opened.close().catch(() => undefined);
	await own?.stop();
});

describe('kiosk tablet', () => {
	it('is paired from a QR code and a copy button, and asks the device first', async () => {
		staff = await openDevice(LAPTOP);
		devices.push(staff);
		await staff.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
			origin: app.url
		});
		await staffLogin(staff.page, app.url, own.staff);
		await staff.page.getByRole('link', { name: 'Bornes' }).click();
		await staff.page.getByLabel(/Nom de la borne/).fill('Hall de la mairie');
		await staff.page.getByRole('button', { name: 'Ajouter une borne' }).click();
		await staff.page.getByRole('img', { name: 'Appairer la tablette' }).locator('svg').waitFor();
		// Nothing to click that would turn this laptop into the kiosk: a QR code and text to copy.
		expect(await staff.page.locator('a[href*="/borne/appairage"]').count()).toBe(0);
		await staff.page.getByRole('button', { name: 'Copier l’adresse' }).click();
		await staff.page.getByText('Adresse copiée').waitFor();
		pairingLink = await staff.page.evaluate(() => navigator.clipboard.readText());
		expect(pairingLink).toBe(
			await staff.page.getByLabel('Adresse d’appairage, à ouvrir sur la tablette').inputValue()
		);
		expect(pairingLink).toContain('/borne/appairage#');
		await staff.page.screenshot({
			path: path.join(resultsDir(), 'kiosk-staff-bornes-1366x768.png')
		});
		// The QR code and its copy button in view together on the laptop's screen.
		for (const part of [
			staff.page.getByRole('img', { name: 'Appairer la tablette' }),
			staff.page.getByRole('button', { name: 'Copier l’adresse' })
		]) {
			const box = (await part.boundingBox())!;
			expect(box.y).toBeGreaterThanOrEqual(0);
			expect(box.y + box.height).toBeLessThanOrEqual(LAPTOP.height);
		}
		await syncStaff(staff.page);

		// Opened on the secretary's laptop anyway: it asks, and refuses while staff are signed in.
		await staff.page.goto(pairingLink);
		await staff.page
			.getByRole('heading', { name: 'Faire de cet appareil la borne « Hall de la mairie » ?' })
			.waitFor();
		await staff.page.getByText(/Cet appareil est connecté à l’espace mairie/).waitFor();
		expect(
			await staff.page.getByRole('button', { name: 'Oui, en faire une borne' }).isDisabled()
		).toBe(true);
		expect(staff.page.url()).not.toContain('#');
		await staff.page.getByRole('button', { name: 'Non, ne rien changer' }).click();
		await staff.page.getByRole('heading', { name: 'Rien n’a changé' }).waitFor();
		await staff.page.goto(`${app.url}/mairie/bornes`);
		await staff.page.getByRole('heading', { name: 'Bornes', level: 1 }).waitFor();
		expect(staff.page.url()).toMatch(/\/mairie\/bornes$/);

		// The tablet: asked, confirmed, then the kiosk, in kiosk layout.
		tablet = await openDevice(KIOSK, { serviceWorker: true });
		devices.push(tablet);
		await tablet.page.goto(pairingLink);
		await tablet.page.getByRole('button', { name: 'Oui, en faire une borne' }).click();
		await tablet.page.waitForURL(/\/borne$/);
		await waitForServiceWorker(tablet.page);
		await tablet.page.locator('.urgent-item', { hasText: "Coupure d'eau" }).waitFor();
		const first = await tablet.page.locator('.slide h1').textContent();
		await expect
			.poll(() => tablet.page.locator('.slide h1').textContent(), { timeout: 20_000 })
			.not.toBe(first);
	});

	it('shows coming events in the rotation, from the replica, in large type', async () => {
		const { page } = tablet;
		await tablet.context.setOffline(true);
		try {
			await page.goto(`${app.url}/borne`);
			await page.locator('.slide').waitFor();
			const seen: string[] = [];
			for (
				let i = 0;
				i < 25 && !seen.includes("Réunion publique sur le plan local d'urbanisme");
				i++
			) {
				if ((await page.locator('.slide .kind').textContent())?.includes('Rendez-vous')) {
					seen.push((await page.locator('.slide h1').textContent())!.trim());
				}
				await page.getByRole('button', { name: 'Suivant' }).click();
			}
			expect(seen).toContain("Réunion publique sur le plan local d'urbanisme");
		} finally {
			await tablet.context.setOffline(false);
		}
		await page.getByRole('button', { name: 'Précédent' }).click();
		await page.locator('.slide .when').waitFor();
		expect(await page.locator('.slide .when').textContent()).toMatch(/\d{2}:\d{2}/);
		const size = await page
			.locator('.slide h1')
			.evaluate((h1) => parseFloat(getComputedStyle(h1).fontSize));
		expect(size).toBeGreaterThanOrEqual(32);
		await page.getByRole('button', { name: 'Touchez pour lire' }).click();
		await page.getByText('Lieu : Salle des fêtes').waitFor();
	});

	// Layout only: the same on both back ends, so measured once.
	it.skipIf(storeKind() === 'couchdb')(
		'fits every screen at 1280×800, 800×1280 and 1024×768 without scrolling',
		async () => {
			const { page } = tablet;
			for (const [index, size] of SIZES.entries()) {
				await page.setViewportSize(size);
				await page.goto(`${app.url}/borne`);
				await page.locator('.slide h1', { hasText: MARKET }).waitFor();
				await expectFits(page, 'rotation');

				await page.locator('.poll-rows').getByRole('button', { name: MARKET }).click();
				await page.getByRole('heading', { name: 'Résultats en direct' }).waitFor();
				await expect.poll(() => page.locator('.results li').count()).toBe(3);
				await expectFits(page, 'result');

				// One tap from the poll to the keypad.
				await page.getByRole('button', { name: 'Voter avec mon code d’habitant' }).click();
				await expectFits(page, 'keypad');
				await typeCode(page, WRONG);
				await page.getByRole('button', { name: 'Corriger mon code' }).waitFor();
				await expectFits(page, 'wrong-code');
				await page.getByRole('button', { name: 'Corriger mon code' }).click();

				await typeCode(page, codes[index]);
				await page.getByRole('radio', { name: 'Le samedi matin' }).waitFor();
				await expectFits(page, 'poll');
				await page.getByRole('radio', { name: 'Le samedi matin' }).check();
				await page.getByRole('button', { name: 'Confirmer mon vote' }).click();
				await page.getByText('Merci ! Votre vote est enregistré.').waitFor({ timeout: 20_000 });
				await expectFits(page, 'confirmation');

				await page.getByRole('button', { name: 'Accueil' }).click();
				await page.getByRole('button', { name: 'Mairie' }).click();
				await page.getByRole('dialog', { name: 'Déverrouiller la borne' }).waitFor();
				await expectFits(page, 'unlock');
				await page.getByRole('button', { name: 'Annuler' }).click();
			}
			await page.setViewportSize(KIOSK);
		}
	);

	it('checks the code as soon as it is typed, then offers one answer as radio buttons', async () => {
		const { page } = tablet;
		await startVote(page);
		await typeCode(page, WRONG);
		// Caught before any choice: nothing to choose, nothing sent.
		await page.getByText('Code inconnu ou retiré.').waitFor();
		expect(await page.getByRole('radio').count()).toBe(0);
		await page.getByRole('button', { name: 'Corriger mon code' }).click();
		expect(await page.locator('output.display').textContent()).toContain('····');

		await typeCode(page, codes[3]);
		await page.getByText('Code reconnu').waitFor();
		// Single choice: radios in one group, no checkbox; picking another drops the first.
		expect(await page.getByRole('checkbox').count()).toBe(0);
		expect(await page.getByRole('radio').count()).toBe(3);
		await page.getByRole('radio', { name: 'Le mercredi matin' }).check();
		await page.getByRole('radio', { name: 'Le vendredi matin' }).check();
		expect(await page.getByRole('radio', { name: 'Le mercredi matin' }).isChecked()).toBe(false);
		expect(await page.getByRole('radio', { checked: true }).count()).toBe(1);

		// While the ballot is in flight (a slow link), the tablet stores nothing of the code.
		const cdp = await tablet.context.newCDPSession(page);
		await cdp.send('Network.enable');
		await cdp.send('Network.emulateNetworkConditions', {
			offline: false,
			latency: 2500,
			downloadThroughput: -1,
			uploadThroughput: -1
		});
		try {
			await page.getByRole('button', { name: 'Confirmer mon vote' }).click();
			await page.getByText('Envoi de votre vote…').waitFor();
			await expectNothingOf(page, codes[3]);
			await page.getByText('Merci ! Votre vote est enregistré.').waitFor({ timeout: 20_000 });
		} finally {
			await cdp.send('Network.emulateNetworkConditions', {
				offline: false,
				latency: 0,
				downloadThroughput: -1,
				uploadThroughput: -1
			});
			await cdp.detach();
		}
		// Back to the display by itself, with nothing of the resident kept.
		await page.locator('.slide').waitFor({ timeout: 15_000 });
		await expectNothingOf(page, codes[3]);
		const stored = JSON.parse(await storedOnTablet(page)) as {
			indexedDb: Record<string, { key?: string }[]>;
		};
		expect(stored.indexedDb['crieur-device/settings'].map((setting) => setting.key)).toEqual([
			'kiosk'
		]);
		expect(JSON.stringify(stored)).not.toContain('habitant-');
	});

	it('says so when the network fails, and keeps nothing to send later', async () => {
		const { page } = tablet;
		await startVote(page);
		await typeCode(page, codes[4]);
		await page.getByRole('radio', { name: 'Le mercredi matin' }).check();
		await tablet.context.setOffline(true);
		try {
			await page.getByRole('button', { name: 'Confirmer mon vote' }).click();
			await page.getByText('Votre vote n’a pas pu partir').waitFor({ timeout: 20_000 });
			await page.getByText('La borne n’a rien gardé de votre code ni de votre choix.').waitFor();
			await expectNothingOf(page, codes[4]);
		} finally {
			await tablet.context.setOffline(false);
		}
		// Nothing left the tablet behind the resident's back: the same code votes now.
		await startVote(page);
		await typeCode(page, codes[4]);
		await page.getByRole('radio', { name: 'Le vendredi matin' }).check();
		await page.getByRole('button', { name: 'Confirmer mon vote' }).click();
		await page.getByText('Merci ! Votre vote est enregistré.').waitFor({ timeout: 20_000 });
	});

	it('drops a ballot an earlier version left in the outbox, and a half-typed code after inactivity', async () => {
		const { page } = tablet;
		await page.evaluate(
			(code) =>
				new Promise<void>((resolve, reject) => {
					const request = indexedDB.open('crieur-device');
					request.onsuccess = () => {
						const put = request.result
							.transaction('outbox', 'readwrite')
							.objectStore('outbox')
							.put({
								id: 'o-ancien',
								kind: 'ballot',
								url: '/api/borne/ballots',
								body: { code, poll: 'poll:demo-marche', choices: ['samedi'] },
								label: 'ancien',
								subject: 'poll:demo-marche',
								state: 'waiting',
								attempts: 3,
								next_attempt_at: Date.now() + 600_000,
								created_at: new Date().toISOString(),
								updated_at: new Date().toISOString(),
								ephemeral: true
							});
						put.onsuccess = () => resolve();
						put.onerror = () => reject(put.error);
					};
				}),
			bare(codes[5])
		);
		expect(await storedOnTablet(page)).toContain(bare(codes[5]));
		await page.goto(`${app.url}/borne?inactivite=2`);
		await expect.poll(() => storedOnTablet(page)).not.toContain(bare(codes[5]));

		await page.locator('.slide h1', { hasText: MARKET }).waitFor();
		await page.getByRole('button', { name: 'Voter avec mon code d’habitant' }).click();
		await typeCode(page, codes[5].slice(0, 4));
		await page.locator('.slide').waitFor({ timeout: 10_000 });
		await page.locator('.slide h1', { hasText: MARKET }).waitFor();
		await page.getByRole('button', { name: 'Voter avec mon code d’habitant' }).click();
		expect(await page.locator('output.display').textContent()).toContain('····');
	});

	it('after 20 wrong codes says when to retry, in French, and keeps nothing', async () => {
		const { page } = tablet;
		// A voter reaches their choice with a right code…
		await startVote(page);
		await typeCode(page, codes[6]);
		await page.getByRole('radio', { name: 'Le samedi matin' }).check();
		// …while wrong codes are typed at this kiosk until it pauses (this kiosk's session).
		const guesses = await page.evaluate(async (wrong) => {
			const statuses: number[] = [];
			for (let i = 0; i < 25 && statuses.at(-1) !== 429; i++) {
				const response = await fetch('/api/borne/code', {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ code: wrong })
				});
				statuses.push(response.status);
			}
			return statuses;
		}, WRONG);
		expect(guesses.at(-1)).toBe(429);
		expect(guesses.filter((status) => status === 403).length).toBeLessThanOrEqual(20);

		await page.getByRole('button', { name: 'Confirmer mon vote' }).click();
		await page.getByText('Cette borne est en pause').waitFor({ timeout: 20_000 });
		await page.getByText(/accepte de nouveau les codes à \d{2}:\d{2} \(dans \d+ min\)/).waitFor();
		expect(await page.getByText('partira dès le retour du réseau').count()).toBe(0);
		await expectNothingOf(page, codes[6]);

		// The next voter is told at once, before choosing; their code is gone from the screen.
		await startVote(page);
		await typeCode(page, codes[7]);
		await page.getByText('Cette borne est en pause').waitFor();
		expect(await page.locator('output.display').count()).toBe(0);
		await expectNothingOf(page, codes[7]);
		await page.screenshot({ path: path.join(resultsDir(), 'kiosk-throttled-1280x800.png') });
	});

	it('stays locked: no staff screen without the staff unlock, which lands signed in', async () => {
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
		await page.getByLabel('Mot de passe').fill(own.staff.password);
		await page.getByRole('button', { name: 'Déverrouiller' }).click();
		await page.waitForURL(/\/mairie$/);
		await page.getByRole('heading', { name: 'Avis', level: 1, exact: true }).waitFor();
		await page.locator('.sync.idle:not([data-synced-at="0"])').waitFor({ timeout: 30_000 });
		expect(await page.getByText('Session expirée').count()).toBe(0);
	});
});
