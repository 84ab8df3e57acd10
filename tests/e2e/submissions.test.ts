import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerFactory } from '../factories.ts';
import { issueCodes, staffCookie } from '../harness/api.ts';
import { startOwnApp, type OwnApp } from '../harness/own-app.ts';
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
	publishedConfirmation
} from './browser.ts';

/**
 * Issue 5, end to end: offline, a resident files a report with a photo and a
 * place, closes the tab, reopens it online: it goes by itself. Staff see it
 * flagged, answer and resolve it; the resident's phone shows "Résolu" and the
 * public answer.
 */
// Its own app: staff are told of new submissions by a count of the whole
// commune's queue, which other files fill on the shared app.
let app: OwnApp;
const devices: Device[] = [];
const TITLE = 'Lampadaire éteint rue du Lavoir';
// Markdown, as staff write it (issue 13: it showed raw on the public page).
const ANSWER = 'L’ampoule a été changée **mardi**. Merci du signalement !';
const ANSWER_SHOWN = 'L’ampoule a été changée mardi. Merci du signalement !';

/** offline: the device installs the service worker, to work without the network. */
async function device(viewport = PHONE, offline = false) {
	const opened = await openDevice(viewport, { serviceWorker: offline });
	devices.push(opened);
	return opened;
}

async function issueCode(): Promise<string> {
	const cookie = await staffCookie(app.url, app.staff);
	const [code] = await issueCodes(app.url, cookie, ['Famille Martin']);
	return code;
}

/** A real photo, drawn by the browser: large, so the phone has to shrink it. */
async function photoFrom(page: Page): Promise<Buffer> {
	const dataUrl = await page.evaluate(() => {
		const canvas = document.createElement('canvas');
		canvas.width = 3000;
		canvas.height = 2000;
		const context = canvas.getContext('2d')!;
		for (let i = 0; i < 400; i++) {
			context.fillStyle = `hsl(${i * 37}, 60%, ${30 + (i % 40)}%)`;
			context.fillRect((i * 97) % 3000, (i * 61) % 2000, 180, 140);
		}
		return canvas.toDataURL('image/jpeg', 0.95);
	});
	return Buffer.from(dataUrl.split(',')[1], 'base64');
}

beforeAll(async () => {
	app = await startOwnApp({ demoContent: true });
});

afterAll(async () => {
	for (const opened of devices) await opened.close().catch(() => undefined);
	await app?.stop();
});

/** The state a resident's submission shows on their phone (« Reçu », « Résolu »…). */
const badgeOf = (submission: Locator) => () =>
	submission
		.locator('.badge')
		.textContent()
		.then((text) => text?.trim());

describe('the report form (issue 13 §5)', () => {
	it('loads the map once a report is started, clears each message once fixed, and keeps a draft', async () => {
		const cookie = await staffCookie(app.url, app.staff);
		const [code] = await issueCodes(app.url, cookie, ['Famille Brunet']);
		const { page, context } = await device(PHONE);
		let tiles = 0;
		await context.route('https://tile.openstreetmap.org/**', (route) => {
			tiles++;
			return route.abort();
		});
		await page.goto(`${app.url}/habitant#${code.replace(/-/g, '')}`);
		// Hydrated first: the app reads the code from the address into the field.
		await expect
			.poll(async () => (await page.getByLabel('Code d’habitant').inputValue()).replace(/-/g, ''))
			.toBe(code.replace(/-/g, ''));
		await page.getByRole('button', { name: 'Valider mon code' }).click();
		await page.getByText('Vous êtes reconnu comme habitant').first().waitFor();
		await page.getByRole('link', { name: 'Participer' }).first().click();
		await page.getByLabel('Titre').waitFor();

		// A visitor who only reads gets neither the map nor its tiles.
		await page.getByRole('button', { name: 'Montrer la carte' }).waitFor();
		expect(await page.getByRole('region', { name: 'Carte de la commune' }).count()).toBe(0);
		expect(await page.locator('.leaflet-container').count()).toBe(0);
		expect(tiles).toBe(0);

		// Each message goes as soon as its field is filled, not at the next « Envoyer ».
		await page.getByRole('button', { name: 'Envoyer à la mairie' }).click();
		await page.locator('#submission-title-error').waitFor();
		await page.locator('#submission-body-error').waitFor();
		await page.getByLabel('Titre').fill('Nid-de-poule devant la boulangerie');
		await page.locator('#submission-title-error').waitFor({ state: 'detached' });
		expect(await page.locator('#submission-body-error').count()).toBe(1);
		expect(await page.getByLabel('Titre').getAttribute('aria-invalid')).toBeNull();

		// Starting a report brings the map.
		await page.getByRole('region', { name: 'Carte de la commune' }).waitFor();
		await page
			.getByLabel('Description')
			.fill('Un trou profond sur la chaussée, côté droit en montant.');
		await page.locator('#submission-body-error').waitFor({ state: 'detached' });

		// Away and Back: what was typed is still there.
		await page.getByRole('link', { name: 'Sondages' }).first().click();
		await page.waitForURL(/\/sondages$/);
		await page.goBack();
		await page.getByText('Nous avons retrouvé ce que vous aviez commencé').waitFor();
		expect(await page.getByLabel('Titre').inputValue()).toBe('Nid-de-poule devant la boulangerie');
		expect(await page.getByLabel('Description').inputValue()).toBe(
			'Un trou profond sur la chaussée, côté droit en montant.'
		);
		// A reload too: the draft is on the device, not in the page.
		await page.reload();
		await page.getByText('Nous avons retrouvé ce que vous aviez commencé').waitFor();
		expect(await page.getByLabel('Titre').inputValue()).toBe('Nid-de-poule devant la boulangerie');
		await page.getByRole('button', { name: 'Tout effacer' }).click();
		expect(await page.getByLabel('Titre').inputValue()).toBe('');
	});
});

describe('a report filed offline reaches the mairie and comes back answered', () => {
	it('goes from an offline phone to the staff queue, and back as "Résolu"', async () => {
		const code = await issueCode();
		const phone = await device(PHONE, true);
		const { context } = phone;
		let page = phone.page;
		await context.grantPermissions(['geolocation'], { origin: app.url });
		await context.setGeolocation({ latitude: 46.3181, longitude: 4.8342 });

		await page.goto(`${app.url}/habitant#${code.replace(/-/g, '')}`);
		await waitForServiceWorker(page);
		await page.getByRole('button', { name: 'Valider mon code' }).click();
		await page.getByText('Vous êtes reconnu comme habitant').first().waitFor();
		await page.getByRole('link', { name: 'Participer' }).first().click();
		await page.getByRole('heading', { name: 'Idées et signalements', level: 1 }).waitFor();
		await waitForVillagerSync(page);

		// Offline from here: the form still works and keeps everything.
		await context.setOffline(true);
		const photo = await photoFrom(page);
		await page.getByLabel('Titre').fill(TITLE);
		await page
			.getByLabel('Description')
			.fill('Le lampadaire devant le numéro 12 ne s’allume plus depuis lundi soir.');
		await page.getByLabel('Catégorie').selectOption({ label: 'Éclairage public' });
		await page
			.locator('#submission-photos')
			.setInputFiles({ name: 'lampadaire.jpg', mimeType: 'image/jpeg', buffer: photo });
		await page.getByRole('img', { name: 'Photo 1 de votre envoi' }).waitFor();
		await page.getByLabel('Adresse ou repère').fill('12 rue du Lavoir');
		await page.getByRole('button', { name: 'Utiliser ma position' }).click();
		await page.getByText('Position enregistrée : 46.3181, 4.8342.').waitFor();
		// The map shows the pin there; a tap moves it (no tiles offline, the map still works).
		const map = page.getByRole('region', { name: 'Carte de la commune' });
		await page.getByTitle('Endroit signalé').waitFor();
		await page.getByText('Le fond de carte ne se charge pas sans réseau').waitFor();
		await map.scrollIntoViewIfNeeded();
		const box = (await map.boundingBox())!;
		await page.mouse.click(box.x + box.width / 2 + 60, box.y + box.height / 2 - 40);
		const located = page.getByText(/^Position enregistrée : /);
		await expect.poll(() => located.textContent()).not.toContain('46.3181, 4.8342');
		const [lat, lng] = (await located.textContent())!.match(/-?\d+\.\d+/g)!.map(Number);
		// East and north of the phone's position, a few dozen metres away.
		expect(lng).toBeGreaterThan(4.8342);
		expect(lat).toBeGreaterThan(46.3181);
		expect(Math.abs(lng - 4.8342) + Math.abs(lat - 46.3181)).toBeLessThan(0.01);
		const pinned = `${lat}, ${lng}`;
		await page.screenshot({
			path: path.join(resultsDir(), 'villager-report-form-412x915.png'),
			fullPage: true
		});
		await page.getByRole('button', { name: 'Envoyer à la mairie' }).click();
		await page.getByText('Votre envoi est gardé sur cet appareil').waitFor();
		// The photo waits in IndexedDB, shrunk and without its metadata.
		const stored = await page.evaluate(async () => {
			const open = indexedDB.open('crieur-device');
			const db = await new Promise<IDBDatabase>(
				(resolve) => (open.onsuccess = () => resolve(open.result))
			);
			const all = db.transaction('outbox').objectStore('outbox').getAll();
			const items = await new Promise<{ kind: string; files?: Blob[] }[]>(
				(resolve) => (all.onsuccess = () => resolve(all.result))
			);
			const item = items.find((candidate) => candidate.kind === 'submission');
			const bitmap = await createImageBitmap(item!.files![0]);
			return { size: item!.files![0].size, width: bitmap.width, height: bitmap.height };
		});
		expect(Math.max(stored.width, stored.height)).toBe(1600);
		expect(stored.size).toBeLessThan(photo.length);

		// The tab is closed offline; later, online, the app is opened again.
		await page.close();
		await context.setOffline(false);
		page = await context.newPage();
		await page.goto(`${app.url}/participer`);
		const mine = page.locator('[data-submission]', { hasText: TITLE });
		await expect.poll(badgeOf(mine), { timeout: 30_000 }).toBe('Reçu');

		// Staff are told on their next visit, open it, answer and resolve it.
		const staff = await device(LAPTOP);
		await staffLogin(staff.page, app.url, app.staff);
		await staff.page.getByText('1 nouvel envoi d’habitant à traiter.').waitFor();
		await staff.page.getByRole('link', { name: 'Idées et signalements (1)' }).waitFor();
		await staff.page.getByRole('link', { name: 'Voir les envois' }).click();
		const row = staff.page.locator('tr[data-submission]', { hasText: TITLE });
		await row.first().waitFor();
		expect(await row.count()).toBe(1);
		await row.getByText('Nouveau').waitFor();
		await row.getByRole('link', { name: TITLE }).click();
		await staff.page.getByRole('heading', { name: TITLE }).waitFor();
		const staffPhoto = staff.page.getByRole('img', { name: 'Photo 1 jointe par l’habitant' });
		await staffPhoto.waitFor();
		await expect
			.poll(() => staffPhoto.evaluate((image: HTMLImageElement) => image.naturalWidth))
			.toBe(1600);
		await staff.page.getByText(pinned).waitFor();
		await staff.page
			.getByRole('region', { name: 'Carte : endroit signalé par l’habitant' })
			.getByTitle('Endroit signalé')
			.waitFor();
		await staff.page.getByText('12 rue du Lavoir').waitFor();
		await staff.page.getByLabel('Marquer résolu').check();
		await staff.page.getByLabel('Réponse de la mairie').fill(ANSWER);
		await staff.page.getByRole('button', { name: 'Enregistrer' }).click();
		await staff.page.getByText('Enregistré sur cet ordinateur.').waitFor();
		await staff.page.getByRole('button', { name: 'Publier la réponse' }).click();
		await publishedConfirmation(staff.page).waitFor();
		await staff.page.screenshot({ path: path.join(resultsDir(), 'staff-report-1366x768.png') });
		await syncStaff(staff.page);
		await staff.page.goto(`${app.url}/mairie`);
		await staff.page.getByRole('heading', { name: 'Avis', exact: true }).waitFor();
		expect(await staff.page.getByText('nouvel envoi d’habitant').count()).toBe(0);

		// The resident's phone shows "Résolu", the answer, and the public answer.
		await page.reload();
		await waitForVillagerSync(page);
		await expect.poll(badgeOf(mine), { timeout: 30_000 }).toBe('Résolu');
		await mine.getByText(ANSWER_SHOWN).waitFor();
		const published = page.locator('[data-answer]', { hasText: TITLE });
		await published.getByText(ANSWER_SHOWN).waitFor();
		expect(await published.locator('strong').innerText()).toBe('mardi');
		expect(await published.innerText()).not.toContain('**');
		expect(await published.innerText()).not.toMatch(/Martin|habitant-|resident:/);
		await page.screenshot({
			path: path.join(resultsDir(), 'villager-report-resolved-412x915.png'),
			fullPage: true
		});
	});

	it('lets a resident support a published idea once, and shows the count', async () => {
		const staff = await staffCookie(app.url, app.staff);
		const published = await fetch(`${app.url}/db/demo-public/answer:idee-jardins`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json', cookie: staff },
			body: JSON.stringify(
				answerFactory({
					_id: 'answer:idee-jardins',
					title: 'Des jardins partagés derrière l’école',
					body: 'Le terrain en friche pourrait accueillir une dizaine de parcelles.',
					answer: 'Bonne idée : le conseil en parlera en décembre.',
					public_name: 'Jeanne'
				})
			)
		});
		expect(published.status).toBe(201);

		const code = await issueCode();
		const { page } = await device(PHONE);
		await page.goto(`${app.url}/habitant#${code.replace(/-/g, '')}`);
		// Hydrated first: the app reads the code from the address into the field.
		await expect
			.poll(async () => (await page.getByLabel('Code d’habitant').inputValue()).replace(/-/g, ''))
			.toBe(code.replace(/-/g, ''));
		await page.getByRole('button', { name: 'Valider mon code' }).click();
		await page.getByText('Vous êtes reconnu comme habitant').first().waitFor();
		await page.goto(`${app.url}/participer`);
		await waitForVillagerSync(page);
		const idea = page.locator('[data-answer="answer:idee-jardins"]');
		await idea.getByText('Proposé par Jeanne').waitFor();
		await idea.getByText('Moins de 5 soutiens pour l’instant.').waitFor();
		await idea.getByRole('button', { name: 'Soutenir cette idée' }).click();
		await idea.getByText('Vous soutenez cette idée.').waitFor({ timeout: 20_000 });
		// One support is not a batch of 5 (issue 13): the page says when it will show.
		await idea.getByText(/s’affiche par groupes de 5/).waitFor();
		expect(await idea.getByRole('button', { name: 'Soutenir cette idée' }).count()).toBe(0);
	});
});
