// Sending a report with one phone photo: how long the phone takes to shrink a
// 12-megapixel photo, how many bytes go up, and how long the send takes on a
// village link, in Debian's Chromium against the production build.
import fs from 'node:fs';
import { demoStaffLogin, startApp } from '../tests/harness/app.ts';
import { PHONE, openDevice, staffLogin } from '../tests/e2e/browser.ts';

export interface ReportFigures {
	originalBytes: number;
	shrinkMs: number;
	requestBytes: number;
	links: { label: string; sendMs: number; boundMs: number }[];
}

const LINKS = [
	{ label: '400 kbps, 400 ms RTT', kbps: 400, rttMs: 400 },
	{ label: '1.6 Mbps, 150 ms RTT', kbps: 1600, rttMs: 150 }
];

export async function measureReport(): Promise<ReportFigures> {
	const app = await startApp();
	const staff = await openDevice();
	const phone = await openDevice(PHONE);
	try {
		// A code, entered on the phone.
		await staffLogin(staff.page, app.url, demoStaffLogin(app.dataDir));
		const code = await staff.page.evaluate(async () => {
			const response = await fetch('/api/mairie/habitants', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ labels: [''] })
			});
			return ((await response.json()) as { residents: { code: string }[] }).residents[0].code;
		});
		const { page, context } = phone;
		await page.goto(`${app.url}/habitant#${code.replace(/-/g, '')}`);
		await page.getByRole('button', { name: 'Valider mon code' }).click();
		await page.getByText('Vous êtes reconnu comme habitant').first().waitFor();

		// A 4000×3000 photo with detail, as a phone camera makes one.
		const photo = Buffer.from(
			(
				await page.evaluate(() => {
					const canvas = document.createElement('canvas');
					canvas.width = 4000;
					canvas.height = 3000;
					const context2d = canvas.getContext('2d')!;
					const image = context2d.createImageData(4000, 3000);
					let seed = 7;
					for (let i = 0; i < image.data.length; i += 4) {
						seed = (seed * 1103515245 + 12345) & 0x7fffffff;
						const x = (i / 4) % 4000;
						image.data[i] = (x / 16 + (seed & 63)) & 255;
						image.data[i + 1] = ((i / 16000) & 255) ^ (seed & 31);
						image.data[i + 2] = 120 + (seed & 63);
						image.data[i + 3] = 255;
					}
					context2d.putImageData(image, 0, 0);
					return canvas.toDataURL('image/jpeg', 0.9);
				})
			).split(',')[1],
			'base64'
		);
		const cdp = await context.newCDPSession(page);
		const links: ReportFigures['links'] = [];
		let shrinkMs = 0;
		let requestBytes = 0;
		for (const [index, link] of LINKS.entries()) {
			await page.goto(`${app.url}/participer`);
			await page.getByLabel('Titre').fill(`Nid-de-poule devant la mairie ${index + 1}`);
			await page.getByLabel('Description').fill('Un trou profond au milieu de la chaussée.');
			await page.getByLabel('Catégorie').selectOption('voirie');
			// The phone's CPU: four times slower than this machine's.
			await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
			const started = Date.now();
			await page
				.locator('#submission-photos')
				.setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: photo });
			await page.getByRole('img', { name: 'Photo 1 de votre envoi' }).waitFor({ timeout: 60_000 });
			if (index === 0) shrinkMs = Date.now() - started;
			await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });

			await cdp.send('Network.enable');
			await cdp.send('Network.emulateNetworkConditions', {
				offline: false,
				latency: link.rttMs,
				downloadThroughput: (link.kbps * 1000) / 8,
				uploadThroughput: (link.kbps * 1000) / 8
			});
			const sendStarted = Date.now();
			await page.getByRole('button', { name: 'Envoyer à la mairie' }).click();
			await page.locator('[data-outbox-state="sent"]').waitFor({ timeout: 120_000 });
			const sendMs = Date.now() - sendStarted;
			// The body as the outbox built it (Playwright cannot see multipart Blob bodies).
			requestBytes = await page.evaluate(async () => {
				const open = indexedDB.open('crieur-device');
				const db = await new Promise<IDBDatabase>((resolve) => {
					open.onsuccess = () => resolve(open.result);
				});
				const read = db.transaction('outbox').objectStore('outbox').getAll();
				const items = await new Promise<
					{ id: string; kind: string; created_at: string; body: object; files?: Blob[] }[]
				>((resolve) => {
					read.onsuccess = () => resolve(read.result);
				});
				const item = items
					.filter((candidate) => candidate.kind === 'submission')
					.sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
				const form = new FormData();
				form.set('payload', JSON.stringify({ ...item.body, outbox_id: item.id }));
				for (const file of item.files ?? []) form.append('photo', file);
				return (await new Response(form).arrayBuffer()).byteLength;
			});
			await cdp.send('Network.emulateNetworkConditions', {
				offline: false,
				latency: 0,
				downloadThroughput: -1,
				uploadThroughput: -1
			});
			// Physical bound: the bytes over the link, plus one round trip.
			const boundMs = (requestBytes * 8) / link.kbps + link.rttMs;
			links.push({ label: link.label, sendMs, boundMs });
		}
		return { originalBytes: photo.length, shrinkMs, requestBytes, links };
	} finally {
		await phone.close();
		await staff.close();
		await app.stop();
		fs.rmSync(app.dataDir, { recursive: true, force: true });
	}
}
