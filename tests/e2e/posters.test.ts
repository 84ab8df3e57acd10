import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticeFactory } from '../factories.ts';
import { staffCookie } from '../harness/api.ts';
import { sharedApp } from '../harness/shared-app.ts';
import { LAPTOP, openDevice, PHONE, resultsDir, type Device } from './browser.ts';
import { readPdf as readPdfIn, savePng as savePngTo, servePdfReader } from './pdf.ts';
import { slugOf } from '../../src/lib/domain/slug.ts';

/**
 * A4 posters for the notice board: the browser's own print to PDF gives the
 * file, so this prints the poster pages to PDF in Chromium, reads the PDF back
 * with pdf.js (in the same Chromium), counts its pages, reads its text, renders
 * the pages to PNG and decodes the QR code printed on them.
 */
const app = sharedApp();
let device: Device;

/** The PDF's pages, its text, and its first and last page rendered with their QR codes. */
async function readPdf(pdf: Buffer, options?: { scale?: number }) {
	const read = await readPdfIn(device.context, pdf, options);
	return { ...read, first: read.pages[0], last: read.pages[read.pages.length - 1] };
}

/** Opens a poster, waits for its QR code (drawn in the browser), prints it as the browser would. */
async function printPoster(pathname: string, page = device.page): Promise<Buffer> {
	const response = await page.goto(app.url + pathname);
	expect(response?.status()).toBe(200);
	await page.locator('.sheet .qr svg').waitFor();
	// Sized to its rendered content once the fonts are in (Poster.svelte).
	await page.locator('.sheet[data-fit]').waitFor();
	return page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
}

const savePng = (dataUrl: string, name: string) =>
	savePngTo(dataUrl, path.join(resultsDir(), name));

/** Publishes a notice straight into the public database, as staff. */
async function publish(notice: ReturnType<typeof noticeFactory>) {
	const cookie = await staffCookie(app.url, app.staff);
	const put = await fetch(`${app.url}/db/demo-public/${encodeURIComponent(notice._id)}`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify(notice)
	});
	expect(put.status).toBe(201);
}

/** Text as printed, without line breaks or spaces, to find a URL that may wrap. */
const squeezed = (text: string) => text.replace(/\s+/g, '');

beforeAll(async () => {
	// Printed online: the service worker is not what this checks.
	device = await openDevice(LAPTOP);
	await servePdfReader(device.context);
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

		expect(read.pages).toHaveLength(1);
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

		expect(read.pages).toHaveLength(1);
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

		expect(read.pages).toHaveLength(1);
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
		const paragraph =
			'Les travaux de renouvellement du réseau d’eau potable se poursuivent rue des Tilleuls, ' +
			'impasse du Lavoir et chemin des Vignes ; les riverains seront prévenus la veille de chaque coupure. ';
		const notice = noticeFactory({
			_id: 'notice:test-affiche-longue',
			title: 'Travaux sur le réseau d’eau : le calendrier complet des interventions de l’hiver',
			body: Array.from({ length: 20 }, (_, i) => `**Semaine ${i + 1}.** ${paragraph}`).join('\n\n'),
			published_at: new Date(Date.now() - 3_600_000).toISOString()
		});
		await publish(notice);

		await device.context.addCookies([{ name: 'crieur-langue', value: 'en', url: app.url }]);
		try {
			const pdf = await printPoster('/affiche/avis/test-affiche-longue');
			expect(await device.page.getByRole('button', { name: 'Print the poster' }).count()).toBe(1);
			const read = await readPdf(pdf);
			fs.writeFileSync(path.join(resultsDir(), 'poster-long.pdf'), new Uint8Array(pdf));
			savePng(read.first.png, 'poster-long-page-1.png');
			savePng(read.last.png, 'poster-long-page-2.png');

			expect(read.pages).toHaveLength(2);
			expect(read.text).toContain('Semaine 20.');
			expect(read.text).toContain('Retrouvez cet avis sur l’application');
			expect(read.text).not.toContain('Print the poster');
			// The footer is kept whole, on the second sheet.
			expect(read.first.qr).toBeNull();
			expect(read.last.qr).toBe(`${app.url}/avis/test-affiche-longue`);
		} finally {
			await device.context.clearCookies({ name: 'crieur-langue' });
		}
	});

	it('prints every notice of the demo on one A4 sheet, its QR code on it', async () => {
		const feed = (await (await fetch(`${app.url}/api/sync?since=0&limit=1000`)).json()) as {
			docs: { _id: string; type?: string; title?: string }[];
		};
		const notices = feed.docs.filter(
			(doc) => doc.type === 'notice' && doc._id.startsWith('notice:demo-')
		);
		expect(notices.length).toBeGreaterThanOrEqual(10);
		for (const notice of notices) {
			const slug = slugOf(notice._id);
			// 72 dpi is enough to find the QR code, and quicker for fifteen posters.
			const read = await readPdf(await printPoster(`/affiche/avis/${slug}`), { scale: 1 });
			expect(read.pages, slug).toHaveLength(1);
			expect(read.first.qr, slug).toBe(`${app.url}/avis/${slug}`);
			savePng(read.first.png, `poster-${slug}.png`);
		}
		// Issue 13: the council minutes (two headings and a list) once left the QR code alone on a second sheet.
		const minutes = await readPdf(await printPoster('/affiche/avis/demo-cr-conseil-novembre'));
		expect(minutes.text).toContain('Questions diverses');
		expect(minutes.text).toContain('Retrouvez cet avis sur l’application');
		// Laid out as printed whatever the screen: from a phone too.
		const phone = await openDevice(PHONE);
		try {
			const read = await readPdf(
				await printPoster('/affiche/avis/demo-cr-conseil-novembre', phone.page)
			);
			expect(read.pages).toHaveLength(1);
		} finally {
			await phone.close();
		}
	});

	it('sizes type to the rendered poster, not to a count of characters', async () => {
		// The same 600 characters, as one paragraph and as a list of 30 short lines.
		const words = 'Réunion de quartier salle des fêtes à 18 h. ';
		const prose = words.repeat(14).slice(0, 600);
		const lines = Array.from({ length: 30 }, (_, i) => `- Rue ${i + 1} : ramassage lundi`)
			.join('\n')
			.padEnd(600, ' ')
			.slice(0, 600);
		expect(prose.length).toBe(lines.length);
		const fits: number[] = [];
		for (const [slug, body] of [
			['test-affiche-prose', prose],
			['test-affiche-liste', lines]
		]) {
			await publish(
				noticeFactory({
					_id: `notice:${slug}`,
					title: 'Ramassage des déchets verts',
					body,
					published_at: new Date(Date.now() - 3_600_000).toISOString()
				})
			);
			// 72 dpi is enough to find the QR code, and quicker for fifteen posters.
			const read = await readPdf(await printPoster(`/affiche/avis/${slug}`), { scale: 1 });
			expect(read.pages, slug).toHaveLength(1);
			expect(read.first.qr, slug).toBe(`${app.url}/avis/${slug}`);
			fits.push(Number(await device.page.locator('.sheet').getAttribute('data-fit')));
		}
		// The list takes more room than its characters say: its type is smaller.
		expect(fits[1]).toBeLessThan(fits[0] - 0.1);
	});

	it('prints links with their address', async () => {
		await publish(
			noticeFactory({
				_id: 'notice:test-affiche-liens',
				title: 'Inscriptions sur les listes électorales',
				body:
					'Inscrivez-vous sur [le site du service public](https://www.service-public.fr/particuliers/vosdroits/R16396), ' +
					'écrivez à [la mairie](mailto:mairie@saint-crieur.fr) ou lisez [l’avis du recensement](/avis/demo-recensement). ' +
					'Tout est aussi sur https://www.saint-crieur.fr.',
				published_at: new Date(Date.now() - 3_600_000).toISOString()
			})
		);
		const read = await readPdf(await printPoster('/affiche/avis/test-affiche-liens'));
		const text = squeezed(read.text);
		expect(text).toContain(
			squeezed(
				'le site du service public (https://www.service-public.fr/particuliers/vosdroits/R16396)'
			)
		);
		expect(text).toContain(squeezed('la mairie (mairie@saint-crieur.fr)'));
		expect(text).toContain(squeezed(`l’avis du recensement (${app.url}/avis/demo-recensement)`));
		// A bare address is already its own text: printed once.
		expect(text).toContain('https://www.saint-crieur.fr.');
		expect(text).not.toContain('(https://www.saint-crieur.fr)');
		savePng(read.first.png, 'poster-links.png');
	});

	it('answers an unknown notice with the app’s 404', async () => {
		const response = await device.page.goto(`${app.url}/affiche/avis/nexiste-pas`);
		expect(response?.status()).toBe(404);
		await device.page.getByRole('heading', { name: 'Page introuvable' }).waitFor();
	});
});
