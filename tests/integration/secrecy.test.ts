import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nano from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionCommune } from '../../couch/provision.ts';
import { dayOf } from '../../src/lib/domain/event.ts';
import type { Tally } from '../../src/lib/domain/tally.ts';
import type { Backend } from '../../src/lib/server/backend.ts';
import { runTally } from '../../src/lib/server/jobs/tally.ts';
import { coarsenFirstUses } from '../../src/lib/server/residents.ts';
import { answerFactory, pollFactory } from '../factories.ts';
import { issueResidents } from '../harness/api.ts';
import { startApp, type TestApp } from '../harness/app.ts';
import { basic, provisionDemo, STAFF, USERS } from '../harness/couch.ts';
import { startStore, type TestStore } from '../harness/store.ts';
import { earlierVersionLeaks, PouchDB, replicatedLeaks } from './earlier-versions.ts';
import { tallyId } from '../../src/lib/domain/tally.ts';
import { slugOf } from '../../src/lib/domain/slug.ts';
import type { Poll } from '../../src/lib/domain/poll.ts';
import { publishOpenPoll } from '../harness/polls.ts';

/**
 * Issue 13, the secret ballot: published tallies and support counts move only
 * in batches of 5 ballots (and at closing), no earlier version of them can be
 * read by any route, and staff see a resident's first use of their code to
 * the day. Against the production build in front of the embedded stand-in;
 * tests/integration/secrecy-couchdb.test.ts runs the publication on Apache
 * CouchDB 3.5.2.
 */
// Its own store and app: it restarts the app, and a second commune is provisioned.
let server: TestStore;
let app: TestApp;
let staffCookie: string;
const couch = () => nano(server.adminUrl);
let addresses = 0;

beforeAll(async () => {
	server = await startStore();
	await provisionDemo(server.adminUrl);
	app = await startApp({
		COUCHDB_URL: server.adminUrl,
		CRIEUR_BALLOT_SECRET: 'test-ballot-secret',
		ADDRESS_HEADER: 'x-forwarded-for'
	});
	const login = await fetch(`${app.url}/db/_session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(STAFF)
	});
	staffCookie = login.headers.getSetCookie()[0].split(';')[0];
});
afterAll(async () => {
	await app?.stop();
	await server?.stop();
});

/** Residents with their codes, each already on a device of their own (its session cookie). */
async function residents(count: number): Promise<{ id: string; cookie: string }[]> {
	const issued = await issueResidents(
		app.url,
		staffCookie,
		Array.from({ length: count }, (_, i) => `Foyer ${i + 1}`)
	);
	return Promise.all(
		issued.map(async ({ id, code }) => {
			const session = await fetch(`${app.url}/api/habitants/session`, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'x-forwarded-for': `10.13.${Math.floor(addresses / 250)}.${addresses++ % 250}`
				},
				body: JSON.stringify({ code })
			});
			expect(session.status).toBe(200);
			return { id, cookie: session.headers.getSetCookie()[0].split(';')[0] };
		})
	);
}

let outboxIds = 0;
async function vote(cookie: string, poll: string, choice: string) {
	const response = await fetch(`${app.url}/api/ballots`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify({ outbox_id: `secrecy-${outboxIds++}`, poll, choices: [choice] })
	});
	expect([200, 201]).toContain(response.status);
}

const publishPoll = (overrides: Partial<Poll> = {}) => publishOpenPoll(server.adminUrl, overrides);

const tallyPath = (pollId: string) =>
	`${app.url}/db/demo-public/${encodeURIComponent(tallyId(pollId))}`;

async function tallyOf(pollId: string): Promise<Tally | null> {
	const response = await fetch(tallyPath(pollId));
	return response.ok ? ((await response.json()) as Tally) : null;
}

/**
 * Until the tally job has read every ballot and support written so far (and
 * published): nothing left after its checkpoint. Sequences are opaque on
 * CouchDB, so they are never compared.
 */
async function jobCaughtUp() {
	const ballots = couch().use('demo-ballots');
	await expect
		.poll(
			async () => {
				const checkpoint = (await ballots.get('_local/crieur-tally').catch(() => null)) as {
					since?: string;
				} | null;
				if (!checkpoint?.since) return -1;
				return (await ballots.changes({ since: checkpoint.since })).results.length;
			},
			{ timeout: 30_000, interval: 100 }
		)
		.toBe(0);
}

function viewers(resident: string): [string, Record<string, string>][] {
	return [
		['anonymous', {}],
		['a resident', { cookie: resident }],
		['staff', { cookie: staffCookie }]
	];
}

describe('the batch rule, through the ballot API', () => {
	let poll: ReturnType<typeof pollFactory>;
	let voters: { id: string; cookie: string }[];
	const revs: string[] = [];

	it('publishes nothing new for 4 ballots, the 5th publishes, 3 more change nothing', async () => {
		poll = await publishPoll();
		voters = await residents(8);
		const choices = ['oui', 'non', 'oui', 'sans-avis', 'oui', 'non', 'non', 'oui'];
		for (let i = 0; i < 4; i++) await vote(voters[i].cookie, poll._id, choices[i]);
		await jobCaughtUp();
		const four = await tallyOf(poll._id);
		// The tally of no ballot at all: four ballots leave no trace, their total neither.
		expect(four).toMatchObject({ state: 'too_few', total: 0, counts: null });
		revs.push(four!._rev!);

		await vote(voters[4].cookie, poll._id, choices[4]);
		await jobCaughtUp();
		const five = await tallyOf(poll._id);
		expect(five).toMatchObject({
			state: 'live',
			total: 5,
			counts: { oui: 3, non: 1, 'sans-avis': 1 }
		});
		expect(five!.updated_at).toMatch(/T\d\d:\d\d:00\.000Z$/);
		revs.push(five!._rev!);

		for (let i = 5; i < 8; i++) await vote(voters[i].cookie, poll._id, choices[i]);
		await jobCaughtUp();
		expect((await tallyOf(poll._id))!._rev).toBe(five!._rev);
	});

	it('publishes the exact final count at closing', async () => {
		const db = couch().use('demo-public');
		const stored = await db.get(poll._id);
		await db.insert({ ...stored, closes_at: new Date(Date.now() + 1500).toISOString() } as never);
		await expect
			.poll(async () => (await tallyOf(poll._id))?.state, { timeout: 40_000, interval: 250 })
			.toBe('final');
		const final = (await tallyOf(poll._id))!;
		expect(final).toMatchObject({ total: 8, counts: { oui: 4, non: 3, 'sans-avis': 1 } });
		revs.push(final._rev!);
	});

	it('leaves no earlier version readable through /db/, for anyone', async () => {
		const current = revs.at(-1)!;
		const earlier = revs.slice(0, -1);
		for (const [who, headers] of viewers(voters[0].cookie)) {
			const probe = { dbUrl: `${app.url}/db/demo-public`, id: tallyId(poll._id) };
			expect({
				who,
				leaks: await earlierVersionLeaks({ ...probe, current, earlier, headers })
			}).toEqual({ who, leaks: [] });
		}
		// Not a filter of the proxy: the server itself has none of them.
		for (const user of [USERS.resident, USERS.staff]) {
			const leaks = await earlierVersionLeaks({
				dbUrl: `${server.url}/demo-public`,
				id: tallyId(poll._id),
				current,
				earlier,
				headers: basic(user)
			});
			expect(leaks).toEqual([]);
		}
		expect(
			await replicatedLeaks({
				dbUrl: `${app.url}/db/demo-public`,
				id: tallyId(poll._id),
				current,
				earlier
			})
		).toEqual([]);
		// Nor through the villagers' feed.
		const feed = JSON.stringify(
			await (await fetch(`${app.url}/api/sync?since=0&limit=1000`)).json()
		);
		for (const rev of earlier) expect(feed).not.toContain(`"_rev":"${rev}"`);
	});

	it('refuses _purge to every client', async () => {
		for (const [who, headers] of viewers(voters[0].cookie)) {
			const response = await fetch(`${app.url}/db/demo-public/_purge`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', ...headers },
				body: JSON.stringify({ [tallyId(poll._id)]: [revs.at(-1)] })
			});
			expect({ who, status: response.status }).toEqual({ who, status: 403 });
		}
		expect((await tallyOf(poll._id))!._rev).toBe(revs.at(-1));
	});
});

describe('what counts as an arrival', () => {
	it('a resident replacing their vote four times is one arrival, not four', async () => {
		const poll = await publishPoll({ allow_change: true });
		const voters = await residents(9);
		for (let i = 0; i < 5; i++) await vote(voters[i].cookie, poll._id, 'oui');
		await jobCaughtUp();
		const five = (await tallyOf(poll._id))!;
		expect(five).toMatchObject({ state: 'live', total: 5 });
		// A neighbour votes; the resident who watched the kiosk replaces theirs four times.
		await vote(voters[5].cookie, poll._id, 'non');
		for (const choice of ['non', 'oui', 'non', 'oui'])
			await vote(voters[0].cookie, poll._id, choice);
		await jobCaughtUp();
		expect((await tallyOf(poll._id))!._rev).toBe(five._rev);
		// Three more ballots make five arrived: resident 0, the neighbour and these three.
		for (let i = 6; i < 9; i++) await vote(voters[i].cookie, poll._id, 'non');
		await jobCaughtUp();
		expect(await tallyOf(poll._id)).toMatchObject({
			total: 9,
			counts: { oui: 5, non: 4, 'sans-avis': 0 }
		});
	});

	it('results shown at closing only: the total moves in batches too', async () => {
		const poll = await publishPoll({ results: 'after_close' });
		const voters = await residents(7);
		for (let i = 0; i < 5; i++) await vote(voters[i].cookie, poll._id, 'non');
		await jobCaughtUp();
		const five = await tallyOf(poll._id);
		expect(five).toMatchObject({ state: 'hidden_until_close', total: 5, counts: null });
		for (let i = 5; i < 7; i++) await vote(voters[i].cookie, poll._id, 'oui');
		await jobCaughtUp();
		expect(await tallyOf(poll._id)).toMatchObject({ _rev: five!._rev, total: 5 });
	});
});

describe('devices holding an earlier version', () => {
	it('take the next one as its descendant, by replication and through /api/sync', async () => {
		const poll = await publishPoll();
		const id = tallyId(poll._id);
		const voters = await residents(10);
		for (let i = 0; i < 5; i++) await vote(voters[i].cookie, poll._id, 'oui');
		await jobCaughtUp();
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-devices-'));
		const laptop = new PouchDB(path.join(dir, 'laptop'), { adapter: 'leveldb' });
		const phone = new PouchDB(path.join(dir, 'phone'), { adapter: 'leveldb' });
		const remote = new PouchDB(`${app.url}/db/demo-public`, {
			skip_setup: true,
			headers: { cookie: staffCookie }
		} as PouchDB.Configuration.RemoteDatabaseConfiguration);
		// As replica.ts stores the feed: new_edits false, the revision history when it comes.
		const pull = async (since: string) => {
			const page = await (await fetch(`${app.url}/api/sync?since=${since}&limit=1000`)).json();
			await phone.bulkDocs(page.docs, { new_edits: false });
			return page.last_seq as string;
		};
		try {
			await laptop.replicate.from(remote);
			const since = await pull('0');
			const before = await laptop.get(id);
			for (let i = 5; i < 10; i++) await vote(voters[i].cookie, poll._id, 'non');
			await jobCaughtUp();
			const after = (await tallyOf(poll._id))!;
			expect(after._rev).not.toBe(before._rev);
			await laptop.replicate.from(remote);
			await pull(since);
			for (const device of [laptop, phone]) {
				const doc = await device.get(id, { conflicts: true });
				expect(doc).toMatchObject({ _rev: after._rev, total: 10 });
				expect(doc._conflicts).toBeUndefined();
			}
		} finally {
			await laptop.destroy();
			await phone.destroy();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('support counts', () => {
	it('are published from 5 supports on, in batches of 5', async () => {
		await couch()
			.use('demo-public')
			.insert(
				answerFactory({
					_id: 'answer:idee-secrete',
					title: 'Des bancs place de l’Église'
				}) as never
			);
		const supporters = await residents(7);
		const support = async (cookie: string) => {
			const response = await fetch(`${app.url}/api/supports`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', cookie },
				body: JSON.stringify({ outbox_id: `support-${outboxIds++}`, answer: 'answer:idee-secrete' })
			});
			expect(response.status).toBe(201);
		};
		const count = async () => {
			const response = await fetch(`${app.url}/db/demo-public/supports%3Aidee-secrete`);
			return response.ok ? ((await response.json()) as { count: number; _rev: string }) : null;
		};
		for (let i = 0; i < 4; i++) await support(supporters[i].cookie);
		await jobCaughtUp();
		expect(await count()).toBeNull();
		await support(supporters[4].cookie);
		await jobCaughtUp();
		const five = await count();
		expect(five).toMatchObject({ count: 5 });
		for (let i = 5; i < 7; i++) await support(supporters[i].cookie);
		await jobCaughtUp();
		expect(await count()).toMatchObject({ count: 5, _rev: five!._rev });
	});
});

describe('times of a resident’s activity', () => {
	it('keep the first use of a code to the day', async () => {
		const before = dayOf(new Date().toISOString(), 'Europe/Paris');
		const [resident] = await residents(1);
		const after = dayOf(new Date().toISOString(), 'Europe/Paris');
		const stored = await fetch(`${app.url}/db/demo-mairie/${encodeURIComponent(resident.id)}`, {
			headers: { cookie: staffCookie }
		});
		const { first_used_at } = await stored.json();
		expect([before, after]).toContain(first_used_at);
	});
});

/** A backend on a commune of its own, unlisted, so that the app's running jobs never touch it. */
async function isolatedCommune(slug: string): Promise<Backend> {
	await provisionCommune(server.adminUrl, { slug, name: `Commune ${slug}`, listed: false });
	return {
		couch: couch(),
		databases: {
			public: `${slug}-public`,
			mairie: `${slug}-mairie`,
			ballots: `${slug}-ballots`,
			reach: `${slug}-reach`
		}
	} as unknown as Backend;
}

describe('a tally job that dies', () => {
	it('between its state and the publication: the next run publishes that version, not a new count', async () => {
		const backend = await isolatedCommune('crash');
		const poll = pollFactory({
			opens_at: '2026-01-01T00:00:00.000Z',
			closes_at: '2099-01-01T00:00:00.000Z'
		});
		await couch()
			.use('crash-public')
			.insert(poll as never);
		const ballots = couch().use('crash-ballots');
		let n = 0;
		const cast = async (count: number) => {
			for (let i = 0; i < count; i++) {
				await ballots.insert({
					_id: `ballot:${slugOf(poll._id)}:pseudo-${n}`,
					type: 'ballot',
					poll: poll._id,
					choices: [n++ % 2 ? 'non' : 'oui'],
					outbox_id: `o-crash-${n}`
				} as never);
			}
		};
		const id = tallyId(poll._id);
		const tally = () => couch().use<Tally>('crash-public').get(id);
		const kill = () => {
			throw new Error('killed');
		};

		await cast(5);
		await expect(runTally(backend, new Date(), { beforePublish: kill })).rejects.toThrow('killed');
		await expect(tally()).rejects.toMatchObject({ statusCode: 404 });
		await cast(1);
		await runTally(backend);
		// The version the state holds (5), not a count of 6 one ballot after it.
		const five = await tally();
		expect(five).toMatchObject({ total: 5 });

		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-crash-'));
		const device = new PouchDB(path.join(dir, 'device'), { adapter: 'leveldb' });
		try {
			await device.replicate.from(`${server.adminUrl}/crash-public`);
			// Dies after the purge, before the new version went in: the document is missing.
			await cast(4);
			await expect(runTally(backend, new Date(), { beforePublish: kill })).rejects.toThrow(
				'killed'
			);
			await couch().request({
				db: 'crash-public',
				path: '_purge',
				method: 'POST',
				body: { [id]: [five._rev] }
			});
			await expect(tally()).rejects.toMatchObject({ statusCode: 404 });
			await runTally(backend);
			const ten = await tally();
			expect(ten).toMatchObject({ total: 10 });
			await device.replicate.from(`${server.adminUrl}/crash-public`);
			const held = await device.get(id, { conflicts: true });
			expect(held).toMatchObject({ _rev: ten._rev, total: 10 });
			expect(held._conflicts).toBeUndefined();
		} finally {
			await device.destroy();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('a deployment from before batches, restarted', () => {
	it('loses the history of its tallies, counts and registers, once', async () => {
		// Written while the app is down, as the old build left them.
		await app.stop();
		const publicDb = couch().use('demo-public');
		const poll = await publishPoll();
		const pollTallyId = tallyId(poll._id);
		// As the old job wrote them: one version per ballot, each to the millisecond.
		const old: string[] = [];
		let rev: string | undefined;
		for (let total = 1; total <= 3; total++) {
			const written = await publicDb.insert({
				_id: pollTallyId,
				...(rev ? { _rev: rev } : {}),
				type: 'tally',
				poll: poll._id,
				state: 'too_few',
				total,
				counts: null,
				updated_at: `2026-11-20T10:0${total}:17.${total}42Z`
			} as never);
			rev = written.rev;
			old.push(rev);
		}
		let supportsRev: string | undefined;
		const oldSupports: string[] = [];
		for (const count of [1, 2]) {
			const written = await publicDb.insert({
				_id: 'supports:idee-ancienne',
				...(supportsRev ? { _rev: supportsRev } : {}),
				type: 'supports',
				answer: 'answer:idee-ancienne',
				count,
				updated_at: `2026-11-20T10:1${count}:03.${count}11Z`
			} as never);
			supportsRev = written.rev;
			oldSupports.push(supportsRev);
		}
		const mairie = couch().use('demo-mairie');
		const residentId = 'resident:ancien';
		const issued = await mairie.insert({
			_id: residentId,
			type: 'resident',
			label: 'Foyer ancien',
			code_hash: 'ancien-hash',
			code_version: 1,
			status: 'active',
			issued_at: '2026-11-02T09:00:00.000Z',
			updated_at: '2026-11-02T09:00:00.000Z'
		} as never);
		const used = await mairie.insert({
			...(await mairie.get(residentId)),
			first_used_at: '2026-11-20T21:47:13.512Z'
		} as never);

		await app.restart();

		await expect
			.poll(async () => (await tallyOf(poll._id))?._rev, { timeout: 30_000, interval: 250 })
			.not.toBe(old.at(-1));
		const tally = (await publicDb.get(pollTallyId, { revs: true })) as Tally & {
			_revisions: { ids: string[] };
		};
		expect(tally).toMatchObject({ total: 3, updated_at: '2026-11-20T10:03:00.000Z' });
		// Only the id of the version it replaced: older ids are digests of older bodies.
		expect(tally._revisions.ids.slice(1)).toEqual([old.at(-1)!.split('-')[1]]);
		const staff = { cookie: staffCookie };
		const probe = { current: tally._rev!, headers: staff };
		expect(
			await earlierVersionLeaks({
				...probe,
				dbUrl: `${app.url}/db/demo-public`,
				id: pollTallyId,
				earlier: old
			})
		).toEqual([]);

		await expect
			.poll(async () => (await publicDb.get('supports:idee-ancienne'))._rev, { timeout: 30_000 })
			.not.toBe(oldSupports.at(-1));
		const supports = await publicDb.get('supports:idee-ancienne');
		expect(supports).toMatchObject({ count: 2, updated_at: '2026-11-20T10:12:00.000Z' });
		expect(
			await earlierVersionLeaks({
				dbUrl: `${app.url}/db/demo-public`,
				id: 'supports:idee-ancienne',
				current: supports._rev,
				earlier: oldSupports
			})
		).toEqual([]);

		// 21:47 UTC is 22:47 in Paris: still the 20th there. Read once rewritten: between
		// its purge and the new version, Apache CouchDB says the record is missing.
		const coarsened = async () =>
			(await mairie.get(residentId).catch(() => null)) as unknown as {
				first_used_at: string;
			} | null;
		await expect
			.poll(async () => (await coarsened())?.first_used_at, { timeout: 30_000 })
			.toBe('2026-11-20');
		const resident = (await coarsened())!;
		expect(
			await earlierVersionLeaks({
				dbUrl: `${app.url}/db/demo-mairie`,
				id: residentId,
				current: (resident as unknown as { _rev: string })._rev,
				earlier: [issued.rev, used.rev],
				headers: staff
			})
		).toEqual([]);
		// Once: a second pass finds nothing to do.
		const backend = {
			couch: couch(),
			databases: {
				public: 'demo-public',
				mairie: 'demo-mairie',
				ballots: 'demo-ballots',
				reach: 'demo-reach'
			}
		} as unknown as Backend;
		expect(await coarsenFirstUses(backend)).toBe(0);
	});
});
