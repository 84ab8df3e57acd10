import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshAddress } from '../harness/api.ts';
import { sharedApp } from '../harness/shared-app.ts';
import {
	PHONE,
	openDevice,
	resultsDir,
	waitForServiceWorker,
	waitForVillagerSync,
	words,
	type Device
} from './browser.ts';

/**
 * Issue 4: French by default, English complete, chosen from the browser and
 * switchable, with dates and numbers in the reader's language — online and
 * offline, where the switch must not leave a page of one language shown in
 * the other.
 */
const fr = words('fr');
const en = words('en');

const app = sharedApp();
const devices: Device[] = [];

async function device(locale: string, offline = false) {
	const opened = await openDevice(PHONE, { locale, serviceWorker: offline });
	devices.push(opened);
	return opened;
}

afterAll(async () => {
	for (const opened of devices) await opened.close().catch(() => undefined);
});

describe('languages', () => {
	it('speaks French to a browser set to German: French is the default', async () => {
		const { page } = await device('de-DE');
		await page.goto(app.url);
		await page.getByRole('heading', { name: fr.home_heading }).waitFor();
		expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
	});

	it('follows an English browser, with dates in English, then switches and remembers', async () => {
		const { page, context } = await device('en-GB', true);
		await page.goto(app.url);
		// The server's first paint is already English (from Accept-Language).
		await page.getByRole('heading', { name: en.home_heading }).waitFor();
		expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
		await waitForServiceWorker(page);
		await waitForVillagerSync(page);
		await expect.poll(() => page.locator('.sync').first().innerText()).toMatch(/^Up to date/);

		await page.goto(`${app.url}/avis/demo-coupure-eau`);
		const published = page.locator('text=/^Published on /').first();
		await published.waitFor();
		expect(await published.innerText()).toMatch(
			/^Published on \d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}/
		);
		await page.goto(`${app.url}/sondages/demo-marche`);
		await page
			.getByRole('button', { name: en.poll_enterCode })
			.or(page.getByText(en.poll_needCode))
			.first()
			.waitFor();
		await page.screenshot({ path: path.join(resultsDir(), 'villager-poll-english.png') });

		// Switch to French from the footer: the page reloads in French and stays so.
		await page.goto(app.url);
		await page.getByRole('button', { name: fr.language_fr }).click();
		await page.getByRole('heading', { name: fr.home_heading }).waitFor();
		expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
		expect(
			await page.getByRole('button', { name: fr.language_fr }).getAttribute('aria-pressed')
		).toBe('true');
		const cookies = await context.cookies(app.url);
		expect(cookies.find((cookie) => cookie.name === 'crieur-langue')?.value).toBe('fr');
		await page.reload();
		await page.getByRole('heading', { name: fr.home_heading }).waitFor();

		// Offline, the switch still works: no page in the old language is served.
		await waitForVillagerSync(page);
		await context.setOffline(true);
		await page.getByRole('button', { name: en.language_en }).click();
		await page.getByRole('heading', { name: en.home_heading }).waitFor({ timeout: 20_000 });
		expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
		// The notices come from the device's replica, offline.
		await page
			.getByRole('link', { name: /water/i })
			.or(page.locator('article h3'))
			.first()
			.waitFor();
		await page.goto(`${app.url}/avis/demo-coupure-eau`);
		await page.locator('text=/^Published on /').first().waitFor();
		await context.setOffline(false);
	});

	it('answers the API in the reader’s language', async () => {
		const refused = await fetch(`${app.url}/api/habitants/session`, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				'accept-language': 'en-GB,en;q=0.9',
				'x-forwarded-for': freshAddress()
			},
			body: JSON.stringify({ code: 'pas un code' })
		});
		expect(refused.status).toBe(400);
		// The reason says what is wrong with this code (issue 13 §2), in the reader's language.
		expect(((await refused.json()) as { reason: string }).reason).toMatch(
			/^(This code is not|Codes never use|A code has) /
		);
		const inFrench = await fetch(`${app.url}/api/habitants/session`, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				cookie: 'crieur-langue=fr',
				'x-forwarded-for': freshAddress()
			},
			body: JSON.stringify({ code: 'pas un code' })
		});
		expect(((await inFrench.json()) as { reason: string }).reason).toMatch(
			/^(Ce code n’a pas|Les codes n’emploient pas|Un code a) /
		);
	});
});
