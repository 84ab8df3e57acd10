import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nano from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/lib/domain/tally.ts';
import type { Backend } from '../../src/lib/server/backend.ts';
import { runTally } from '../../src/lib/server/jobs/tally.ts';
import { coarsenFirstUses } from '../../src/lib/server/residents.ts';
import { pollFactory } from '../factories.ts';
import { startStore, type TestStore } from '../harness/store.ts';
import { earlierVersionLeaks, PouchDB, replicatedLeaks } from './earlier-versions.ts';
import { tallyId } from '../../src/lib/domain/tally.ts';
import { slugOf } from '../../src/lib/domain/slug.ts';
import type { Poll } from '../../src/lib/domain/poll.ts';
import { publishOpenPoll } from '../harness/polls.ts';

/**
 * Issue 13 on Apache CouchDB 3.5.2: the tally job's publication (purge, then
 * the new version inserted with its ancestors' ids) leaves no earlier version
 * readable, even by the admin, and devices holding one connect. The app does
 * not start on CouchDB yet (issue 15), so this drives the server modules
 * themselves against a CouchDB this test starts from ../shared/couchdb.
 */
let dir = '';
let store: TestStore | null = null;
let url = '';
let adminUrl = '';
const admin = {
	authorization: `Basic ${Buffer.from('admin:admin-password').toString('base64')}`
};
const couch = () => nano(adminUrl);
const backend = () =>
	({
		couch: couch(),
		databases: {
			public: 'demo-public',
			mairie: 'demo-mairie',
			ballots: 'demo-ballots',
			reach: 'demo-reach'
		}
	}) as unknown as Backend;

beforeAll(async () => {
	store = await startStore('couchdb');
	url = store.url;
	adminUrl = store.adminUrl;
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-devices-'));
	for (const db of ['demo-public', 'demo-mairie', 'demo-ballots']) await couch().db.create(db);
	await couch()
		.use('demo-public')
		.insert({
			_id: 'commune',
			type: 'commune',
			slug: 'demo',
			name: 'Saint-Crieur',
			timezone: 'Europe/Paris'
		} as never);
}, 180_000);
afterAll(async () => {
	await store?.stop();
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, 120_000);

let pseudonyms = 0;
async function cast(pollId: string, choices: string[]) {
	const ballots = couch().use('demo-ballots');
	for (const choice of choices) {
		await ballots.insert({
			_id: `ballot:${slugOf(pollId)}:pseudo-${pseudonyms}`,
			type: 'ballot',
			poll: pollId,
			choices: [choice],
			outbox_id: `o-couchdb-${pseudonyms++}`
		} as never);
	}
}

const publishPoll = (overrides: Partial<Poll> = {}) => publishOpenPoll(adminUrl, overrides);

const tallyOf = (pollId: string) => couch().use<Tally>('demo-public').get(tallyId(pollId));

describe('tallies on Apache CouchDB 3.5.2', () => {
	let poll: ReturnType<typeof pollFactory>;
	const revs: string[] = [];
	const deviceDir = () => path.join(dir, 'device');
	let device: PouchDB.Database;

	it('are published in batches of 5, then exactly at closing', async () => {
		poll = await publishPoll();
		await cast(poll._id, ['oui', 'non', 'oui', 'oui']);
		await runTally(backend());
		const zero = await tallyOf(poll._id);
		expect(zero).toMatchObject({ state: 'too_few', total: 0, counts: null });
		revs.push(zero._rev!);
		// A device that replicated this version, as a staff laptop does.
		device = new PouchDB(deviceDir(), { adapter: 'leveldb' });
		await device.replicate.from(new PouchDB(`${url}/demo-public`, { headers: admin } as never));

		await cast(poll._id, ['non']);
		await runTally(backend());
		const five = await tallyOf(poll._id);
		expect(five).toMatchObject({ state: 'live', total: 5, counts: { oui: 3, non: 2 } });
		revs.push(five._rev!);
		await cast(poll._id, ['oui', 'oui', 'non']);
		await runTally(backend());
		expect((await tallyOf(poll._id))._rev).toBe(five._rev);

		const db = couch().use('demo-public');
		await db.insert({
			...(await db.get(poll._id)),
			closes_at: new Date(Date.now() + 1000).toISOString()
		} as never);
		await runTally(backend(), new Date(Date.now() + 120_000));
		const final = await tallyOf(poll._id);
		expect(final).toMatchObject({ state: 'final', total: 8, counts: { oui: 5, non: 3 } });
		revs.push(final._rev!);
	});

	it('keep no earlier version the server can give, not even to its admin', async () => {
		const probe = {
			dbUrl: `${url}/demo-public`,
			id: tallyId(poll._id),
			current: revs.at(-1)!,
			earlier: revs.slice(0, -1),
			headers: admin
		};
		expect(await earlierVersionLeaks(probe)).toEqual([]);
		expect(await replicatedLeaks(probe)).toEqual([]);
		// What the server keeps of the ancestors: their ids, no bodies.
		const doc = (await couch()
			.use('demo-public')
			.get(probe.id, { revs_info: true })) as unknown as {
			_revs_info: { rev: string; status: string }[];
		};
		expect(doc._revs_info.map((info) => info.status)).toEqual(['available', 'missing', 'missing']);
	});

	it('connect to a device holding an earlier version, without a conflict', async () => {
		await device.replicate.from(new PouchDB(`${url}/demo-public`, { headers: admin } as never));
		const held = await device.get(tallyId(poll._id), { conflicts: true });
		expect(held).toMatchObject({ _rev: revs.at(-1), total: 8 });
		expect(held._conflicts).toBeUndefined();
		await device.destroy();
	});

	it('finish a publication cut short by the next run, with the version planned', async () => {
		const cut = await publishPoll();
		await cast(cut._id, ['oui', 'non', 'oui', 'non', 'oui']);
		await expect(
			runTally(backend(), new Date(), {
				beforePublish: () => {
					throw new Error('killed');
				}
			})
		).rejects.toThrow('killed');
		await expect(tallyOf(cut._id)).rejects.toMatchObject({ statusCode: 404 });
		await cast(cut._id, ['non']);
		await runTally(backend());
		expect(await tallyOf(cut._id)).toMatchObject({ total: 5 });
	});

	it('written before batches lose their history once, keeping only the last id', async () => {
		const legacy = await publishPoll();
		const id = tallyId(legacy._id);
		const db = couch().use('demo-public');
		const old: string[] = [];
		for (let total = 1; total <= 3; total++) {
			const written = await db.insert({
				_id: id,
				...(old.length ? { _rev: old.at(-1) } : {}),
				type: 'tally',
				poll: legacy._id,
				state: 'too_few',
				total,
				counts: null,
				updated_at: `2026-11-20T10:0${total}:17.${total}42Z`
			} as never);
			old.push(written.rev);
		}
		await runTally(backend(), new Date(), { everything: true });
		const tally = (await db.get(id, { revs: true })) as unknown as Tally & {
			_revisions: { ids: string[] };
		};
		expect(tally).toMatchObject({ total: 3, updated_at: '2026-11-20T10:03:00.000Z' });
		expect(tally._revisions.ids.slice(1)).toEqual([old.at(-1)!.split('-')[1]]);
		const probe = {
			dbUrl: `${url}/demo-public`,
			id,
			current: tally._rev!,
			earlier: old,
			headers: admin
		};
		expect(await earlierVersionLeaks(probe)).toEqual([]);
		await runTally(backend(), new Date(), { everything: true });
		expect((await db.get(id))._rev).toBe(tally._rev);
	});
});

describe('a resident register on Apache CouchDB 3.5.2', () => {
	it('has first uses rewritten to the day, without earlier versions', async () => {
		const mairie = couch().use('demo-mairie');
		const issued = await mairie.insert({
			_id: 'resident:ancien',
			type: 'resident',
			label: 'Foyer ancien',
			code_hash: 'h',
			code_version: 1,
			status: 'active',
			issued_at: '2026-11-02T09:00:00.000Z',
			updated_at: '2026-11-02T09:00:00.000Z'
		} as never);
		const used = await mairie.insert({
			...(await mairie.get('resident:ancien')),
			first_used_at: '2026-11-20T23:47:13.512Z'
		} as never);
		expect(await coarsenFirstUses(backend())).toBe(1);
		const resident = (await mairie.get('resident:ancien')) as unknown as {
			_rev: string;
			first_used_at: string;
		};
		// 23:47 UTC is 00:47 on the 21st in Paris.
		expect(resident.first_used_at).toBe('2026-11-21');
		const probe = {
			dbUrl: `${url}/demo-mairie`,
			id: 'resident:ancien',
			current: resident._rev,
			earlier: [issued.rev, used.rev],
			headers: admin
		};
		expect(await earlierVersionLeaks(probe)).toEqual([]);
		expect(await coarsenFirstUses(backend())).toBe(0);
	});
});
