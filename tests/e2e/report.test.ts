import path from 'node:path';
import nano from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedYear, type YearFigures } from '../harness/activity.ts';
import { STAFF } from '../harness/couch.ts';
import { startOwnApp, type OwnApp } from '../harness/own-app.ts';
import { LAPTOP, openDevice, resultsDir, staffLogin, type Device } from './browser.ts';

/**
 * Issue 6, participation report, end to end: a generated year of a village
 * (240 notices and their reads, 150 codes, 12 polls, 90 submissions) in a
 * real CouchDB-protocol store; the staff laptop replicates it and shows the
 * year's figures, charts and tables, exports CSV and prints.
 */
// Its own app: the generated year (about 850 documents that staff laptops
// replicate) would slow every other file's laptops, and its totals are exact.
let app: OwnApp;
let device: Device;
let figures: YearFigures;
const LAST_YEAR = new Date().getFullYear() - 1;

beforeAll(async () => {
	app = await startOwnApp();
	figures = await seedYear(app.store.adminUrl, LAST_YEAR);
	// The server's tally job counts the seeded ballots; the laptop then replicates the tallies.
	const publicDb = nano(app.store.adminUrl).use('demo-public');
	for (let i = 0; i < 120; i++) {
		const tallies = await publicDb.list({ startkey: 'tally:bilan-', endkey: 'tally:bilan-\ufff0' });
		if (tallies.rows.length === 12) break;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
});

afterAll(async () => {
	await device?.close().catch(() => undefined);
	await app?.stop();
});

const number = (value: number) => new Intl.NumberFormat('fr-FR').format(value);

describe('the participation report', () => {
	it('shows a generated year as figures, charts and tables, and exports it', async () => {
		// Online throughout: the service worker is not what this checks.
		device = await openDevice(LAPTOP, { serviceWorker: false });
		const { page } = device;
		await staffLogin(page, app.url, STAFF);
		await page.getByRole('link', { name: 'Bilan' }).click();
		await page.getByRole('heading', { name: 'Bilan de participation', level: 1 }).waitFor();
		await page.getByRole('link', { name: 'L’année dernière' }).click();
		await page.waitForURL(/du=\d{4}-01-01&au=\d{4}-12-31/);

		const figure = (name: string) => page.locator(`[data-figure="${name}"]`);
		// The laptop replicates the whole year first.
		await expect
			.poll(() => figure('notices').textContent(), { timeout: 60_000 })
			.toBe(number(figures.notices));
		expect(await figure('reads').textContent()).toBe(number(figures.reads));
		expect(await figure('codes').textContent()).toBe(number(figures.codesFirstUsed));
		expect(await figure('polls').textContent()).toBe(
			`${number(figures.polls)} / ${number(figures.ballots)}`
		);
		expect(await figure('submissions').textContent()).toBe(
			`${number(figures.suggestions)} / ${number(figures.reports)}`
		);
		expect(await page.getByText(`Répondus : ${figures.answered} sur 90`).count()).toBe(1);
		expect(await figure('delay').textContent()).toMatch(/Délai médian de réponse : \d+ j/);

		// Twelve months in the table, and totals that agree with the figures.
		const months = page.getByRole('table', { name: 'Chiffres par mois' });
		expect(await months.locator('tbody tr').count()).toBe(12);
		expect(await months.locator('tfoot td').first().textContent()).toBe(number(figures.notices));
		expect(
			await page
				.getByRole('table', { name: 'Sondages ouverts sur la période' })
				.locator('tbody tr')
				.count()
		).toBe(12);

		// The charts are drawn (pixels on the canvas), with a text alternative.
		for (const name of ['Lectures et avis publiés, par mois', 'Votes par sondage']) {
			const chart = page.getByRole('img', { name: new RegExp(`^${name}`) });
			await chart.waitFor();
			await expect
				.poll(() =>
					chart.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
						const context = canvas.getContext('2d')!;
						const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
						let inked = 0;
						for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
						return inked;
					})
				)
				.toBeGreaterThan(1000);
		}
		await page.screenshot({
			path: path.join(resultsDir(), 'staff-report-charts-1366x768.png'),
			fullPage: true
		});

		// CSV: one line per month and a total, as a spreadsheet reads it.
		const [download] = await Promise.all([
			page.waitForEvent('download'),
			page.getByRole('button', { name: 'Exporter en CSV' }).click()
		]);
		expect(download.suggestedFilename()).toBe(`bilan-${LAST_YEAR}-01-01-${LAST_YEAR}-12-31.csv`);
		const csv = await (await import('node:fs/promises')).readFile((await download.path())!, 'utf8');
		const lines = csv
			.replace(/^\ufeff/, '')
			.trim()
			.split('\r\n');
		expect(lines).toHaveLength(14);
		expect(lines[0]).toBe(
			'mois,avis_publies,lectures,envois_recus,envois_repondus,premiers_codes_utilises'
		);
		expect(lines[13]).toBe(
			`total,${figures.notices},${figures.reads},90,${figures.answered},${figures.codesFirstUsed}`
		);

		// Printed for the bilan de mandat: no navigation, the period named, tables whole.
		await page.emulateMedia({ media: 'print' });
		expect(await page.locator('header.staff-header').isVisible()).toBe(false);
		expect(await page.getByText(`Saint-Crieur — du 1 janvier ${LAST_YEAR}`).isVisible()).toBe(true);
		const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
		expect(pdf.length).toBeGreaterThan(10_000);
		await page.emulateMedia({ media: 'screen' });

		// A period the wrong way round is refused in words, and the figures stay.
		await page.goto(`${app.url}/mairie/rapport?du=${LAST_YEAR}-12-31&au=${LAST_YEAR}-01-01`);
		await page.getByText('Choisissez deux dates, la fin après le début.').waitFor();
	});
});
