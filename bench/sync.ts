// First and incremental sync of a villager's phone (issue 7, budgets 3 and 4):
// the app already installed, its replica empty, then the public database
// pulled over an emulated village link. Compared with the physical bound:
// the dataset's gzip-compressed bytes over the link's bandwidth.
import nano from 'nano';
import type { CDPSession, Page } from 'playwright-core';
import { startApp, type TestApp } from '../tests/harness/app.ts';
import { provisionDemo, startCouch, type TestCouch } from '../tests/harness/couch.ts';
import { PHONE, openDevice, replicaDocCount, waitForServiceWorker } from '../tests/e2e/browser.ts';
import {
	corpusDataset,
	fiveYears,
	gzipBytes,
	realisticYear,
	writeDocs,
	type Dataset
} from './sync-data.ts';

export interface Link {
	label: string;
	bitsPerSecond: number;
	rttMs: number;
}

export const LINKS: Link[] = [
	{ label: '400 kbps / 400 ms', bitsPerSecond: 400_000, rttMs: 400 },
	{ label: '1.6 Mbps / 150 ms', bitsPerSecond: 1_600_000, rttMs: 150 }
];

export interface FirstSync {
	dataset: string;
	docs: number;
	link: string;
	ms: number;
	requests: number;
	bytes: number;
	gzipBytes: number;
	boundMs: number;
	/** Until the last byte arrived. */
	lastByteMs: number;
	/** Until the current notices are on the device (the home page complete offline). */
	currentMs: number | null;
}

export interface IncrementalSync {
	link: string;
	newNoticeMs: number;
	newNoticeRequests: number;
	newNoticeBytes: number;
	nothingNewMs: number;
	nothingNewRequests: number;
}

export interface SyncFigures {
	first: FirstSync[];
	incremental: IncrementalSync[];
}

interface Wire {
	requests: number;
	bytes: number;
	firstAt: number | null;
	lastAt: number | null;
}

/**
 * Counts the requests the page makes to the API, their bytes on the wire and
 * when the last byte arrived. Bytes are summed from dataReceived: a streamed
 * body read to its end is reported by Chromium as "aborted", without totals.
 */
function watchWire(cdp: CDPSession) {
	const wire: Wire = { requests: 0, bytes: 0, firstAt: null, lastAt: null };
	const watched = new Set<string>();
	cdp.on('Network.requestWillBeSent', (event) => {
		if (!event.request.url.includes('/api/')) return;
		watched.add(event.requestId);
		wire.requests++;
		wire.firstAt ??= Date.now();
	});
	cdp.on('Network.responseReceived', (event) => {
		if (watched.has(event.requestId)) wire.bytes += event.response.encodedDataLength;
	});
	cdp.on('Network.dataReceived', (event) => {
		if (!watched.has(event.requestId)) return;
		wire.bytes += event.encodedDataLength;
		wire.lastAt = Date.now();
	});
	return {
		wire,
		reset() {
			Object.assign(wire, { requests: 0, bytes: 0, firstAt: null, lastAt: null });
		}
	};
}

async function throttle(cdp: CDPSession, link: Link | null) {
	await cdp.send('Network.emulateNetworkConditions', {
		offline: false,
		latency: link?.rttMs ?? 0,
		downloadThroughput: link ? link.bitsPerSecond / 8 : -1,
		uploadThroughput: link ? link.bitsPerSecond / 8 : -1
	});
}

/** The same triggers the app listens to (ARCHITECTURE §3): the network came back. */
async function triggerSync(page: Page) {
	await page.evaluate(() => window.dispatchEvent(new Event('online')));
}

/** Resolves when every id is in the replica's IndexedDB (pouchdb-adapter-idb's stores). */
async function storedAll(page: Page, ids: string[]): Promise<void> {
	await page.evaluate(async (wanted) => {
		const open = () =>
			new Promise<IDBDatabase | null>((resolve) => {
				const request = indexedDB.open('_pouch_crieur-public');
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => resolve(null);
			});
		const missing = async (db: IDBDatabase) =>
			new Promise<number>((resolve) => {
				const store = db.transaction('document-store').objectStore('document-store');
				let count = 0;
				let left = wanted.length;
				for (const id of wanted) {
					const request = store.count(id);
					request.onsuccess = () => {
						if (request.result === 0) count++;
						if (--left === 0) resolve(count);
					};
				}
			});
		for (;;) {
			const db = await open();
			if (db && db.objectStoreNames.contains('document-store') && (await missing(db)) === 0) {
				db.close();
				return;
			}
			db?.close();
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	}, ids);
}

async function withApp<T>(
	dataset: Dataset,
	run: (app: TestApp, couch: TestCouch) => Promise<T>
): Promise<T> {
	const couch = await startCouch();
	await provisionDemo(couch.adminUrl);
	await writeDocs(couch.adminUrl, 'demo-public', dataset.docs);
	const app = await startApp({ COUCHDB_URL: couch.adminUrl });
	try {
		return await run(app, couch);
	} finally {
		await app.stop();
		await couch.stop();
	}
}

/**
 * A phone that has the app (service worker, shell) but no data yet pulls the
 * whole public database over `link`; when `incremental` is given, it then
 * receives one new notice, and checks once more with nothing new.
 */
async function measureDevice(
	app: TestApp,
	couch: TestCouch,
	dataset: Dataset,
	link: Link,
	incremental: boolean
): Promise<{ first: FirstSync; incremental: IncrementalSync | null }> {
	const phone = await openDevice(PHONE);
	try {
		const { page, context } = phone;
		const cdp = await context.newCDPSession(page);
		await cdp.send('Network.enable');
		// Install the app with its sync blocked, so that the replica starts empty.
		await cdp.send('Network.setBlockedURLs', { urls: ['*/api/sync*'] });
		await page.goto(app.url + '/');
		await waitForServiceWorker(page);
		await page.waitForTimeout(1000);
		await cdp.send('Network.setBlockedURLs', { urls: [] });
		await throttle(cdp, link);
		const watch = watchWire(cdp);

		const started = Date.now();
		const current =
			dataset.currentNotices.length > 0
				? storedAll(page, dataset.currentNotices).then(() => Date.now() - started)
				: Promise.resolve(null);
		await triggerSync(page);
		await page.locator('.sync.syncing').waitFor({ timeout: 30_000 });
		await page.locator('.sync.idle').waitFor({ timeout: 600_000 });
		const ms = Date.now() - started;
		const currentMs = await current;
		const stored = await replicaDocCount(page);
		if (stored < dataset.docs.length) {
			throw new Error(`only ${stored} of ${dataset.docs.length} documents stored`);
		}
		const gzip = gzipBytes(dataset.docs);
		const first: FirstSync = {
			dataset: dataset.label,
			docs: dataset.docs.length,
			link: link.label,
			ms,
			requests: watch.wire.requests,
			bytes: watch.wire.bytes,
			gzipBytes: gzip,
			boundMs: Math.round((gzip * 8 * 1000) / link.bitsPerSecond),
			lastByteMs: (watch.wire.lastAt ?? started) - started,
			currentMs
		};
		if (!incremental) return { first, incremental: null };

		// One new notice (1.3 kB, as in the reference measurement) while the app is open.
		const title = `Coupure d'eau rue des Écoles ${link.rttMs}`;
		await nano(couch.adminUrl)
			.use('demo-public')
			.insert({
				_id: `notice:nouvel-avis-${link.rttMs}`,
				type: 'notice',
				title,
				body: 'Une coupure d’eau est prévue '.repeat(40).trim(),
				category: 'alerte',
				urgent: true,
				published_at: new Date(Date.now() - 60_000).toISOString(),
				expires_at: new Date(Date.now() + 86_400_000).toISOString(),
				created_at: new Date().toISOString(),
				updated_at: new Date().toISOString(),
				author: 'Secrétariat de mairie'
			} as never);
		watch.reset();
		const newStarted = Date.now();
		await triggerSync(page);
		await page.getByText(title).first().waitFor({ timeout: 60_000 });
		const newNoticeMs = Date.now() - newStarted;
		await page.locator('.sync.idle').waitFor();
		await page.waitForTimeout(500);
		const newNotice = { ...watch.wire };

		watch.reset();
		const idleStarted = Date.now();
		await triggerSync(page);
		await page.waitForFunction(() => document.querySelector('.sync.idle'), null, {
			polling: 20
		});
		// The check is done when its one response has arrived.
		for (let i = 0; i < 200 && watch.wire.lastAt === null; i++) await page.waitForTimeout(20);
		const nothingNewMs = (watch.wire.lastAt ?? Date.now()) - idleStarted;
		await page.waitForTimeout(1000);
		return {
			first,
			incremental: {
				link: link.label,
				newNoticeMs,
				newNoticeRequests: newNotice.requests,
				newNoticeBytes: newNotice.bytes,
				nothingNewMs,
				nothingNewRequests: watch.wire.requests
			}
		};
	} finally {
		await phone.close();
	}
}

export async function measureSync(): Promise<SyncFigures> {
	const figures: SyncFigures = { first: [], incremental: [] };
	for (const dataset of [realisticYear(), corpusDataset()]) {
		await withApp(dataset, async (app, couch) => {
			for (const link of LINKS) {
				const result = await measureDevice(app, couch, dataset, link, dataset.docs.length < 1000);
				figures.first.push(result.first);
				if (result.incremental) figures.incremental.push(result.incremental);
			}
		});
	}
	const history = fiveYears();
	await withApp(history, async (app, couch) => {
		const result = await measureDevice(app, couch, history, LINKS[0], false);
		figures.first.push(result.first);
	});
	return figures;
}

export function printSync(figures: SyncFigures) {
	const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
	const kB = (bytes: number) => `${(bytes / 1000).toFixed(0)} kB`;
	console.log('\n## First sync (phone with the app installed, empty replica)\n');
	console.log(
		'| dataset | link | stored and shown | last byte | requests | bytes on the wire | gzip bound | time / bound | current notices stored |'
	);
	console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
	for (const row of figures.first) {
		const ratio = row.ms / row.boundMs;
		console.log(
			`| ${row.dataset}, ${row.docs} docs | ${row.link} | ${s(row.ms)} | ${s(row.lastByteMs)} | ${row.requests} | ${kB(row.bytes)} | ${s(row.boundMs)} (${kB(row.gzipBytes)}) | ${ratio.toFixed(2)}× ${ratio <= 1.3 ? '— within 1.3×' : '— OVER 1.3×'} | ${row.currentMs === null ? '' : s(row.currentMs)} |`
		);
	}
	console.log('\n## Incremental sync (app open, replica up to date)\n');
	console.log(
		'| link | one new notice: until shown | requests | bytes | nothing new: until answered | requests |'
	);
	console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
	for (const row of figures.incremental) {
		console.log(
			`| ${row.link} | ${row.newNoticeMs} ms | ${row.newNoticeRequests} | ${kB(row.newNoticeBytes)} | ${row.nothingNewMs} ms | ${row.nothingNewRequests} |`
		);
	}
}

if (import.meta.url === `file://${process.argv[1]}`) {
	printSync(await measureSync());
}
