import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedApp } from '../harness/shared-app.ts';
import {
	PHONE,
	openDevice,
	waitForServiceWorker,
	waitForVillagerSync,
	type Device
} from './browser.ts';

/**
 * Every test device is a browser context of one Chromium (tests/e2e/browser.ts),
 * where it used to be a whole browser with its own profile: this proves that
 * two contexts are still two phones, with their own service worker, IndexedDB,
 * caches and cookies, while two tabs of one context share them.
 */
const app = sharedApp();
const devices: Device[] = [];

afterAll(async () => {
	for (const opened of devices) await opened.close().catch(() => undefined);
});

/** What the origin keeps on this device, seen from a page that runs none of the app. */
async function storedOnDevice(page: Page) {
	// A JSON answer of the app's origin: a document there, without the app's scripts.
	await page.goto(`${app.url}/api/public/current`);
	return page.evaluate(async () => ({
		workers: (await navigator.serviceWorker.getRegistrations()).length,
		databases: (await indexedDB.databases()).map((database) => database.name).sort(),
		caches: (await caches.keys()).length,
		cookie: document.cookie
	}));
}

describe('test devices', () => {
	it('keep their service worker, IndexedDB, caches and cookies to themselves', async () => {
		const first = await openDevice(PHONE, { serviceWorker: true });
		const second = await openDevice(PHONE, { serviceWorker: true });
		devices.push(first, second);

		await first.page.goto(app.url);
		await waitForServiceWorker(first.page);
		await waitForVillagerSync(first.page);
		await first.page.getByRole('button', { name: 'English' }).click();
		await first.page.getByRole('heading', { name: 'Notices from the town hall' }).waitFor();

		const used = await storedOnDevice(await first.context.newPage());
		expect(used.workers).toBe(1);
		expect(used.databases).toContain('_pouch_crieur-public');
		expect(used.caches).toBeGreaterThan(0);
		expect(used.cookie).toContain('crieur-langue=en');

		expect(await storedOnDevice(second.page)).toEqual({
			workers: 0,
			databases: [],
			caches: 0,
			cookie: ''
		});
		expect(await second.context.cookies()).toEqual([]);
	});
});
