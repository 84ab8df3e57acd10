import net from 'node:net';
import { Transform } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../harness/ports.ts';
import { corpusHistory, writeDocs } from '../../bench/sync-data.ts';
import { startApp, type TestApp } from '../harness/app.ts';
import { provisionDemo } from '../harness/couch.ts';
import { startStore, type TestStore } from '../harness/store.ts';
import {
	PHONE,
	openDevice,
	replicaDocCount,
	waitForServiceWorker,
	type Device
} from '../e2e/browser.ts';

/**
 * The streamed first sync (one response for the whole history) cut again and
 * again on a slow link: every page stored before a cut stays, each new
 * request starts from the last checkpoint, and the replica ends complete.
 * The link is a TCP relay between the phone and the app that slows the
 * answers and can drop every connection: Chromium's own throttling receives
 * the whole response at once and only delays handing it over, so neither its
 * offline mode nor killing the server would cut a stream already sent.
 */
let couch: TestStore;
let app: TestApp;
let phone: Device;
let link: VillageLink;

interface VillageLink {
	url: string;
	bytesPerSecond: number;
	cut(): void;
	close(): Promise<void>;
}

async function villageLink(targetPort: number): Promise<VillageLink> {
	const sockets = new Set<net.Socket>();
	const state = { bytesPerSecond: Infinity };
	const slow = () =>
		new Transform({
			transform(chunk: Buffer, _encoding, done) {
				const wait = (chunk.length / state.bytesPerSecond) * 1000;
				if (!Number.isFinite(wait)) return done(null, chunk);
				setTimeout(() => done(null, chunk), wait);
			}
		});
	const server = net.createServer((client) => {
		const upstream = net.connect(targetPort, '127.0.0.1');
		for (const socket of [client, upstream]) {
			sockets.add(socket);
			socket.on('close', () => sockets.delete(socket));
			socket.on('error', () => undefined);
		}
		client.on('close', () => upstream.destroy());
		// The app closes an idle kept-alive socket after 5 s: what the relay still
		// holds must reach the phone first (pipe ends the client once flushed).
		upstream.on('error', () => client.destroy());
		client.pipe(upstream);
		upstream.pipe(slow()).pipe(client);
	});
	const port = await freePort();
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${port}`,
		get bytesPerSecond() {
			return state.bytesPerSecond;
		},
		set bytesPerSecond(value: number) {
			state.bytesPerSecond = value;
		},
		cut() {
			for (const socket of sockets) socket.destroy();
		},
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			})
	};
}
const history = corpusHistory().slice(0, 1200);

const storedCount = () => replicaDocCount(phone.page);

beforeAll(async () => {
	couch = await startStore();
	await provisionDemo(couch.adminUrl);
	await writeDocs(couch.adminUrl, 'demo-public', history);
	app = await startApp({ COUCHDB_URL: couch.adminUrl });
	link = await villageLink(Number(new URL(app.url).port));
	// Installed, then offline: the archive is read from the replica through the service worker.
	phone = await openDevice(PHONE, { serviceWorker: true });
});

afterAll(async () => {
	await phone?.close().catch(() => undefined);
	await link?.close();
	await app?.stop();
	await couch?.stop();
});

describe('a first sync cut mid-stream', () => {
	it('keeps what arrived, resumes from its checkpoint, and ends complete', async () => {
		const { page, context } = phone;
		const cdp = await context.newCDPSession(page);
		await cdp.send('Network.enable');
		// Installed with its sync blocked: the replica starts empty.
		await cdp.send('Network.setBlockedURLs', { urls: ['*/api/sync*'] });
		await page.goto(link.url + '/');
		await waitForServiceWorker(page);
		await cdp.send('Network.setBlockedURLs', { urls: [] });
		const asked: string[] = [];
		page.on('request', (request) => {
			if (request.url().includes('/api/sync')) {
				asked.push(new URL(request.url()).searchParams.get('since') ?? '');
			}
		});
		// A poor village link: the 1,200 notices take about twenty seconds to arrive.
		link.bytesPerSecond = 25_000;

		const counts: number[] = [];
		for (let cut = 0; cut < 3; cut++) {
			await page.evaluate(() => window.dispatchEvent(new Event('online')));
			const before = await storedCount();
			await expect
				.poll(storedCount, { timeout: 60_000, interval: 100 })
				.toBeGreaterThan(before + 100);
			link.cut();
			// The pull has given up (it retries in 5 s): what it stored is final.
			await page.locator('.sync:not(.syncing)').waitFor();
			counts.push(await storedCount());
		}
		// Cut three times, the phone never lost what it had stored.
		expect(counts[1]).toBeGreaterThan(counts[0]);
		expect(counts[2]).toBeGreaterThan(counts[1]);
		expect(counts[2]).toBeLessThan(history.length);

		await page.evaluate(() => window.dispatchEvent(new Event('online')));
		await expect
			.poll(storedCount, { timeout: 90_000, interval: 250 })
			.toBeGreaterThanOrEqual(history.length + 1);
		await page.locator('.sync.idle').waitFor({ timeout: 30_000 });
		// Only the very first request started from nothing; later ones resumed.
		expect(asked[0]).toBe('0');
		expect(asked.slice(1).filter((since) => since === '0')).toEqual([]);
		expect(new Set(asked).size).toBeGreaterThanOrEqual(3);

		// The archive, read from the replica offline, starts with the latest expired notice.
		const latest = history
			.filter((doc) => doc.type === 'notice')
			.sort((a, b) => String(b.expires_at).localeCompare(String(a.expires_at)))[0];
		await context.setOffline(true);
		await page.goto(link.url + '/archives');
		await page
			.locator('main')
			.getByText(latest.title as string)
			.first()
			.waitFor({ timeout: 20_000 });
	});
});
