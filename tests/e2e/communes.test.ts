import nano from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionCommune } from '../../couch/provision.ts';
import { noticeFactory } from '../factories.ts';
import { rawRequest } from '../harness/api.ts';
import { startOwnApp, type OwnApp } from '../harness/own-app.ts';
import {
	LAPTOP,
	openDevice,
	PHONE,
	staffLogin,
	waitForServiceWorker,
	waitForVillagerSync,
	type Device
} from './browser.ts';

/**
 * Issue 15 §2 in a browser: two communes of one deployment, each on its host
 * name (Chromium sends *.localhost to this machine), are two origins — each
 * with its own service worker, replica and cookies. Its own app: a second
 * commune changes what every other host is answered.
 */
let own: OwnApp;
let saintCrieur: string;
let voisine: string;
const VOISINE_STAFF = { name: 'secretariat-voisine', password: 'mot-de-passe-voisine' };
const VOISINE_NOTICE = 'Voisine-sur-Loire : marché déplacé place de l’Église';
const devices: Device[] = [];

beforeAll(async () => {
	// No ORIGIN: links and cookies follow each request's own host.
	own = await startOwnApp({ demoContent: true, env: { ORIGIN: '' } });
	const port = new URL(own.url).port;
	saintCrieur = `http://saint-crieur.localhost:${port}`;
	voisine = `http://voisine.localhost:${port}`;
	await provisionCommune(own.store.adminUrl, {
		slug: 'demo',
		name: 'Saint-Crieur',
		hosts: ['saint-crieur.localhost']
	});
	await provisionCommune(own.store.adminUrl, {
		slug: 'voisine',
		name: 'Voisine-sur-Loire',
		hosts: ['voisine.localhost'],
		staff: VOISINE_STAFF
	});
	await nano(own.store.adminUrl)
		.use('voisine-public')
		.insert(noticeFactory({ title: VOISINE_NOTICE }) as never);
	// The app reads its list of communes every few seconds; until then its one
	// commune answers every host.
	const host = { host: new URL(voisine).host };
	for (let tries = 0; ; tries++) {
		const answer = await rawRequest(own.url, 'GET', '/api/public/commune', { headers: host });
		if (answer.status === 200 && JSON.parse(answer.text).slug === 'voisine') break;
		if (tries > 100) throw new Error(`voisine not served: ${answer.status} ${answer.text}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}, 120_000);

afterAll(async () => {
	for (const device of devices) await device.close().catch(() => undefined);
	await own?.stop();
});

describe('two communes in one browser', () => {
	it('installs each as its own app, which reads its own notices offline', async () => {
		const phone = await openDevice(PHONE, { serviceWorker: true });
		devices.push(phone);
		const { page, context } = phone;
		for (const origin of [saintCrieur, voisine]) {
			await page.goto(origin);
			await waitForServiceWorker(page);
			await waitForVillagerSync(page);
		}
		const manifest = await page.evaluate(async () => (await fetch('/manifest.webmanifest')).json());
		expect((manifest as { name: string }).name).toBe('Crieur — Voisine-sur-Loire');
		await context.setOffline(true);
		await page.goto(voisine);
		await page.getByText(VOISINE_NOTICE).waitFor();
		expect(await page.getByText("Coupure d'eau").count()).toBe(0);

		await page.goto(saintCrieur);
		await page.getByText("Coupure d'eau").first().waitFor();
		expect(await page.getByText(VOISINE_NOTICE).count()).toBe(0);
		// Two registrations, one per origin: neither serves the other's pages.
		const scopes = await page.evaluate(async () =>
			(await navigator.serviceWorker.getRegistrations()).map((r) => r.scope)
		);
		expect(scopes).toEqual([`${saintCrieur}/`]);
		await context.setOffline(false);
	});

	it('keeps a secretary signed in on one commune’s host only', async () => {
		const laptop = await openDevice(LAPTOP);
		devices.push(laptop);
		const { page } = laptop;
		await staffLogin(page, voisine, VOISINE_STAFF);
		await page.goto(saintCrieur + '/mairie');
		await page.getByLabel('Identifiant').waitFor();
		// The other commune's staff account is refused here, in French.
		await page.getByLabel('Identifiant').fill(VOISINE_STAFF.name);
		await page.getByLabel('Mot de passe').fill(VOISINE_STAFF.password);
		await page.getByRole('button', { name: 'Se connecter' }).click();
		await page.getByText('Ce compte n’appartient pas à la mairie.').waitFor();
		// Still signed in on its own.
		await page.goto(voisine + '/mairie');
		await page.getByText(VOISINE_NOTICE).first().waitFor();
	});
});
