// Many communes on one deployment (issue 15 §5): 100 communes × 1,000
// villagers syncing every five minutes, then a burst of 200 phones in one
// commune after its urgent alert, against two app processes in front of a
// 3-node Apache CouchDB 3.5.2 cluster on this machine — each app process on
// its own node, as a host would place one beside each. Each commune has a
// year of notices and is reached by its own host name. Budget: p99 < 1 s, no
// error. `node bench/communes.ts [communes]`.
import autocannon from 'autocannon';
import nano from 'nano';
import { provisionCommune } from '../couch/provision.ts';
import { rawRequest } from '../tests/harness/api.ts';
import { startApp, type TestApp } from '../tests/harness/app.ts';
import { startCluster } from '../tests/harness/store.ts';
import { realisticYear, writeDocs } from './sync-data.ts';
import { pgrep, pssMB, stormAlert, syncCheckpoint, type LoadRun } from './load.ts';

const COMMUNES = Number(process.argv[2] ?? 100);
const VILLAGERS_EACH = 1000;
const SYNC_PERIOD_S = 300;
const STEADY_S = 60;
const BURST = 200;
const HEADERS = { accept: 'application/x-ndjson', 'accept-encoding': 'gzip' };

/** Runs `task` over `items`, `width` at a time; each worker knows its number. */
async function inParallel<T>(
	items: T[],
	width: number,
	task: (item: T, worker: number) => Promise<void>
): Promise<void> {
	let next = 0;
	await Promise.all(
		Array.from({ length: width }, async (_, worker) => {
			while (next < items.length) await task(items[next++], worker);
		})
	);
}

const begun = performance.now();
/** On stderr, so that a long run shows where it is and stdout keeps only the figures. */
const progress = (what: string) =>
	console.error(`[${((performance.now() - begun) / 1000).toFixed(0)} s] ${what}`);

const slugOf = (index: number) => `c${String(index + 1).padStart(3, '0')}`;
const hostOf = (slug: string) => `${slug}.bench.localhost`;

/** A phone's checkpoint on one commune: all of it, or all but the last `missing` changes. */
function checkpoint(app: TestApp, host: string, missing = 0): Promise<string> {
	return syncCheckpoint(async (since, limit) => {
		const answer = await rawRequest(app.url, 'GET', `/api/sync?since=${since}&limit=${limit}`, {
			headers: { host }
		});
		if (answer.status !== 200) throw new Error(`${host}: ${answer.status} ${answer.text}`);
		return JSON.parse(answer.text);
	}, missing);
}

function summary(label: string, results: autocannon.Result[]): LoadRun {
	// Two load generators, one per app process: counts add up, latencies are the worse of the two.
	const sum = (pick: (result: autocannon.Result) => number) =>
		results.reduce((total, result) => total + pick(result), 0);
	const worst = (pick: (result: autocannon.Result) => number) => Math.max(...results.map(pick));
	return {
		label,
		requests: sum((result) => result.requests.total),
		perSecond: sum((result) => result.requests.average),
		p50: worst((result) => result.latency.p50),
		p99: worst((result) => result.latency.p99),
		max: worst((result) => result.latency.max),
		errors: sum((result) => result.errors),
		non2xx: sum((result) => result.non2xx),
		timeouts: sum((result) => result.timeouts),
		kBytes: sum((result) => result.throughput.total) / 1000
	};
}

const cluster = await startCluster(3, { production: true });
const apps: TestApp[] = [];
try {
	const started = performance.now();
	const year = realisticYear().docs;
	const slugs = Array.from({ length: COMMUNES }, (_, index) => slugOf(index));
	// Four at a time, each through another node, as the cluster would be fed; listing
	// a commune's host names goes one at a time (each checks the others').
	let provisioned = 0;
	let listing = Promise.resolve();
	await inParallel(slugs, 4, async (slug, worker) => {
		const adminUrl = cluster.adminUrls[worker % cluster.adminUrls.length];
		const listed = listing.then(() =>
			provisionCommune(adminUrl, { slug, name: `Commune ${slug}`, hosts: [hostOf(slug)] })
		);
		listing = listed.then(() => undefined);
		await listed;
		await writeDocs(adminUrl, `${slug}-public`, year);
		if (++provisioned % 10 === 0) progress(`${provisioned}/${COMMUNES} communes provisioned`);
	});
	const provisionedS = (performance.now() - started) / 1000;
	const env = {
		COMMUNE: slugs[0],
		COMMUNE_NAME: `Commune ${slugs[0]}`,
		ORIGIN: '',
		CRIEUR_BALLOT_SECRET: 'bench-ballot-secret-of-one-deployment'
	};
	for (const url of cluster.adminUrls.slice(0, 2))
		apps.push(await startApp({ ...env, COUCHDB_URL: url }));
	progress('two app processes started');

	const upToDate = new Map<string, string>();
	const behind = new Map<string, string>();
	for (const slug of slugs) {
		upToDate.set(slug, await checkpoint(apps[0], hostOf(slug)));
		behind.set(slug, await checkpoint(apps[0], hostOf(slug), 3));
	}
	progress('checkpoints read; steady load');
	const peak = new Map<number, number>();
	const sampler = setInterval(() => {
		for (const app of apps) peak.set(app.pid, Math.max(peak.get(app.pid) ?? 0, pssMB(app.pid)));
	}, 200);

	// 100,000 phones every five minutes, spread over the two app processes.
	const rate = (COMMUNES * VILLAGERS_EACH) / SYNC_PERIOD_S;
	const steady = await Promise.all(
		apps.map((app) =>
			autocannon({
				url: app.url,
				connections: 100,
				overallRate: rate / apps.length,
				duration: STEADY_S,
				timeout: 10,
				requests: [
					{
						method: 'GET',
						setupRequest: (request) => {
							const slug = slugs[Math.floor(Math.random() * slugs.length)];
							const since = (Math.random() < 0.05 ? behind : upToDate).get(slug);
							return {
								...request,
								headers: { ...HEADERS, host: hostOf(slug) },
								path: `/api/sync?since=${since}`
							};
						}
					}
				]
			})
		)
	);

	progress('burst');
	// One commune's urgent alert; 200 of its phones open the app at once.
	const alerted = slugs[Math.floor(slugs.length / 2)];
	const alertSince = await checkpoint(apps[0], hostOf(alerted));
	await nano(cluster.adminUrls[0])
		.use(`${alerted}-public`)
		.insert({ _id: 'notice:alerte-orage', ...stormAlert('bench') } as never);
	const burst = await Promise.all(
		apps.map((app) =>
			autocannon({
				url: app.url,
				connections: BURST / apps.length,
				amount: BURST / apps.length,
				timeout: 30,
				requests: [
					{
						method: 'GET',
						headers: { ...HEADERS, host: hostOf(alerted) },
						path: `/api/sync?since=${alertSince}`
					}
				]
			})
		)
	);
	clearInterval(sampler);
	const couchMB = pgrep('-f', cluster.dir).reduce((total, pid) => total + pssMB(pid), 0);

	const runs = [
		summary(
			`steady: ${COMMUNES} communes × ${VILLAGERS_EACH} phones every 5 min (${STEADY_S} s)`,
			steady
		),
		summary(`burst: ${BURST} phones of one commune at once after its alert`, burst)
	];
	console.log(
		`\n## ${COMMUNES} communes, two app processes, a 3-node Apache CouchDB 3.5.2 cluster\n`
	);
	console.log(
		`Provisioned ${COMMUNES} communes with a year of notices each (${year.length} documents) in ${provisionedS.toFixed(0)} s.\n`
	);
	console.log('| run | requests | per second | p50 | p99 | max | errors | non-2xx | timeouts |');
	console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
	for (const line of runs) {
		console.log(
			`| ${line.label} | ${line.requests} | ${line.perSecond.toFixed(1)} | ${line.p50} ms | ${line.p99} ms | ${line.max} ms | ${line.errors} | ${line.non2xx} | ${line.timeouts} |`
		);
	}
	const within = runs.every(
		(line) => line.p99 < 1000 && line.errors + line.non2xx + line.timeouts === 0
	);
	console.log(
		`\nBudget p99 < 1 s, no error: ${within ? 'within' : 'OVER'}. Peak memory per app process (PSS): ${[
			...peak.values()
		]
			.map((mb) => `${mb.toFixed(0)} MB`)
			.join(', ')}; the three CouchDB nodes together: ${couchMB.toFixed(0)} MB.`
	);
} finally {
	for (const app of apps) await app.stop();
	await cluster.stop();
}
