// Server load (issue 7, budget 5): 2,000 villagers' phones syncing every five
// minutes, then 500 phones syncing at once after an urgent alert, against the
// app and its store with a realistic year of data: the embedded store, or
// Apache CouchDB 3.5.2 (`node bench/load.ts couchdb`). autocannon drives the
// same request the app makes (/api/sync, NDJSON, gzip); memory is the
// resident size of the app and of the store's processes, sampled.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { launchEmbeddedCouch } from '../couch/embedded/launch.ts';
import { demoStaffLogin, startApp, type TestApp } from '../tests/harness/app.ts';
import { provisionDemo, STAFF } from '../tests/harness/couch.ts';
import { startStore, type StoreKind } from '../tests/harness/store.ts';
import { realisticYear, writeDocs } from './sync-data.ts';

const VILLAGERS = 2000;
const SYNC_PERIOD_S = 300;
const STEADY_S = 60;
const BURST = 500;

export interface LoadRun {
	label: string;
	requests: number;
	perSecond: number;
	p50: number;
	p99: number;
	max: number;
	errors: number;
	non2xx: number;
	timeouts: number;
	kBytes: number;
}

export interface LoadFigures {
	store: StoreKind;
	runs: LoadRun[];
	/** Peak of the two processes together, and of each (app server, embedded store). */
	peakMB: number;
	peakAppMB: number;
	peakStoreMB: number;
	restMB: number;
}

/** Processes found by pgrep (-P: children of a pid; -f: naming a folder). */
export function pgrep(...args: string[]): number[] {
	try {
		return execFileSync('pgrep', args, { encoding: 'utf8' })
			.trim()
			.split('\n')
			.filter(Boolean)
			.map(Number);
	} catch {
		// pgrep exits 1 when nothing matches (the store has stopped).
		return [];
	}
}

interface LoadedApp {
	app: TestApp;
	/** The store's processes: the embedded store is the app's child, CouchDB runs apart. */
	storePids(): number[];
	staff: { name: string; password: string };
	stop(): Promise<void>;
}

/** A process's proportional set size in MB (the Node binary two processes map counts once); 0 once it ended. */
export function pssMB(pid: number): number {
	try {
		const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
		return Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) / 1024;
	} catch {
		// The process ended between the listing and the read.
		return 0;
	}
}

/** Memory of the app and of the store, in MB. */
function memoryMB(loaded: LoadedApp): { app: number; store: number } {
	const children = loaded.storePids();
	return { app: pssMB(loaded.app.pid), store: children.reduce((sum, id) => sum + pssMB(id), 0) };
}

/** The app on its store, filled with a year of a commune as its admin would. */
async function startLoadedApp(store: StoreKind): Promise<LoadedApp> {
	if (store === 'couchdb') {
		const couch = await startStore('couchdb');
		await provisionDemo(couch.adminUrl);
		await writeDocs(couch.adminUrl, 'demo-public', realisticYear().docs);
		const app = await startApp({ COUCHDB_URL: couch.adminUrl });
		return {
			app,
			storePids: () => pgrep('-f', couch.dir),
			staff: STAFF,
			stop: async () => {
				await app.stop();
				await couch.stop();
				fs.rmSync(app.dataDir, { recursive: true, force: true });
			}
		};
	}
	const first = await startApp();
	await first.stop();
	const secrets = JSON.parse(fs.readFileSync(path.join(first.dataDir, 'secrets.json'), 'utf8'));
	const couch = await launchEmbeddedCouch({
		dir: path.join(first.dataDir, 'couch'),
		admin: secrets.couchAdmin,
		password: secrets.couchPassword,
		cookieSecret: secrets.cookieSecret,
		log: () => {}
	});
	await writeDocs(couch.adminUrl, 'demo-public', realisticYear().docs);
	await couch.stop();
	const app = await startApp({ DATA_DIR: first.dataDir });
	return {
		app,
		storePids: () => pgrep('-P', String(app.pid)),
		staff: demoStaffLogin(app.dataDir),
		stop: async () => {
			await app.stop();
			fs.rmSync(app.dataDir, { recursive: true, force: true });
		}
	};
}

interface SyncPage {
	docs: unknown[];
	last_seq: string;
	more: boolean;
}

/**
 * The checkpoint of a phone that has all but the last `missing` changes
 * (opaque on CouchDB), read through `page` (`/api/sync?since=&limit=` as JSON).
 */
export async function syncCheckpoint(
	page: (since: string, limit: number) => Promise<SyncPage>,
	missing = 0
): Promise<string> {
	let since = '0';
	let changes = 0;
	for (;;) {
		const next = await page(since, 1000);
		changes += next.docs.length;
		since = next.last_seq;
		if (!next.more) break;
	}
	return missing === 0 ? since : (await page('0', changes - missing)).last_seq;
}

function checkpoint(app: TestApp, missing = 0): Promise<string> {
	return syncCheckpoint(
		async (since, limit) =>
			(await (await fetch(`${app.url}/api/sync?since=${since}&limit=${limit}`)).json()) as SyncPage,
		missing
	);
}

const HEADERS = { accept: 'application/x-ndjson', 'accept-encoding': 'gzip' };

function summary(label: string, result: autocannon.Result): LoadRun {
	return {
		label,
		requests: result.requests.total,
		perSecond: result.requests.average,
		p50: result.latency.p50,
		p99: result.latency.p99,
		max: result.latency.max,
		errors: result.errors,
		non2xx: result.non2xx,
		timeouts: result.timeouts,
		kBytes: result.throughput.total / 1000
	};
}

export async function measureLoad(store: StoreKind = 'embedded'): Promise<LoadFigures> {
	const loaded = await startLoadedApp(store);
	const { app } = loaded;
	const peak = { total: 0, app: 0, store: 0 };
	const sample = () => {
		const now = memoryMB(loaded);
		peak.total = Math.max(peak.total, now.app + now.store);
		peak.app = Math.max(peak.app, now.app);
		peak.store = Math.max(peak.store, now.store);
		return now;
	};
	const sampler = setInterval(sample, 100);
	try {
		const upToDate = await checkpoint(app);
		// A day's worth of changes behind: the phone was off since yesterday.
		const behind = await checkpoint(app, 3);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		const rest = memoryMB(loaded);
		const runs: LoadRun[] = [];

		// 2,000 phones every five minutes: mostly nothing new, some a day behind;
		// alongside, one in a hundred is a new phone downloading everything.
		const rate = VILLAGERS / SYNC_PERIOD_S;
		const [steady, newPhones] = await Promise.all([
			autocannon({
				url: app.url,
				connections: 50,
				overallRate: rate * 0.99,
				duration: STEADY_S,
				requests: [
					{
						method: 'GET',
						headers: HEADERS,
						setupRequest: (request) => ({
							...request,
							path: `/api/sync?since=${Math.random() < 0.05 ? behind : upToDate}`
						})
					}
				]
			}),
			newPhonesDownloading(app, Math.round(rate * 0.01 * STEADY_S), STEADY_S)
		]);
		runs.push(summary(`steady: ${VILLAGERS} phones every 5 min, syncing (${STEADY_S} s)`, steady));
		runs.push(newPhones);

		// The mairie publishes an urgent alert; 500 phones open the app at once.
		const alertSince = await checkpoint(app);
		await writeAlert(app, loaded.staff);
		const burst = await autocannon({
			url: app.url,
			connections: BURST,
			amount: BURST,
			timeout: 30,
			requests: [{ method: 'GET', headers: HEADERS, path: `/api/sync?since=${alertSince}` }]
		});
		runs.push(summary(`burst: ${BURST} phones at once after an urgent alert`, burst));

		// Headroom: as many syncs as the server answers with 100 phones always asking.
		const saturated = await autocannon({
			url: app.url,
			connections: 100,
			duration: 20,
			requests: [{ method: 'GET', headers: HEADERS, path: `/api/sync?since=${upToDate}` }]
		});
		runs.push(summary('headroom: 100 phones asking without pause (20 s)', saturated));
		sample();
		return {
			store,
			runs,
			peakMB: peak.total,
			peakAppMB: peak.app,
			peakStoreMB: peak.store,
			restMB: rest.app + rest.store
		};
	} finally {
		clearInterval(sampler);
		await loaded.stop();
	}
}

/** New phones, evenly spread over the run, each reading the whole streamed feed. */
async function newPhonesDownloading(
	app: TestApp,
	count: number,
	seconds: number
): Promise<LoadRun> {
	const times: number[] = [];
	let bytes = 0;
	let failures = 0;
	await Promise.all(
		Array.from({ length: count }, async (_, index) => {
			await new Promise((resolve) => setTimeout(resolve, ((index + 0.5) * seconds * 1000) / count));
			const started = performance.now();
			try {
				const response = await fetch(`${app.url}/api/sync?since=0`, { headers: HEADERS });
				bytes += (await response.arrayBuffer()).byteLength;
				if (!response.ok) failures++;
			} catch {
				failures++;
			}
			times.push(performance.now() - started);
		})
	);
	times.sort((a, b) => a - b);
	const at = (q: number) =>
		Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]);
	return {
		label: `steady: meanwhile, ${count} new phones downloading the whole year`,
		requests: count,
		perSecond: count / seconds,
		p50: at(0.5),
		p99: at(0.99),
		max: at(1),
		errors: failures,
		non2xx: 0,
		timeouts: 0,
		kBytes: bytes / 1000
	};
}

/** The urgent notice both load benchmarks publish. */
export function stormAlert(author: string, now = new Date()) {
	return {
		type: 'notice',
		title: 'Alerte orage : vigilance orange cette nuit',
		body: 'Rentrez le mobilier de jardin et évitez les déplacements.',
		category: 'alerte',
		urgent: true,
		published_at: now.toISOString(),
		expires_at: new Date(now.getTime() + 86_400_000).toISOString(),
		created_at: now.toISOString(),
		updated_at: now.toISOString(),
		author
	};
}

/** An urgent notice, published by the staff through the app as on a laptop. */
async function writeAlert(app: TestApp, login: { name: string; password: string }) {
	const session = await fetch(`${app.url}/db/_session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(login)
	});
	const cookie = session.headers.getSetCookie()[0].split(';')[0];
	const response = await fetch(`${app.url}/db/demo-public/notice:alerte-orage`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify(stormAlert(login.name))
	});
	if (response.status !== 201) throw new Error(`alert refused: ${await response.text()}`);
}

export function printLoad(figures: LoadFigures) {
	const store = figures.store === 'couchdb' ? 'Apache CouchDB 3.5.2' : 'embedded store';
	console.log(`\n## Server load (app on its ${store}, /api/sync as the app asks it)\n`);
	console.log('| run | requests | per second | p50 | p99 | max | errors | non-2xx | timeouts |');
	console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
	for (const run of figures.runs) {
		console.log(
			`| ${run.label} | ${run.requests} | ${run.perSecond.toFixed(1)} | ${run.p50} ms | ${run.p99} ms | ${run.max} ms | ${run.errors} | ${run.non2xx} | ${run.timeouts} |`
		);
	}
	console.log(
		`\nMemory (app + ${store}, proportional set size): ${figures.restMB.toFixed(0)} MB at rest, peak ${figures.peakMB.toFixed(0)} MB (app ${figures.peakAppMB.toFixed(0)} MB, store ${figures.peakStoreMB.toFixed(0)} MB); budget 300 MB — ${figures.peakMB <= 300 ? 'within' : 'OVER'}.`
	);
}

if (import.meta.url === `file://${process.argv[1]}`) {
	printLoad(await measureLoad((process.argv[2] ?? 'embedded') as StoreKind));
}
