import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const PHONE = { width: 412, height: 915 };
export const LAPTOP = { width: 1366, height: 768 };

export interface Device {
	context: BrowserContext;
	page: Page;
	close(): Promise<void>;
}

/**
 * A browser with its own profile, like a separate phone or laptop: its own
 * service worker, IndexedDB and cookies. Debian's Chromium, never a download.
 */
export async function openDevice(
	viewport = PHONE,
	options: { javaScriptEnabled?: boolean; locale?: string; timezoneId?: string } = {}
): Promise<Device> {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		viewport,
		locale: options.locale ?? 'fr-FR',
		timezoneId: options.timezoneId ?? 'Europe/Paris',
		javaScriptEnabled: options.javaScriptEnabled ?? true,
		args: [
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
			'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'
		]
	});
	context.setDefaultTimeout(20_000);
	const page = context.pages()[0] ?? (await context.newPage());
	page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
	return {
		context,
		page,
		close: async () => {
			await context.close();
			fs.rmSync(profile, { recursive: true, force: true });
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
		{ timeout: 20_000, polling: 250 }
	);
}

/** Waits until the villager's pull finished and the replica is in use. */
export async function waitForVillagerSync(page: Page): Promise<void> {
	await page.locator('.sync.idle').waitFor({ timeout: 20_000 });
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
