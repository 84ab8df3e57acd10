import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../harness/app.ts';
import { PHONE, openDevice, waitForServiceWorker, type Device } from './browser.ts';

/**
 * A new release is deployed while a villager has the app open: the new
 * service worker waits until they accept it, offered through workbox-window.
 * The release is a real second build (a new version), served on the same origin.
 */
let app: TestApp;
let phone: Device;

beforeAll(async () => {
	app = await startApp();
	phone = await openDevice(PHONE);
});

afterAll(async () => {
	await phone?.close();
	await app?.stop();
	if (app) fs.rmSync(app.dataDir, { recursive: true, force: true });
});

describe('service worker updates', () => {
	it('offers a waiting version and reloads onto it when accepted', async () => {
		const { page } = phone;
		await page.goto(app.url);
		await waitForServiceWorker(page);
		await page.waitForFunction(
			async () => (await navigator.serviceWorker.getRegistration())?.active?.state === 'activated'
		);

		const port = new URL(app.url).port;
		await app.stop();
		execFileSync(
			process.execPath,
			['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'error'],
			{
				stdio: 'inherit'
			}
		);
		app = await startApp({ DATA_DIR: app.dataDir, PORT: port });

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
