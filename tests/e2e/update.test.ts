import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOwnApp, type OwnApp } from '../harness/own-app.ts';
import { PHONE, openDevice, waitForServiceWorker, type Device } from './browser.ts';

/**
 * A new release is deployed while a villager has the app open: the new
 * service worker waits until they accept it, offered through workbox-window.
 * The release is a real second build (a new version), served on the same
 * origin: `npm run build:next` builds it into build-next/ before the suites
 * run (npm test does), so that build/ is never rebuilt under the other tests.
 */
const NEXT = 'build-next';
const version = (build: string) =>
	(
		JSON.parse(fs.readFileSync(path.join(build, 'client/_app/version.json'), 'utf8')) as {
			version: string;
		}
	).version;

// Its own app: the test replaces the running release with the next one.
let app: OwnApp;
let phone: Device;

beforeAll(async () => {
	if (!fs.existsSync(path.join(NEXT, 'index.js')) || version(NEXT) === version('build')) {
		throw new Error(`No next release in ${NEXT}/: run \`npm run build:next\` (npm test does).`);
	}
	app = await startOwnApp({ demoContent: true });
	phone = await openDevice(PHONE, { serviceWorker: true });
});

afterAll(async () => {
	await phone?.close();
	await app?.stop();
});

describe('service worker updates', () => {
	it('offers a waiting version and reloads onto it when accepted', async () => {
		const { page } = phone;
		await page.goto(app.url);
		await waitForServiceWorker(page);
		await page.waitForFunction(
			async () => (await navigator.serviceWorker.getRegistration())?.active?.state === 'activated'
		);

		// The next release, deployed on the same port and store.
		await app.app.stop();
		await app.app.restart(NEXT);

		await page.evaluate(async () => {
			await (await navigator.serviceWorker.getRegistration())?.update();
		});
		await page.getByText('Nouvelle version de Crieur disponible.').waitFor({ timeout: 30_000 });
		// Nothing changes under the villager's feet until they accept.
		expect(
			await page.evaluate(
				async () => (await navigator.serviceWorker.getRegistration())?.waiting?.state
			)
		).toBe('installed');

		const navigation = page.waitForEvent('framenavigated');
		await page.getByRole('button', { name: 'Recharger' }).click();
		await navigation;
		await page.getByRole('heading', { name: 'Les avis de la mairie' }).waitFor();
		await expect
			.poll(() =>
				page.evaluate(
					async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null
				)
			)
			.toBeNull();
	});
});
