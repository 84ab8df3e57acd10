import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCodes, residentCookie, staffCookie } from '../harness/api.ts';
import { demoStaffLogin, startApp, type TestApp } from '../harness/app.ts';
import { LAPTOP, openDevice, resultsDir, staffLogin, syncStaff, type Device } from './browser.ts';

/**
 * Issue 13 §4, on the secretary's laptop: codes are shown once, so the
 * register must let her find a household (search, « Résident 7 » before
 * « Résident 10 », whether the code was used), reissue a selection of lost
 * letters at once, be warned before a household gets a second code, and be
 * asked before leaving letters unprinted.
 */
let app: TestApp;
let laptop: Device;

beforeAll(async () => {
	// Its own app: it reads the whole register (order, search, selection).
	app = await startApp();
	const staff = await staffCookie(app.url, demoStaffLogin(app.dataDir));
	const labels = Array.from({ length: 12 }, (_, i) => `Résident ${i + 1}`);
	const codes = await issueCodes(app.url, staff, [...labels, 'Famille Martin']);
	// Résident 3 entered their code on a phone.
	await residentCookie(app.url, codes[2]);
	laptop = await openDevice(LAPTOP);
	await staffLogin(laptop.page, app.url, demoStaffLogin(app.dataDir));
});

afterAll(async () => {
	await laptop?.close().catch(() => undefined);
	await app?.stop();
	if (app) fs.rmSync(app.dataDir, { recursive: true, force: true });
});

describe('the register of residents', () => {
	it('sorts naturally, searches, and shows whether each code was used', async () => {
		const { page } = laptop;
		await page.goto(`${app.url}/mairie/habitants`);
		await syncStaff(page);
		const rows = page.locator('tr[data-resident]');
		await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(13);
		const labels = await rows.locator('td:nth-child(2)').allInnerTexts();
		const at = (label: string) => labels.indexOf(label);
		expect(at('Résident 2')).toBeLessThan(at('Résident 10'));
		expect(at('Résident 9')).toBeLessThan(at('Résident 10'));

		const used = (label: string) =>
			rows
				.filter({ has: page.getByRole('cell', { name: label, exact: true }) })
				.locator('td.used')
				.innerText();
		expect(await used('Résident 3')).toMatch(/^Oui, le \d/);
		expect(await used('Résident 4')).toBe('Pas encore');

		await page.getByLabel('Rechercher dans le registre').fill('résident 1');
		// « résident 1 » finds 1, 10, 11 and 12.
		await expect.poll(() => rows.count()).toBe(4);
		await page.getByLabel('Rechercher dans le registre').fill('MARTIN');
		await expect.poll(() => rows.count()).toBe(1);
		await page.screenshot({ path: path.join(resultsDir(), 'staff-register-1366x768.png') });
		await page.getByLabel('Rechercher dans le registre').fill('');
	});

	it('reissues a selection at once, and asks before leaving the letters unprinted', async () => {
		const { page } = laptop;
		await page.goto(`${app.url}/mairie/habitants`);
		await page.getByLabel('Sélectionner : Résident 5').check();
		await page.getByLabel('Sélectionner : Résident 6').check();
		page.once('dialog', (dialog) => void dialog.accept());
		await page.getByRole('button', { name: 'Nouveau code pour la sélection (2)' }).click();
		await page.waitForURL('**/mairie/habitants/lettres');
		await expect.poll(() => page.locator('article.letter').count()).toBe(2);

		// Leaving unprinted asks; declining keeps the letters on screen.
		let asked = '';
		page.once('dialog', (dialog) => {
			asked = dialog.message();
			void dialog.dismiss();
		});
		await page.getByRole('link', { name: /Retour au registre/ }).click();
		await expect.poll(() => asked).toContain('ne sont gardés nulle part');
		expect(new URL(page.url()).pathname).toBe('/mairie/habitants/lettres');
		expect(await page.locator('article.letter').count()).toBe(2);

		// One printed page per letter: no last page with only the footer.
		const pdf = (await page.pdf({ format: 'A4' })).toString('latin1');
		expect(pdf.match(/\/Type\s*\/Page(?!s)/g)?.length).toBe(2);

		// Once printed, the page lets go without asking.
		await page.getByRole('link', { name: /Retour au registre/ }).click();
		await page.waitForURL((url) => url.pathname === '/mairie/habitants');
	});

	it('warns before a household on the register gets a second code', async () => {
		const { page } = laptop;
		let asked = '';
		page.once('dialog', (dialog) => {
			asked = dialog.message();
			void dialog.dismiss();
		});
		await page.getByLabel('Une ligne par habitant ou foyer').fill('famille  MARTIN');
		await page.getByRole('button', { name: 'Émettre les codes' }).click();
		await expect.poll(() => asked).toContain('« Famille Martin »');
		expect(new URL(page.url()).pathname).toBe('/mairie/habitants');
	});

	it('issues a large number of codes in batches, showing how far it is', async () => {
		const { page } = laptop;
		await page.goto(`${app.url}/mairie/habitants`);
		// The second batch waits until the page has shown the first one done.
		let release: () => void = () => undefined;
		const secondHeld = new Promise<void>((resolve) => (release = resolve));
		let requests = 0;
		await page.route('**/api/mairie/habitants', async (route) => {
			if (++requests === 2) await secondHeld;
			await route.continue();
		});
		await page.getByLabel('Ou nombre de codes sans libellé').fill('45');
		await page.getByRole('button', { name: 'Émettre les codes' }).click();
		const progress = page.getByRole('status').filter({ hasText: 'Émission des codes' });
		await progress.filter({ hasText: '20 sur 45' }).waitFor();
		expect(await page.getByRole('button', { name: 'Émettre les codes' }).isDisabled()).toBe(true);
		release();
		await page.waitForURL('**/mairie/habitants/lettres');
		await expect.poll(() => page.locator('article.letter').count()).toBe(45);
		expect(requests).toBe(3);
		await page.unroute('**/api/mairie/habitants');
	});

	it('keeps the letters of the codes issued before a batch failed', async () => {
		const { page } = laptop;
		// The letters page asks before leaving letters unprinted: yes, on purpose.
		const leave = (dialog: { accept(): Promise<void> }) => void dialog.accept();
		page.on('dialog', leave);
		await page.goto(`${app.url}/mairie/habitants`);
		page.off('dialog', leave);
		let requests = 0;
		await page.route('**/api/mairie/habitants', (route) =>
			++requests === 2 ? route.abort('internetdisconnected') : route.continue()
		);
		let told = '';
		page.once('dialog', (dialog) => {
			told = dialog.message();
			void dialog.accept();
		});
		await page.getByLabel('Ou nombre de codes sans libellé').fill('30');
		await page.getByRole('button', { name: 'Émettre les codes' }).click();
		await page.waitForURL('**/mairie/habitants/lettres');
		expect(told).toContain('20 codes émis sur 30');
		await expect.poll(() => page.locator('article.letter').count()).toBe(20);
		await page.unroute('**/api/mairie/habitants');
	});
});
