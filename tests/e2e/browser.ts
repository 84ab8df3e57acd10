import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { freshAddress } from '../harness/api.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const PHONE = { width: 412, height: 915 };
export const LAPTOP = { width: 1366, height: 768 };

export interface Device {
	context: BrowserContext;
	page: Page;
	close(): Promise<void>;
}

const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
	// Tests never reach the internet (CI has none): the map's tile server
	// fails at once instead of waiting on DNS.
	'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost, EXCLUDE *.localhost'
];

// One Chromium per test file, launched with its first device and closed with
// its last: vitest runs each file in its own process, and a launch costs half
// a second where a context costs a few milliseconds.
let browser: Promise<Browser> | null = null;
let openDevices = 0;

async function acquireBrowser(): Promise<Browser> {
	openDevices++;
	browser ??= chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
	try {
		return await browser;
	} catch (error) {
		openDevices--;
		browser = null;
		throw error;
	}
}

async function releaseBrowser(): Promise<void> {
	if (--openDevices > 0 || !browser) return;
	const closing = browser;
	browser = null;
	await (await closing).close();
}

export interface DeviceOptions {
	javaScriptEnabled?: boolean;
	locale?: string;
	timezoneId?: string;
	/**
	 * true: the device installs the service worker, for tests that go offline
	 * or are about it. Otherwise its registration never completes: installing it
	 * precaches the whole app shell (about 3 s of a core), the dearest part of a
	 * device, and most tests read pages online.
	 */
	serviceWorker?: boolean;
	/**
	 * A whole browser with a profile on disk instead of a context, for what
	 * Chromium refuses to an off-the-record context (the installability check);
	 * it installs the service worker.
	 */
	persistent?: boolean;
}

/**
 * Keeps the page's service worker registration waiting for ever, as if its
 * script never came. Not a route: any route makes Playwright intercept every
 * request of the context and turn the HTTP cache off, so each page would fetch
 * and compile the whole app again.
 */
function neverRegister() {
	if (self.ServiceWorkerContainer) {
		ServiceWorkerContainer.prototype.register = () => new Promise(() => {});
	}
}

/**
 * A separate phone or laptop: a browser context of its own, so its own
 * service worker, IndexedDB, caches and cookies (tests/e2e/devices.test.ts
 * proves it), and its own network address for the per-address limits.
 * Debian's Chromium, never a download.
 */
export async function openDevice(viewport = PHONE, options: DeviceOptions = {}): Promise<Device> {
	const settings = {
		viewport,
		locale: options.locale ?? 'fr-FR',
		timezoneId: options.timezoneId ?? 'Europe/Paris',
		javaScriptEnabled: options.javaScriptEnabled ?? true,
		extraHTTPHeaders: { 'x-forwarded-for': freshAddress() }
	};
	let context: BrowserContext;
	let release: () => Promise<void>;
	if (options.persistent) {
		const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-chromium-'));
		context = await chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM,
			headless: true,
			args: CHROMIUM_ARGS,
			...settings
		});
		release = async () => fs.rmSync(profile, { recursive: true, force: true });
	} else {
		const shared = await acquireBrowser();
		try {
			context = await shared.newContext(settings);
		} catch (error) {
			await releaseBrowser();
			throw error;
		}
		release = releaseBrowser;
	}
	if (!(options.serviceWorker ?? options.persistent)) await context.addInitScript(neverRegister);
	context.setDefaultTimeout(20_000);
	const page = context.pages()[0] ?? (await context.newPage());
	page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
	let closed = false;
	return {
		context,
		page,
		close: async () => {
			if (closed) return;
			closed = true;
			try {
				await context.close();
			} finally {
				await release();
			}
		}
	};
}

/**
 * Tells a page loaded while its context is offline that it is: Playwright's
 * offline cuts such a page's network but leaves its navigator.onLine true, so
 * it would never hear `online` when the network returns. Chromium's own
 * network emulation, sent to the page itself, sets both; `backOnline()` then
 * brings the network back for the context and the page, which hears `online`.
 */
export async function knowsItIsOffline(page: Page): Promise<{ backOnline(): Promise<void> }> {
	const cdp = await page.context().newCDPSession(page);
	const emulate = (offline: boolean) =>
		cdp.send('Network.emulateNetworkConditions', {
			offline,
			latency: 0,
			downloadThroughput: -1,
			uploadThroughput: -1
		});
	await emulate(true);
	await page.waitForFunction(() => navigator.onLine === false);
	return {
		backOnline: async () => {
			// Both emulations must be lifted before the page hears `online`: lifted in
			// the other order, the page heard it while this one still held the network
			// down, its send failed, and no second `online` came.
			await emulate(false);
			await page.context().setOffline(false);
			await cdp.detach();
			await page.evaluate(
				() =>
					navigator.onLine || new Promise((on) => addEventListener('online', on, { once: true }))
			);
			// Once the network is surely back, the event a returning network gives.
			await page.evaluate(() => window.dispatchEvent(new Event('online')));
		}
	};
}

/** Waits until the service worker controls the page (the first visit already works offline). */
export async function waitForServiceWorker(page: Page): Promise<void> {
	await page.waitForFunction(
		async () => {
			await navigator.serviceWorker.ready;
			return navigator.serviceWorker.controller !== null;
		},
		undefined,
		{ timeout: 60_000, polling: 250 }
	);
}

/**
 * Waits until a villager's pull finished on this page: the status says when
 * ("À jour à l’instant"). The server-rendered page already says "À jour", idle,
 * before any script ran, so that alone proves neither hydration nor a pull.
 */
export async function waitForVillagerSync(page: Page): Promise<void> {
	const neverSynced = [words('fr').sync_upToDate, words('en').sync_upToDate];
	await page.waitForFunction(
		(plain) => {
			const label = document.querySelector('.sync.idle .label')?.textContent?.trim();
			return label !== undefined && !plain.includes(label);
		},
		neverSynced,
		{ timeout: 60_000, polling: 200 }
	);
}

export async function staffLogin(
	page: Page,
	baseUrl: string,
	login: { name: string; password: string }
) {
	await page.goto(`${baseUrl}/mairie`);
	const t = words(await pageLanguage(page));
	await page.getByLabel(t.staff_name).fill(login.name);
	await page.getByLabel(t.staff_password).fill(login.password);
	await page.getByRole('button', { name: t.staff_login }).click();
	await page.getByRole('heading', { name: t.staff_listHeading, exact: true }).waitFor();
	await waitForStaffSync(page);
}

/**
 * A new tab on a laptop already signed in, its other tabs closed, once the
 * tab's first sync has run: what a test needs of a secretary's laptop without
 * signing in again (a sign-in replicates the whole commune into IndexedDB).
 */
export async function newStaffTab(laptop: Device, baseUrl: string): Promise<Page> {
	for (const open of laptop.context.pages()) await open.close();
	const page = await laptop.context.newPage();
	page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
	await page.goto(`${baseUrl}/mairie`);
	const t = words(await pageLanguage(page));
	await page.getByRole('heading', { name: t.staff_listHeading, exact: true }).waitFor();
	await waitForStaffSync(page);
	return page;
}

/**
 * An editor's word that a publication was saved: « … Il partira … » until a
 * sync sends it, then « … les habitants le voient ». An online laptop syncs
 * right after the save and may get to the second before a test sees the first.
 */
export function publishedConfirmation(page: Page) {
	return page.getByText(/publiée?\. (Il|Elle) partira|publiée? : les habitants l[ae] voient/i);
}

/** Waits until the staff sync status says a pass has finished. */
export async function waitForStaffSync(page: Page): Promise<void> {
	await page.locator('.sync.idle:not([data-synced-at="0"])').waitFor({ timeout: 30_000 });
}

export type Language = 'fr' | 'en';

/** The interface's plain messages in one language, so tests find buttons by their words. */
export function words(language: Language): Record<string, string> {
	const file = new URL(`../../src/lib/i18n/messages/${language}.json`, import.meta.url);
	const messages = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
	return Object.fromEntries(
		Object.entries(messages).filter(
			(entry): entry is [string, string] => typeof entry[1] === 'string'
		)
	);
}

export async function pageLanguage(page: Page): Promise<Language> {
	return (await page.evaluate(() => document.documentElement.lang)) === 'en' ? 'en' : 'fr';
}

/** Runs a staff sync now and waits until a pass that started after this call has finished. */
export async function syncStaff(page: Page): Promise<void> {
	const status = page.locator('[data-synced-at]');
	const before = Number(await status.getAttribute('data-synced-at'));
	await page.evaluate(() => window.dispatchEvent(new Event('online')));
	await page.waitForFunction(
		(since) => {
			const element = document.querySelector<HTMLElement>('[data-synced-at]');
			return (
				element !== null &&
				Number(element.dataset.syncedAt) > since &&
				element.classList.contains('idle') &&
				element.dataset.pending === '0'
			);
		},
		before,
		{ timeout: 30_000, polling: 200 }
	);
}

export function resultsDir(): string {
	const dir = path.resolve('test-results');
	fs.mkdirSync(dir, { recursive: true });
	return dir;
}

/** Documents in a villager's replica (pouchdb-adapter-idb's document store); 0 before it exists. */
export async function replicaDocCount(page: Page): Promise<number> {
	return page.evaluate(
		() =>
			new Promise<number>((resolve) => {
				const request = indexedDB.open('_pouch_crieur-public');
				request.onsuccess = () => {
					const db = request.result;
					if (!db.objectStoreNames.contains('document-store')) return resolve(0);
					const count = db.transaction('document-store').objectStore('document-store').count();
					count.onsuccess = () => {
						resolve(count.result);
						db.close();
					};
				};
				request.onerror = () => resolve(0);
			})
	);
}
