// Ballots accepted per second on this machine, with an exact tally, and the
// bytes a device sends per ballot. The app runs as on a host: production build
// in front of a CouchDB-protocol server, the embedded stand-in or Apache
// CouchDB 3.5.2 (`node bench/ballots.ts couchdb`), hashing codes as in production.
import nano from 'nano';
import { issueResidents } from '../tests/harness/api.ts';
import { startApp } from '../tests/harness/app.ts';
import { provisionDemo, STAFF } from '../tests/harness/couch.ts';
import { startStore, type StoreKind } from '../tests/harness/store.ts';
import { pollFactory } from '../tests/factories.ts';

export interface BallotFigures {
	store: StoreKind;
	/** Issuing the codes, per code (the store hashes each as a password). */
	issueMsPerCode: number;
	/** A resident's first session from their code, per resident. */
	sessionMsPerCode: number;
	ballots: number;
	concurrency: number;
	seconds: number;
	perSecond: number;
	tallyExact: boolean;
	tallySeconds: number;
	requestBytes: number;
	bodyBytes: number;
	responseBytes: number;
}

/** Apache CouchDB's own password hashing (the test harness lowers it for speed). */
const PRODUCTION_ITERATIONS = '600000';

export async function measureBallots(
	count = 300,
	concurrency = 20,
	store: StoreKind = 'embedded'
): Promise<BallotFigures> {
	const server = await startStore(store);
	if (store === 'couchdb') {
		const admin = new URL(server.adminUrl);
		const config = await fetch(`${server.url}/_node/_local/_config/chttpd_auth/iterations`, {
			method: 'PUT',
			headers: {
				authorization: `Basic ${btoa(`${admin.username}:${admin.password}`)}`
			},
			body: JSON.stringify(PRODUCTION_ITERATIONS)
		});
		if (!config.ok) throw new Error(`CouchDB config: ${config.status}`);
	}
	await provisionDemo(server.adminUrl);
	const app = await startApp({ COUCHDB_URL: server.adminUrl, ADDRESS_HEADER: 'x-forwarded-for' });
	try {
		const login = await fetch(`${app.url}/db/_session`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(STAFF)
		});
		const staffCookie = login.headers.getSetCookie()[0].split(';')[0];
		const issuing = performance.now();
		const residents = await issueResidents(
			app.url,
			staffCookie,
			Array.from({ length: count }, () => '')
		);
		const issueMsPerCode = (performance.now() - issuing) / count;
		const opening = performance.now();
		const cookies: string[] = [];
		for (const [i, resident] of residents.entries()) {
			const session = await fetch(`${app.url}/api/habitants/session`, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'x-forwarded-for': `10.1.${i >> 8}.${i & 255}`
				},
				body: JSON.stringify({ code: resident.code })
			});
			cookies.push(session.headers.getSetCookie()[0].split(';')[0]);
		}
		const sessionMsPerCode = (performance.now() - opening) / count;
		const poll = pollFactory({
			opens_at: new Date(Date.now() - 60_000).toISOString(),
			closes_at: new Date(Date.now() + 3_600_000).toISOString()
		});
		await nano(server.adminUrl)
			.use('demo-public')
			.insert(poll as never);

		const options = ['oui', 'non', 'sans-avis'];
		const expected: Record<string, number> = { oui: 0, non: 0, 'sans-avis': 0 };
		const bodies = cookies.map((_, i) => {
			expected[options[i % 3]]++;
			return JSON.stringify({
				outbox_id: `o-${Date.now().toString(36)}-${String(i).padStart(6, '0')}`,
				poll: poll._id,
				choices: [options[i % 3]]
			});
		});
		let responseBytes = 0;
		const started = performance.now();
		let next = 0;
		await Promise.all(
			Array.from({ length: concurrency }, async () => {
				while (next < bodies.length) {
					const i = next++;
					const response = await fetch(`${app.url}/api/ballots`, {
						method: 'POST',
						headers: { 'content-type': 'application/json', cookie: cookies[i] },
						body: bodies[i]
					});
					const text = await response.text();
					if (response.status !== 201) throw new Error(`ballot ${i}: ${response.status} ${text}`);
					if (i === 0) responseBytes = text.length;
				}
			})
		);
		const seconds = (performance.now() - started) / 1000;

		let tally: { total?: number; counts?: Record<string, number>; state?: string } = {};
		const waitFor = async (done: () => boolean) => {
			const from = performance.now();
			while (performance.now() - from < 60_000) {
				const response = await fetch(
					`${app.url}/db/demo-public/${encodeURIComponent(`tally:${poll._id.slice(5)}`)}`
				);
				tally = response.ok ? await response.json() : {};
				if (done()) return;
				await new Promise((r) => setTimeout(r, 100));
			}
		};
		// Live figures move in batches of 5 ballots (issue 13): caught up means within one batch.
		await waitFor(() => (tally.total ?? 0) > count - 5);
		const tallySeconds = (performance.now() - started) / 1000;
		// Exact at closing (the job looks for closings every 15 s).
		const publicDb = nano(server.adminUrl).use('demo-public');
		await publicDb.insert({
			...(await publicDb.get(poll._id)),
			closes_at: new Date(Date.now() + 1000).toISOString()
		} as never);
		await waitFor(() => tally.state === 'final');
		// What a phone sends: request line, the headers a browser adds for this call, and the body.
		const host = new URL(app.url).host;
		const headers = [
			'POST /api/ballots HTTP/1.1',
			`Host: ${host}`,
			'Content-Type: application/json',
			'Accept: application/json',
			`Content-Length: ${bodies[0].length}`,
			`Cookie: ${cookies[0]}`,
			`Origin: http://${host}`,
			'Accept-Encoding: gzip, deflate, br',
			'Accept-Language: fr-FR,fr;q=0.9',
			'User-Agent: Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36'
		].join('\r\n');
		return {
			store,
			issueMsPerCode,
			sessionMsPerCode,
			ballots: count,
			concurrency,
			seconds,
			perSecond: count / seconds,
			tallyExact:
				JSON.stringify(tally.counts) === JSON.stringify(expected) && tally.total === count,
			tallySeconds,
			requestBytes: headers.length + 4 + bodies[0].length,
			bodyBytes: bodies[0].length,
			responseBytes
		};
	} finally {
		await app.stop();
		await server.stop();
	}
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const store = (process.argv[2] ?? 'embedded') as StoreKind;
	console.log(JSON.stringify(await measureBallots(300, 20, store), null, 2));
}
