import path from 'node:path';
import ICAL from 'ical.js';
import { afterAll, describe, expect, it } from 'vitest';
import { addDays, dayOf } from '../../src/lib/domain/event.ts';
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
	publishedConfirmation
} from './browser.ts';

/**
 * Issue 6, agenda, end to end: a secretary on a laptop set to another time
 * zone publishes a council meeting at 20:00 commune time, linked to its
 * minutes; a phone in the village sees it at 20:00 in the list and in the
 * month, opens it offline, follows the minutes, and adds it to its calendar.
 */
const app = sharedApp();
const devices: Device[] = [];
const TITLE = 'Conseil municipal extraordinaire';

afterAll(async () => {
	for (const opened of devices) await opened.close().catch(() => undefined);
});

const NOTICE_TITLE = 'Conseil municipal : venez nombreux';

describe('the agenda', () => {
	it('goes from the staff laptop to a phone, in commune time, offline too', async () => {
		const day = addDays(dayOf(new Date().toISOString(), 'Europe/Paris'), 3);
		// The laptop's clock says New York: the form still speaks the commune's time.
		const laptop = await openDevice(LAPTOP, { timezoneId: 'America/New_York' });
		devices.push(laptop);
		const staff = laptop.page;
		await staffLogin(staff, app.url, app.staff);
		await staff.getByRole('link', { name: 'Agenda' }).click();
		await staff.getByRole('heading', { name: 'Agenda', level: 1 }).waitFor();
		await staff.getByText('Repas partagé de la Saint-Crieur').waitFor();
		await staff.getByRole('link', { name: '+ Nouvel événement' }).click();
		await staff.getByLabel('Titre').fill(TITLE);
		await staff.getByLabel('Catégorie').selectOption({ label: 'Conseil municipal' });
		await staff.getByLabel('Lieu (facultatif)').fill('Salle du conseil, mairie');
		await staff.getByLabel('Début').fill(`${day}T20:00`);
		await staff.getByLabel('Fin').fill(`${day}T21:30`);
		await staff
			.getByLabel('Description (facultatif, Markdown)')
			.fill('Ordre du jour : **eau potable**.');
		await staff
			.getByLabel('Compte rendu publié')
			.selectOption({ label: 'Compte rendu du conseil municipal du 18 novembre' });
		// A wrong end first: refused with a clear message, nothing saved.
		await staff.getByLabel('Fin').fill(`${day}T19:00`);
		await staff.getByRole('button', { name: 'Publier dans l’agenda' }).click();
		await staff.getByText('La fin doit suivre le début.').waitFor();
		await staff.getByLabel('Fin').fill(`${day}T21:30`);
		await staff.getByRole('button', { name: 'Publier dans l’agenda' }).click();
		await staff.getByText('Événement publié.').waitFor();
		await staff.screenshot({ path: path.join(resultsDir(), 'staff-event-1366x768.png') });
		await staff.waitForURL((url) => !url.pathname.endsWith('/nouveau'));
		const eventUrl = staff.url();

		// A notice announces it: chosen from the agenda, its date never typed twice.
		await staff.goto(`${app.url}/mairie/avis/nouveau`);
		await staff.getByLabel('Titre').fill(NOTICE_TITLE);
		await staff.getByLabel('Texte').fill('Venez nombreux.');
		const picker = staff.getByLabel('Événement annoncé');
		const option = picker.locator('option', { hasText: TITLE });
		await option.waitFor({ state: 'attached' });
		await picker.selectOption({ label: (await option.textContent())!.trim() });
		await staff.getByRole('button', { name: 'Publier maintenant' }).click();
		await publishedConfirmation(staff).waitFor();
		await syncStaff(staff);
		await staff.goto(eventUrl);
		await staff.getByLabel('Titre').waitFor();

		const phone = await openDevice(PHONE, { serviceWorker: true });
		devices.push(phone);
		const page = phone.page;
		await page.goto(`${app.url}/agenda`);
		await waitForServiceWorker(page);
		await waitForVillagerSync(page);
		const card = page.locator('article', { hasText: TITLE });
		await expect.poll(() => card.count(), { timeout: 20_000 }).toBe(1);
		expect(await card.innerText()).toMatch(/20:00\s*–\s*21:30/);
		expect(await card.innerText()).toContain('Salle du conseil, mairie');
		await page.screenshot({
			path: path.join(resultsDir(), 'villager-agenda-412x915.png'),
			fullPage: true
		});

		// The notice shows the agenda's own date and place, and leads to the event.
		await page.goto(`${app.url}/`);
		await page.getByRole('link', { name: NOTICE_TITLE }).first().click();
		const announced = page.locator('p.event');
		await announced.waitFor();
		expect(await announced.innerText()).toMatch(/20:00\s*–\s*21:30/);
		expect(await announced.innerText()).toContain('Salle du conseil, mairie');
		expect(await announced.getByRole('link').getAttribute('href')).toMatch(/^\/agenda\//);
		await page.goto(`${app.url}/agenda`);

		// By month: the event sits on its day.
		await page.getByRole('link', { name: 'Par mois' }).click();
		if (!page.url().endsWith(day.slice(0, 7))) {
			await page.goto(`${app.url}/agenda?mois=${day.slice(0, 7)}`);
		}
		const cell = page.locator('td', {
			has: page.getByRole('link', { name: new RegExp(`^20:00\\s*${TITLE}$`) })
		});
		expect(await cell.locator('.date').innerText()).toBe(String(Number(day.slice(8))));
		await page.screenshot({
			path: path.join(resultsDir(), 'villager-agenda-month-412x915.png'),
			fullPage: true
		});

		// Offline: the event and its minutes open from the phone's replica.
		await phone.context.setOffline(true);
		await page.goto(`${app.url}/agenda`);
		await page.getByRole('link', { name: TITLE }).click();
		await page.getByRole('heading', { name: TITLE, level: 1 }).waitFor();
		expect(await page.locator('.when').innerText()).toMatch(/20:00\s*–\s*21:30/);
		await page.locator('strong', { hasText: 'eau potable' }).waitFor();
		await page.getByRole('link', { name: 'Lire le compte rendu de la séance' }).click();
		await page
			.getByRole('heading', { name: 'Compte rendu du conseil municipal du 18 novembre' })
			.waitFor();
		await page.goBack();
		await phone.context.setOffline(false);

		// Its calendar file, read back by an independent parser.
		const href = await page
			.getByRole('link', { name: 'Ajouter à mon agenda (.ics)' })
			.getAttribute('href');
		const ics = await page.request.get(`${app.url}${href}`);
		expect(ics.headers()['content-type']).toMatch(/^text\/calendar/);
		const vevent = new ICAL.Component(ICAL.parse(await ics.text())).getFirstSubcomponent('vevent')!;
		const event = new ICAL.Event(vevent);
		expect(event.summary).toBe(TITLE);
		expect(
			event.startDate
				.toJSDate()
				.toLocaleString('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' })
		).toBe('20:00');

		// Cancelled on the laptop: the phone shows it struck through as "Annulé".
		await staff.getByLabel('Annulé (reste dans l’agenda, marqué « Annulé »)').check();
		await staff.getByRole('button', { name: 'Enregistrer les changements' }).click();
		await staff.getByText('Événement publié.').waitFor();
		await syncStaff(staff);
		await page.goto(`${app.url}/agenda`);
		await waitForVillagerSync(page);
		await expect
			.poll(() => page.locator('article', { hasText: TITLE }).textContent(), { timeout: 20_000 })
			.toContain('Annulé');
	});
});
