import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshAddress, issueCodes, staffCookie } from '../harness/api.ts';
import { sharedApp } from '../harness/shared-app.ts';
import {
	LAPTOP,
	PHONE,
	openDevice,
	resultsDir,
	staffLogin,
	waitForVillagerSync,
	words,
	type Device,
	type DeviceOptions,
	type Language
} from './browser.ts';

/**
 * Issue 4: RGAA 4 / WCAG 2.1 AA. axe-core checks every page in French at the
 * phone, laptop and kiosk sizes, and every page in English for its language
 * (layout, contrast and structure do not change with the words); a
 * keyboard-only walk goes from the home page to a cast vote; text at its
 * largest holds at 320 px.
 */
const KIOSK = { width: 1280, height: 800 };
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/** axe-core's rules about the page's declared language and its parts'. */
const LANGUAGE_RULES = ['html-has-lang', 'html-lang-valid', 'html-xml-lang-mismatch', 'valid-lang'];
const PUBLIC_PAGES = [
	'/',
	'/?q=eau',
	'/?categorie=arrete',
	'/avis/demo-coupure-eau',
	'/avis/demo-arrete-circulation-forge',
	'/archives',
	'/sondages',
	'/sondages/demo-marche',
	'/habitant',
	'/envois',
	'/participer',
	'/alertes',
	'/installer',
	'/agenda',
	`/agenda?mois=${new Date().toISOString().slice(0, 7)}`,
	'/agenda/demo-repas-saint-crieur',
	'/affiche/avis/demo-arrete-circulation-forge',
	'/affiche/sondages/demo-marche',
	'/avis/nexiste-pas'
];
const STAFF_PAGES = [
	'/mairie',
	'/mairie/avis/nouveau',
	'/mairie/avis/demo-coupure-eau',
	'/mairie/avis/demo-brocante',
	'/mairie/sondages',
	'/mairie/sondages/nouveau',
	'/mairie/sondages/demo-marche',
	'/mairie/agenda',
	'/mairie/agenda/nouveau',
	'/mairie/agenda/demo-conseil-novembre',
	'/mairie/habitants',
	'/mairie/signalements',
	'/mairie/signalements/o-a11y-000001',
	'/mairie/bornes',
	'/mairie/commune',
	'/mairie/rapport'
];

const app = sharedApp();
const devices: Device[] = [];

const BROWSER_LOCALE: Record<Language, string> = { fr: 'fr-FR', en: 'en-GB' };

async function device(
	viewport: { width: number; height: number },
	language: Language = 'fr',
	options: DeviceOptions = {}
) {
	const opened = await openDevice(viewport, { locale: BROWSER_LOCALE[language], ...options });
	devices.push(opened);
	// axe measures contrast on what is drawn: the kiosk's slide, caught fading in,
	// read as too pale. The app honours reduced motion, so pages hold still.
	await opened.page.emulateMedia({ reducedMotion: 'reduce' });
	return opened;
}

async function violations(page: Page, language: Language = 'fr'): Promise<string[]> {
	// Legacy mode runs axe in the page itself; the default also opens a blank
	// page per check to merge frame results, and these pages have no frames.
	const axe = new AxeBuilder({ page }).setLegacyMode(true);
	const result = await (
		language === 'fr' ? axe.withTags(WCAG) : axe.withRules(LANGUAGE_RULES)
	).analyze();
	return result.violations.map(
		(violation) =>
			`${violation.id} (${violation.nodes.length}): ${violation.nodes[0]?.target.join(' ')}`
	);
}

/** A resident's report, so that the staff queue and a moderation page have content. */
async function seedReport() {
	const staff = await staffCookie(app.url, app.staff);
	const [code] = await issueCodes(app.url, staff, ['']);
	const session = await fetch(`${app.url}/api/habitants/session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-forwarded-for': freshAddress() },
		body: JSON.stringify({ code })
	});
	const cookie = session.headers.getSetCookie()[0].split(';')[0];
	const sent = await fetch(`${app.url}/api/submissions`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify({
			outbox_id: 'o-a11y-000001',
			kind: 'report',
			title: 'Arbre tombé sur le chemin des Vignes',
			body: 'Un gros chêne bloque le chemin depuis la tempête.',
			category: 'espaces-verts',
			place: { lat: 46.319, lng: 4.83, address: 'Chemin des Vignes' },
			public_name: 'Jeanne'
		})
	});
	expect(sent.status).toBe(201);
}

beforeAll(async () => {
	await seedReport();
});

afterAll(async () => {
	for (const opened of devices) await opened.close().catch(() => undefined);
});

describe.each<Language>(['fr', 'en'])('axe-core in %s', (language) => {
	const t = words(language);

	async function expectPageIn(page: Page) {
		expect(await page.evaluate(() => document.documentElement.lang)).toBe(language);
	}

	// Each page is checked at both sizes once loaded, one test per page.
	// English is checked for its language only, at phone size.
	const SIZES = (
		language === 'fr'
			? [
					['phone', PHONE],
					['laptop', LAPTOP]
				]
			: [['phone', PHONE]]
	) as readonly (readonly [string, { width: number; height: number }])[];

	async function checkAtEverySize(page: Page, url: string) {
		for (const [name, viewport] of SIZES) {
			await page.setViewportSize(viewport);
			expect(await violations(page, language), `${url} (${name})`).toEqual([]);
		}
		await page.setViewportSize(PHONE);
	}

	// Pages are reached by following a link, as a user does: the app stays
	// loaded, where a reload would boot it again (replicas, a sync pass).
	async function open(page: Page, url: string) {
		const href = new URL(url, app.url).href;
		await page.evaluate((target) => {
			const link = document.createElement('a');
			link.href = target;
			document.body.append(link);
			link.click();
			link.remove();
		}, href);
		await page.waitForURL(href);
		// The router sets the address, then renders the page it has loaded.
		await page.evaluate(
			() => new Promise((rendered) => requestAnimationFrame(() => requestAnimationFrame(rendered)))
		);
		await page.locator('main h1').first().waitFor();
	}

	describe('villager pages', () => {
		let phone: Device;

		beforeAll(async () => {
			phone = await device(PHONE, language);
			await phone.page.goto(app.url);
			await waitForVillagerSync(phone.page);
			await expectPageIn(phone.page);
		});

		it.each(PUBLIC_PAGES)('finds nothing on %s', async (url) => {
			await open(phone.page, url);
			await checkAtEverySize(phone.page, url);
		});
	});

	describe('staff pages', () => {
		// One laptop per language, signed in once; the kiosk's pairing reuses it.
		let laptop: Device | null = null;

		async function signedIn(): Promise<Page> {
			if (!laptop) {
				laptop = await device(LAPTOP, language);
				await staffLogin(laptop.page, app.url, app.staff);
			}
			return laptop.page;
		}

		it('finds nothing on the login page', async () => {
			const { page } = await device(LAPTOP, language);
			await page.goto(`${app.url}/mairie`);
			await page.getByRole('button', { name: t.staff_login }).waitFor();
			await expectPageIn(page);
			await checkAtEverySize(page, 'login');
		});

		it.each(STAFF_PAGES)('finds nothing on %s', async (url) => {
			const page = await signedIn();
			await open(page, url);
			await checkAtEverySize(page, url);
		});

		it('finds nothing on the kiosk', async () => {
			const staff = await signedIn();
			await staff.setViewportSize(LAPTOP);
			await staff.goto(`${app.url}/mairie/bornes`);
			await staff.getByLabel(t.kiosk_labelField).fill(`Borne ${language}`);
			await staff.getByRole('button', { name: t.kiosk_add }).click();
			const link = await staff.locator('input.pairing-address').inputValue();
			expect(await violations(staff, language), 'pairing').toEqual([]);

			const { page } = await device(KIOSK, language);
			await page.goto(link);
			await page.getByRole('button', { name: t.kiosk_pairConfirm }).waitFor();
			expect(await violations(page, language), 'pairing confirmation').toEqual([]);
			await page.getByRole('button', { name: t.kiosk_pairConfirm }).click();
			await page.waitForURL(/\/borne$/);
			await page.locator('.slide').waitFor();
			await expectPageIn(page);
			expect(await violations(page, language), 'display').toEqual([]);
			// The kiosk lists three open polls; other files add polls to the shared app.
			await page.locator('.poll-rows button').first().click();
			expect(await violations(page, language), 'poll').toEqual([]);
			await page.getByRole('button', { name: t.kiosk_vote }).click();
			expect(await violations(page, language), 'keypad').toEqual([]);
			await page.getByRole('button', { name: t.kiosk_unlock }).click();
			expect(await violations(page, language), 'unlock').toEqual([]);
			await page.screenshot({ path: path.join(resultsDir(), `kiosk-unlock-${language}.png`) });
		});
	});
});

/** Presses Tab until the focused element's accessible text matches. */
async function tabTo(page: Page, pattern: RegExp, limit = 80): Promise<void> {
	for (let i = 0; i < limit; i++) {
		await page.keyboard.press('Tab');
		const label = await page.evaluate(() => {
			const element = document.activeElement as HTMLElement | null;
			if (!element) return '';
			const labelled = element.getAttribute('aria-label');
			const forLabel = element.id
				? document.querySelector(`label[for="${element.id}"]`)?.textContent
				: '';
			const wrapping = element.closest('label')?.textContent;
			return `${labelled ?? ''} ${forLabel ?? ''} ${wrapping ?? ''} ${element.textContent ?? ''}`.trim();
		});
		if (pattern.test(label)) return;
	}
	throw new Error(`Tab never reached ${pattern}`);
}

describe('keyboard only', () => {
	it('goes from the home page to a cast vote without the mouse', async () => {
		const cookie = await staffCookie(app.url, app.staff);
		const [code] = await issueCodes(app.url, cookie, ['']);

		const { page } = await device(LAPTOP);
		await page.goto(app.url);
		await waitForVillagerSync(page);
		await tabTo(page, /^Mon code$/);
		await page.keyboard.press('Enter');
		await page.getByRole('heading', { name: 'Mon code d’habitant' }).waitFor();
		await tabTo(page, /Code d’habitant/);
		await page.keyboard.type(code);
		await page.keyboard.press('Enter');
		await page.getByText('Vous êtes reconnu comme habitant').first().waitFor();
		await tabTo(page, /Voir les sondages/);
		await page.keyboard.press('Enter');
		await page.getByRole('heading', { name: 'Sondages', exact: true }).waitFor();
		// Other files add polls to the shared app: the list can be long.
		await tabTo(page, /Quel jour préférez-vous/, 400);
		await page.keyboard.press('Enter');
		await page.getByRole('heading', { name: /Quel jour préférez-vous/ }).waitFor();
		await page.getByRole('button', { name: 'Voter' }).waitFor();
		await waitForVillagerSync(page);
		// Tab reaches the radio group; the arrow keys choose within it.
		await tabTo(page, /Le mercredi matin/);
		await page.keyboard.press('ArrowDown');
		await expect.poll(() => page.getByLabel('Le vendredi matin').isChecked()).toBe(true);
		await tabTo(page, /^Voter$/);
		// The focus ring is visible on the focused button.
		const outline = await page.evaluate(
			() => getComputedStyle(document.activeElement!).outlineStyle
		);
		expect(outline).not.toBe('none');
		await page.keyboard.press('Enter');
		await page.getByText('Votre vote est enregistré').waitFor({ timeout: 20_000 });
	});
});

/** Whether an element lies inside the viewport's width. */
const inView = (element: Element) => {
	const box = element.getBoundingClientRect();
	return box.left >= 0 && box.right <= window.innerWidth;
};

describe('text size and narrow screens', () => {
	it('offers three text sizes, kept on the device, that hold at 320 px', async () => {
		const { page } = await device({ width: 320, height: 640 }, 'fr');
		await page.goto(app.url);
		// Hydrated first: the server-rendered button does nothing before.
		await waitForVillagerSync(page);
		await page.getByRole('button', { name: 'Taille du texte : Très grande' }).click();
		await page.reload();
		expect(await page.evaluate(() => document.documentElement.dataset.textSize)).toBe('x-large');
		for (const url of [
			'/',
			'/avis/demo-arrete-circulation-forge',
			'/sondages/demo-marche',
			'/habitant'
		]) {
			await page.goto(app.url + url);
			await page.locator('main h1').first().waitFor();
			const overflow = await page.evaluate(
				() => document.documentElement.scrollWidth - window.innerWidth
			);
			expect(overflow, url).toBeLessThanOrEqual(0);
			// Issue 13: the header took 468 of 640 px here; the page must stay the page.
			const header = await page.locator('header.site-header').boundingBox();
			expect(header!.height, url).toBeLessThanOrEqual(640 / 4);
			// Every tab of the one-row menu can be reached, the current one is in view.
			const tab = page.locator('header nav [aria-current="page"]');
			if (url === '/habitant') expect(await tab.evaluate(inView)).toBe(true);
		}
		await page.goto(app.url);
		await page.screenshot({ path: path.join(resultsDir(), 'villager-home-largest-text-320.png') });
		const phone = await device(PHONE, 'fr');
		await phone.page.goto(app.url);
		await waitForVillagerSync(phone.page);
		const normalHeader = await phone.page.locator('header.site-header').boundingBox();
		expect(normalHeader!.height).toBeLessThanOrEqual(915 / 8);
		await phone.page.getByRole('button', { name: 'Taille du texte : Très grande' }).click();
		await phone.page.screenshot({
			path: path.join(resultsDir(), 'villager-home-largest-text-412x915.png')
		});
	});
});
