import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

/**
 * Reads a PDF printed by Chromium back with pdf.js, in the same Chromium: its
 * pages, the text of each (with where each run of text sits), every page
 * rendered to PNG, and the QR code found on each page (jsQR).
 */
const require = createRequire(import.meta.url);
const PDFJS = path.dirname(require.resolve('pdfjs-dist/package.json'));
const JSQR = require.resolve('jsqr/dist/jsQR.js');

/** A made-up origin where the reader page and its scripts are served from memory. */
const READER = 'http://pdf-reader.test';

export interface TextRun {
	str: string;
	/** From the page's left and top edges, in PDF points (1/72 inch). */
	x: number;
	y: number;
	width: number;
	height: number;
}

export interface PdfPage {
	/** Width and height in PDF points: A4 portrait is about 595 × 842. */
	width: number;
	height: number;
	/** The page's text, whitespace collapsed. */
	text: string;
	runs: TextRun[];
	/** The page rendered (twice 72 dpi unless asked otherwise), as a PNG data URL. */
	png: string;
	/** What the QR code on the page says, or null when none was found. */
	qr: string | null;
}

export interface ReadPdf {
	pages: PdfPage[];
	/** Text of every page, whitespace collapsed. */
	text: string;
}

const READER_PAGE = `<!doctype html><meta charset="utf-8"><body>
<script src="/jsQR.js"></script>
<script type="module">
import * as pdfjs from '/pdf.mjs';
pdfjs.GlobalWorkerOptions.workerSrc = '/pdf.worker.mjs';
window.readPdf = async (base64, scale) => {
	const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
	const pdf = await pdfjs.getDocument({ data }).promise;
	const pages = [];
	for (let n = 1; n <= pdf.numPages; n++) {
		const page = await pdf.getPage(n);
		const base = page.getViewport({ scale: 1 });
		let text = '';
		const runs = [];
		for (const item of (await page.getTextContent()).items) {
			if (item.str === undefined) continue;
			text += item.str + (item.hasEOL ? ' ' : '');
			const [, , , , x, y] = item.transform;
			runs.push({ str: item.str, x, y: base.height - y, width: item.width, height: item.height });
		}
		const viewport = page.getViewport({ scale });
		const canvas = document.createElement('canvas');
		canvas.width = viewport.width;
		canvas.height = viewport.height;
		const context = canvas.getContext('2d', { willReadFrequently: true });
		context.fillStyle = '#fff';
		context.fillRect(0, 0, canvas.width, canvas.height);
		await page.render({ canvas, canvasContext: context, viewport }).promise;
		const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
		const code = window.jsQR(pixels.data, canvas.width, canvas.height);
		pages.push({
			width: base.width,
			height: base.height,
			text: text.replace(/\\s+/g, ' ').trim(),
			runs,
			png: canvas.toDataURL('image/png'),
			qr: code ? code.data : null
		});
	}
	return { pages, text: pages.map((page) => page.text).join(' ') };
};
window.readerReady = true;
</script>`;

/** Serves the reader page, pdf.js and jsQR from node_modules under READER, for this context only. */
export async function servePdfReader(context: BrowserContext): Promise<void> {
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

/** One reader tab per browser, opened on first use: loading pdf.js costs a second. */
const readers = new WeakMap<BrowserContext, Promise<Page>>();

async function readerOf(context: BrowserContext): Promise<Page> {
	let reader = readers.get(context);
	if (!reader) {
		reader = (async () => {
			const page = await context.newPage();
			await page.goto(`${READER}/`);
			await page.waitForFunction(() => 'readerReady' in window);
			return page;
		})();
		readers.set(context, reader);
	}
	const page = await reader;
	if (!page.isClosed()) return page;
	readers.delete(context);
	return readerOf(context);
}

/**
 * Reads a PDF in a tab of a context that servePdfReader prepared. `scale` 1
 * renders at 72 dpi: enough for a poster's QR code, and quicker.
 */
export async function readPdf(
	context: BrowserContext,
	pdf: Buffer,
	{ scale = 2 }: { scale?: number } = {}
): Promise<ReadPdf> {
	const reader = await readerOf(context);
	return reader.evaluate(
		([base64, size]) =>
			(window as unknown as { readPdf: (data: string, scale: number) => Promise<ReadPdf> }).readPdf(
				base64,
				size
			),
		[pdf.toString('base64'), scale] as const
	);
}

/** Writes a rendered page (a PNG data URL) to a file. */
export function savePng(dataUrl: string, file: string): string {
	const bytes = Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
	fs.writeFileSync(file, new Uint8Array(bytes));
	return file;
}
