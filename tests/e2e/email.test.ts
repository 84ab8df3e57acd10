import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffCookie } from '../harness/api.ts';
import { startMailServer, type MailServer } from '../harness/mail-server.ts';
import { startOwnApp, type OwnApp } from '../harness/own-app.ts';
import { noticeFactory } from '../factories.ts';
import { LAPTOP, openDevice, PHONE, resultsDir, staffLogin, type Device } from './browser.ts';

/**
 * Issue 16 §5 in Chromium: a villager asks for alerts by e-mail on their
 * phone, confirms from the message's link, receives an urgent alert and
 * leaves from its link; a secretary registers a person at the counter. Its
 * own app: it sends to a loopback SMTP server.
 */
let mail: MailServer;
let own: OwnApp;
const devices: Device[] = [];

beforeAll(async () => {
	mail = await startMailServer();
	own = await startOwnApp({
		demoContent: true,
		env: { SMTP_URL: mail.url, CRIEUR_JOB_INTERVAL_SECONDS: '1' }
	});
});
afterAll(async () => {
	for (const device of devices) await device.close();
	await own?.stop();
	await mail?.stop();
});

const linkIn = (text: string) => text.match(new RegExp(`${own.url}/alertes/email[^\\s]*`))![0];

describe('alerts by e-mail', () => {
	it('from the phone’s form to a confirmed address, an alert, and a one-tap exit', async () => {
		const phone = await openDevice(PHONE);
		devices.push(phone);
		const { page } = phone;
		await page.goto(`${own.url}/alertes`);
		const section = page.getByRole('region', { name: 'Par e-mail' });
		await section.getByLabel('Votre adresse e-mail').fill('pas-une-adresse');
		await section.getByRole('button', { name: 'Recevoir par e-mail' }).click();
		await section.getByText('Cette adresse e-mail n’est pas valide').waitFor();

		await section.getByLabel('Votre adresse e-mail').fill('jeanne.dupont@example.fr');
		await section.getByRole('group', { name: 'Votre secteur' }).getByLabel('Les Granges').check();
		await section.getByRole('button', { name: 'Recevoir par e-mail' }).click();
		await section.getByText('Un message vient de partir vers jeanne.dupont@example.fr').waitFor();
		await page.screenshot({
			path: path.join(resultsDir(), 'alerts-email-412x915.png'),
			fullPage: true
		});
		await page.setViewportSize({ width: 320, height: 640 });
		await page.screenshot({
			path: path.join(resultsDir(), 'alerts-email-320.png'),
			fullPage: true
		});
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
			320
		);
		await page.setViewportSize(PHONE);

		await expect.poll(() => mail.to('jeanne.dupont@example.fr').length).toBe(1);
		await page.goto(linkIn(mail.to('jeanne.dupont@example.fr')[0].text));
		await page.getByRole('heading', { name: 'Confirmer votre adresse' }).waitFor();
		await page.getByRole('button', { name: 'Confirmer' }).click();
		await page.getByText('Adresse confirmée').waitFor();

		const storm = noticeFactory({
			title: 'Tempête : ne sortez pas ce soir',
			body: 'Vents à 120 km/h attendus à partir de 18 h.',
			category: 'alerte',
			urgent: true,
			published_at: new Date(Date.now() - 1000).toISOString(),
			expires_at: new Date(Date.now() + 6 * 3600_000).toISOString()
		});
		const published = await fetch(`${own.url}/db/demo-public/${encodeURIComponent(storm._id)}`, {
			method: 'PUT',
			headers: {
				'content-type': 'application/json',
				cookie: await staffCookie(own.url, own.staff)
			},
			body: JSON.stringify(storm)
		});
		expect(published.status).toBe(201);
		await expect
			.poll(() => mail.to('jeanne.dupont@example.fr').length, { timeout: 20_000 })
			.toBe(2);
		const alerted = mail.to('jeanne.dupont@example.fr')[1];
		expect(alerted.text).toContain('Vents à 120 km/h attendus à partir de 18 h.');

		await page.goto(linkIn(alerted.text));
		await page.getByRole('heading', { name: 'Ne plus recevoir d’e-mails' }).waitFor();
		await page.getByRole('button', { name: 'Me désabonner' }).click();
		await page.getByText('C’est fait : votre adresse est effacée.').waitFor();
	});

	it('lets a secretary register a person at the counter, and keeps nothing of them on screen', async () => {
		const laptop = await openDevice(LAPTOP);
		devices.push(laptop);
		const { page } = laptop;
		await staffLogin(page, own.url, own.staff);
		await page.goto(`${own.url}/mairie/commune`);
		const section = page.getByRole('region', { name: 'Inscrire une personne aux e-mails' });
		await section.getByLabel('Adresse e-mail de la personne').fill('robert@example.fr');
		await section.getByRole('button', { name: 'Inscrire' }).click();
		await section.getByText('cochez l’accord de la personne').waitFor();
		await section.getByLabel('La personne a demandé à recevoir ces e-mails').check();
		await section.getByRole('button', { name: 'Inscrire' }).click();
		await section.getByText('Adresse inscrite. Un premier message lui a été envoyé.').waitFor();
		expect(await section.getByLabel('Adresse e-mail de la personne').inputValue()).toBe('');
		await page.screenshot({
			path: path.join(resultsDir(), 'staff-counter-email-1366x768.png'),
			fullPage: true
		});
		await expect.poll(() => mail.to('robert@example.fr').length).toBe(1);
		expect(mail.to('robert@example.fr')[0].subject).toBe(
			'Vous recevrez les alertes de Saint-Crieur par e-mail'
		);
	});
});
