import nano from 'nano';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCodes, residentCookie, staffCookie } from '../harness/api.ts';
import { STAFF } from '../harness/couch.ts';
import { startOwnApp, type OwnApp } from '../harness/own-app.ts';
import { LAPTOP, PHONE, openDevice, staffLogin, type Device } from './browser.ts';

/**
 * Issue 7, hostile content: the usual XSS vectors in every field staff or
 * residents can write, rendered in Chromium on every page that shows them.
 * A vector that runs sets window.__pwned or opens a dialog; none may.
 */
// Its own app: the corpus shows on every list page (home, agenda, polls,
// the kiosk), which the other files check.
let app: OwnApp;
const devices: Device[] = [];

const RUN = 'window.__pwned=1';
const VECTORS = [
	`<script>${RUN}</script>`,
	`<img src=x onerror="${RUN}">`,
	`<svg onload="${RUN}"><circle r=5 /></svg>`,
	`"><iframe src="javascript:parent.__pwned=1"></iframe>`,
	`<a href="javascript:${RUN}">lien</a>`,
	`[lien](javascript:${RUN})`,
	`[lien](JaVaScRiPt:${RUN})`,
	`![image](x" onerror="${RUN})`,
	`<details open ontoggle="${RUN}">x</details>`,
	`<math><mi xlink:href="javascript:${RUN}">x</mi></math>`,
	`<a href="data:text/html,<script>${RUN}</script>">data</a>`,
	`{{constructor.constructor('${RUN}')()}}`,
	`</title><script>${RUN}</script>`,
	`<style>*{background:url("javascript:${RUN}")}</style>`,
	`<form action="javascript:${RUN}"><button>envoyer</button></form>`
];
const text = (max: number) => VECTORS.join(' ').slice(0, max);
const markdown = VECTORS.join('\n\n');

const NOW = Date.now();
const iso = (days: number) => new Date(NOW + days * 86_400_000).toISOString();

beforeAll(async () => {
	app = await startOwnApp();
	const publicDb = nano(app.store.adminUrl).use('demo-public');
	await publicDb.bulk({
		docs: [
			{
				_id: 'notice:xss',
				type: 'notice',
				title: text(160),
				body: markdown,
				category: 'avis',
				urgent: true,
				published_at: iso(-1),
				expires_at: iso(10),
				created_at: iso(-1),
				updated_at: iso(-1),
				author: STAFF.name
			},
			{
				_id: 'poll:xss',
				type: 'poll',
				question: text(200),
				description: markdown,
				options: VECTORS.slice(0, 4).map((label, i) => ({
					id: `o${i}`,
					label: label.slice(0, 120)
				})),
				multiple: false,
				max_choices: 1,
				opens_at: iso(-1),
				closes_at: iso(5),
				results: 'live',
				allow_change: false,
				created_at: iso(-1),
				updated_at: iso(-1),
				author: STAFF.name
			},
			{
				_id: 'event:xss',
				type: 'event',
				title: text(160),
				description: markdown,
				category: 'fete',
				starts_at: iso(2),
				ends_at: iso(2.1),
				all_day: false,
				place: text(200),
				registration_limit: null,
				minutes: null,
				cancelled: false,
				created_at: iso(-1),
				updated_at: iso(-1),
				author: STAFF.name
			},
			{
				_id: 'answer:xss',
				type: 'answer',
				kind: 'suggestion',
				title: text(140),
				body: text(4000),
				category: 'autre',
				status: 'accepted',
				answer: markdown.slice(0, 4000),
				place_address: text(200),
				public_name: text(80),
				answered_at: iso(-1),
				submitted_at: iso(-2),
				updated_at: iso(-1)
			}
		]
	});
	// A resident's report full of vectors, through the API like a phone.
	const staff = await staffCookie(app.url, STAFF);
	const [code] = await issueCodes(app.url, staff, ['Famille Piège']);
	const resident = await residentCookie(app.url, code);
	const form = new FormData();
	form.set(
		'payload',
		JSON.stringify({
			outbox_id: 'o-xss-000001',
			kind: 'report',
			title: text(140),
			body: markdown.slice(0, 4000),
			category: 'voirie',
			place: { lat: null, lng: null, address: text(200) },
			public_name: text(80)
		})
	);
	const sent = await fetch(`${app.url}/api/submissions`, {
		method: 'POST',
		headers: { cookie: resident },
		body: form
	});
	expect(sent.status).toBe(201);
});

afterAll(async () => {
	for (const device of devices) await device.close().catch(() => undefined);
	await app?.stop();
});

/** Opens a page and proves no vector ran and nothing executable came out of the content. */
async function expectInert(page: Page, url: string, mustShow: RegExp) {
	const dialogs: string[] = [];
	const onDialog = (dialog: { message(): string; dismiss(): Promise<void> }) => {
		dialogs.push(dialog.message());
		void dialog.dismiss();
	};
	page.on('dialog', onDialog);
	await page.goto(app.url + url);
	// The hostile text is on the page, as text or in an editor's fields.
	await page.waitForFunction(
		(source) => {
			const main = document.querySelector('main');
			const fields = [...(main?.querySelectorAll('input, textarea') ?? [])].map(
				(field) => (field as HTMLInputElement).value
			);
			return [main?.textContent ?? '', ...fields].some((value) => new RegExp(source).test(value));
		},
		mustShow.source,
		{ timeout: 20_000, polling: 200 }
	);
	// Late vectors (a broken image's error, a toggle, a frame's load) have had
	// their turn once the page's resources settled and a frame and a task ran.
	await page.waitForFunction(
		() =>
			document.readyState === 'complete' && [...document.images].every((image) => image.complete),
		undefined,
		{ polling: 100 }
	);
	await page.evaluate(
		() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))
	);
	const found = await page.evaluate(() => {
		const main = document.querySelector('main') ?? document.body;
		return {
			pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
			scripts: main.querySelectorAll('script').length,
			handlers: [...main.querySelectorAll('*')].flatMap((element) =>
				[...element.attributes]
					.filter((attribute) => attribute.name.startsWith('on'))
					.map((attribute) => `${element.tagName}@${attribute.name}`)
			),
			links: [...document.querySelectorAll('[href],[src],[action],[xlink\\:href]')]
				.map(
					(element) =>
						element.getAttribute('href') ??
						element.getAttribute('src') ??
						element.getAttribute('action') ??
						element.getAttribute('xlink:href') ??
						''
				)
				.filter((value) => /^\s*(javascript|data|vbscript):/i.test(value)),
			frames: main.querySelectorAll('iframe, object, embed').length
		};
	});
	page.off('dialog', onDialog);
	expect({ url, ...found, dialogs }).toEqual({
		url,
		pwned: null,
		scripts: 0,
		handlers: [],
		links: [],
		frames: 0,
		dialogs: []
	});
}

describe('an XSS corpus in every writable field', () => {
	it('runs nothing on the villager pages', async () => {
		// Read online: the service worker is not what this checks.
		const phone = await openDevice(PHONE);
		devices.push(phone);
		const { page } = phone;
		const shown = /window\.__pwned=1|lien/;
		for (const url of [
			'/',
			'/avis/xss',
			'/sondages',
			'/sondages/xss',
			'/agenda',
			'/agenda/xss',
			'/participer',
			'/affiche/avis/xss',
			'/affiche/sondages/xss',
			'/affiche/agenda/xss'
		]) {
			await expectInert(page, url, shown);
		}
	});

	it('runs nothing on the staff pages that show residents’ text', async () => {
		const laptop = await openDevice(LAPTOP);
		devices.push(laptop);
		const { page } = laptop;
		await staffLogin(page, app.url, STAFF);
		const shown = /window\.__pwned=1/;
		for (const url of [
			'/mairie',
			'/mairie/signalements',
			'/mairie/signalements/o-xss-000001',
			'/mairie/avis/public/xss',
			'/mairie/sondages/public/xss',
			'/mairie/agenda/public/xss'
		]) {
			await expectInert(page, url, shown);
		}
	});
});
