import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticeFactory } from '../factories.ts';
import { staffCookie } from '../harness/api.ts';
import { sharedApp } from '../harness/shared-app.ts';
import { LAPTOP, openDevice, resultsDir, type Device } from './browser.ts';

/**
 * A4 posters for the notice board: the browser's own print to PDF gives the
 * file, so this prints the poster pages to PDF in Chromium, reads the PDF back
 * with pdf.js (in the same Chromium), counts its pages, reads its text, renders
 * the first page to PNG and decodes the QR code printed on it.
 */
const app = sharedApp();
let device: Device;

const require = createRequire(import.meta.url);
const PDFJS = path.dirname(require.resolve('pdfjs-dist/package.json'));
const JSQR = require.resolve('jsqr/dist/jsQR.js');

/** A made-up origin where the reader page and its scripts are served from memory. */
const READER = 'http://pdf-reader.test';

interface ReadPdf {
	pages: number;
	/** Text of every page, whitespace collapsed. */
	text: string;
	/** The first and the last page at twice 72 dpi, as PNG data URLs, with their QR codes. */
	first: RenderedPage;
	last: RenderedPage;
}

interface RenderedPage {
	png: string;
	/** What the QR code on the page says, or null when none was found. */
	qr: string | null;
}

const READER_PAGE = `<!doctype html><meta charset="utf-8"><body>
<script src="/jsQR.js"></script>
<script type="module">
import * as pdfjs from '/pdf.mjs';
pdfjs.GlobalWorkerOptions.workerSrc = '/pdf.worker.mjs';
window.readPdf = async (base64) => {
	const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
	const pdf = await pdfjs.getDocument({ data }).promise;
	let text = '';
	for (let n = 1; n <= pdf.numPages; n++) {
		const content = await (await pdf.getPage(n)).getTextContent();
		for (const item of content.items) text += (item.str ?? '') + (item.hasEOL ? ' ' : '');
		text += ' ';
	}
	const render = async (n) => {
		const page = await pdf.getPage(n);
		const viewport = page.getViewport({ scale: 2 });
		const canvas = document.createElement('canvas');
		canvas.width = viewport.width;
		canvas.height = viewport.height;
		const context = canvas.getContext('2d', { willReadFrequently: true });
		context.fillStyle = '#fff';
		context.fillRect(0, 0, canvas.width, canvas.height);
		await page.render({ canvas, canvasContext: context, viewport }).promise;
		const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
		const code = window.jsQR(pixels.data, canvas.width, canvas.height);
		return { png: canvas.toDataURL('image/png'), qr: code ? code.data : null };
	};
	return {
		pages: pdf.numPages,
		text: text.replace(/\\s+/g, ' ').trim(),
		first: await render(1),
		last: await render(pdf.numPages)
	};
};
window.readerReady = true;
</script>`;

/** Serves the reader page, pdf.js and jsQR from node_modules under READER, for this context only. */
async function serveReader(context: BrowserContext) {
	const files: Record<string, string> = {
		'/pdf.mjs': path.join(PDFJS, 'build/pdf.mjs'),
		'/pdf.worker.mjs': path.join(PDFJS, 'build/pdf.worker.mjs'),
		'/jsQR.js': JSQR
	};
	await context.route(`${READER}/**`, (route) => {
		const { pathname } = new URL(route.request().url());
		if (pathname === '/') {
			return route.fulfill({ contentType: 'text/html', body: READER_PAGE });
		}
		const file = files[pathname];
		if (!file) return route.fulfill({ status: 404, body: '' });
		return route.fulfill({ contentType: 'text/javascript', body: fs.readFileSync(file) });
	});
}

async function readPdf(pdf: Buffer): Promise<ReadPdf> {
	const reader = await device.context.newPage();
	try {
		await reader.goto(`${READER}/`);
		await reader.waitForFunction(() => 'readerReady' in window);
		return await reader.evaluate(
			(base64) =>
				(window as unknown as { readPdf: (data: string) => Promise<ReadPdf> }).readPdf(base64),
			pdf.toString('base64')
		);
	} finally {
		await reader.close();
	}
}

/** Opens a poster, waits for its QR code (drawn in the browser), prints it as the browser would. */
async function printPoster(pathname: string): Promise<Buffer> {
	const { page } = device;
	const response = await page.goto(app.url + pathname);
	expect(response?.status()).toBe(200);
	await page.locator('.sheet .qr svg').waitFor();
	return page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
}

function savePng(dataUrl: string, name: string): string {
	const file = path.join(resultsDir(), name);
	const bytes = Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
	fs.writeFileSync(file, new Uint8Array(bytes));
	return file;
}

/** Text as printed, without line breaks or spaces, to find a URL that may wrap. */
const squeezed = (text: string) => text.replace(/\s+/g, '');

beforeAll(async () => {
	// Printed online: the service worker is not what this checks.
	device = await openDevice(LAPTOP, { serviceWorker: false });
	await serveReader(device.context);
});

afterAll(async () => {
	await device?.close().catch(() => undefined);
});

describe('A4 posters', () => {
	it('prints a notice on one A4 sheet, in French, with its QR code', async () => {
		const slug = 'demo-arrete-circulation-forge';
		const pdf = await printPoster(`/affiche/avis/${slug}`);
		fs.writeFileSync(path.join(resultsDir(), 'poster-notice.pdf'), new Uint8Array(pdf));
		const read = await readPdf(pdf);
		const url = `${app.url}/avis/${slug}`;

		expect(read.pages).toBe(1);
		expect(read.text).toContain('Arrêté : circulation alternée route de la Forge');
		expect(read.text).toContain('Saint-Crieur');
		expect(read.text).toContain('Retrouvez cet avis sur l’application');
		expect(read.text).toMatch(/Publié le \d+ \p{L}+ \d{4}/u);
		expect(read.text).toMatch(/Affiché jusqu’au \d+ \p{L}+ \d{4}/u);
		expect(read.text).toContain('limitée à 30 km/h');
		expect(squeezed(read.text)).toContain(url);
		expect(read.first.qr).toBe(url);

		const png = savePng(read.first.png, 'poster-notice.png');
		// The README's picture changes only on request: each run has its own port and dates.
		if (process.env.UPDATE_DOCS === '1') {
			fs.mkdirSync('docs', { recursive: true });
			fs.copyFileSync(png, path.join('docs', 'poster-notice.png'));
		}
	});

	it('prints a poll with its answers and how to vote', async () => {
		const pdf = await printPoster('/affiche/sondages/demo-marche');
		const read = await readPdf(pdf);
		const url = `${app.url}/sondages/demo-marche`;

		expect(read.pages).toBe(1);
		expect(read.text).toContain('Quel jour préférez-vous pour le marché hebdomadaire ?');
		expect(read.text).toContain('Saint-Crieur');
		for (const answer of ['Le mercredi matin', 'Le vendredi matin', 'Le samedi matin']) {
			expect(read.text).toContain(answer);
		}
		expect(read.text).toMatch(/Vote ouvert jusqu’au \d+ \p{L}+ \d{4}/u);
		expect(read.text).toContain('Votez avec votre code d’habitant');
		expect(squeezed(read.text)).toContain(url);
		expect(read.first.qr).toBe(url);
		savePng(read.first.png, 'poster-poll.png');
	});

	it('prints an event with when, where and how to sign up', async () => {
		const pdf = await printPoster('/affiche/agenda/demo-repas-saint-crieur');
		const read = await readPdf(pdf);
		const url = `${app.url}/agenda/demo-repas-saint-crieur`;

		expect(read.pages).toBe(1);
		expect(read.text).toContain('Repas partagé de la Saint-Crieur');
		expect(read.text).toMatch(/fête et animation/i);
		expect(read.text).toMatch(/\p{L}+ \d+ \p{L}+ \d{4}, 12:30 – 16:00/u);
		expect(read.text).toContain('Lieu : Salle des fêtes');
		expect(read.text).toContain('Sur inscription en mairie : 120 places');
		expect(read.text).toContain('Retrouvez ce rendez-vous sur l’application');
		expect(squeezed(read.text)).toContain(url);
		expect(read.first.qr).toBe(url);
		savePng(read.first.png, 'poster-event.png');
	});

	it('stays French for an English reader, and lets a long notice flow onto a second sheet', async () => {
		const cookie = await staffCookie(app.url, app.staff);
		const paragraph =
			'Les travaux de renouvellement du réseau d’eau potable se poursuivent rue des Tilleuls, ' +
			'impasse du Lavoir et chemin des Vignes ; les riverains seront prévenus la veille de chaque coupure. ';
		const notice = noticeFactory({
			_id: 'notice:test-affiche-longue',
			title: 'Travaux sur le réseau d’eau : le calendrier complet des interventions de l’hiver',
			body: Array.from({ length: 14 }, (_, i) => `**Semaine ${i + 1}.** ${paragraph}`).join('\n\n'),
			published_at: new Date(Date.now() - 3_600_000).toISOString()
		});
		const put = await fetch(`${app.url}/db/demo-public/${encodeURIComponent(notice._id)}`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json', cookie },
			body: JSON.stringify(notice)
		});
		expect(put.status).toBe(201);

		await device.context.addCookies([{ name: 'crieur-langue', value: 'en', url: app.url }]);
		try {
			const pdf = await printPoster('/affiche/avis/test-affiche-longue');
			expect(await device.page.getByRole('button', { name: 'Print the poster' }).count()).toBe(1);
			const read = await readPdf(pdf);
			fs.writeFileSync(path.join(resultsDir(), 'poster-long.pdf'), new Uint8Array(pdf));
			savePng(read.first.png, 'poster-long-page-1.png');
			savePng(read.last.png, 'poster-long-page-2.png');

			expect(read.pages).toBe(2);
			expect(read.text).toContain('Semaine 14.');
			expect(read.text).toContain('Retrouvez cet avis sur l’application');
			expect(read.text).not.toContain('Print the poster');
			// The footer is kept whole, on the second sheet.
			expect(read.first.qr).toBeNull();
			expect(read.last.qr).toBe(`${app.url}/avis/test-affiche-longue`);
		} finally {
			await device.context.clearCookies({ name: 'crieur-langue' });
		}
	});

	it('answers an unknown notice with the app’s 404', async () => {
		const response = await device.page.goto(`${app.url}/affiche/avis/nexiste-pas`);
		expect(response?.status()).toBe(404);
		await device.page.getByRole('heading', { name: 'Page introuvable' }).waitFor();
	});
});
