import nano from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, provisionDemo, startCouch, USERS, type TestCouch } from '../harness/couch.ts';

/**
 * Issue 13: the stand-in's `POST /{db}/_purge` (couch/embedded/purge.cjs), as
 * Apache CouchDB 3.5.2 answers it — each expectation here was first read off
 * a real CouchDB 3.5.2 (tests/integration/secrecy-couchdb.test.ts runs the
 * tally publication on one).
 */
let server: TestCouch;
const admin = () => nano(server.adminUrl);

beforeAll(async () => {
	server = await startCouch();
	await provisionDemo(server.adminUrl);
	await admin().db.create('purge-test');
});
afterAll(async () => {
	await server?.stop();
});

async function purge(body: unknown, headers: Record<string, string> = {}, db = 'purge-test') {
	const response = await fetch(`${server.url}/${db}/_purge`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: JSON.stringify(body)
	});
	return { status: response.status, body: await response.json() };
}
const asAdmin = {
	authorization: `Basic ${Buffer.from('admin:admin-password').toString('base64')}`
};

async function get(path: string) {
	const response = await fetch(`${server.url}/purge-test/${path}`, {
		headers: { ...asAdmin, accept: 'application/json' }
	});
	return { status: response.status, body: await response.json() };
}

/** A document with two revisions and a conflicting second one: 1 → 2a, 1 → 2b. */
async function conflicted(id: string) {
	const db = admin().use<{ n: number }>('purge-test');
	const first = await db.insert({ _id: id, n: 1 });
	const second = await db.insert({ _id: id, _rev: first.rev, n: 2 });
	await db.bulk({
		docs: [
			{
				_id: id,
				_rev: '2-bbbb',
				n: 3,
				_revisions: { start: 2, ids: ['bbbb', first.rev.slice(2)] }
			} as never
		],
		new_edits: false
	});
	return { first: first.rev, second: second.rev, other: '2-bbbb' };
}

describe("the stand-in's _purge", () => {
	it('is for server admins only, as on CouchDB', async () => {
		for (const headers of [{}, basic(USERS.staff), basic(USERS.resident)]) {
			expect(await purge({}, headers)).toEqual({
				status: 401,
				body: { error: 'unauthorized', reason: 'You are not a server admin.' }
			});
		}
	});

	it('answers bad requests as CouchDB does', async () => {
		expect((await purge([1], asAdmin)).body).toEqual({
			error: 'bad_request',
			reason: 'Request body must be a JSON object'
		});
		expect((await purge({ d: '1-x' }, asAdmin)).body.reason).toBe('Invalid list of revisions');
		expect((await purge({}, asAdmin, 'no-such-db')).status).toBe(404);
		const plain = await fetch(`${server.url}/purge-test/_purge`, {
			method: 'POST',
			headers: asAdmin,
			body: '{}'
		});
		expect(plain.status).toBe(415);
		expect(await purge({}, asAdmin)).toEqual({
			status: 201,
			body: { purge_seq: null, purged: {} }
		});
	});

	it('purges leaves only, and a losing branch leaves the winner with a new sequence', async () => {
		const revs = await conflicted('branchy');
		const seqBefore = (await admin().use('purge-test').changes()).results.find(
			(row) => row.id === 'branchy'
		)!.seq;
		// A non-leaf and an unknown revision are ignored, as is an unknown document.
		expect(await purge({ branchy: [revs.first, '9-zzz'], nobody: ['1-abc'] }, asAdmin)).toEqual({
			status: 201,
			body: { purge_seq: null, purged: { branchy: [], nobody: [] } }
		});
		const winner = (await get('branchy?conflicts=true')).body;
		const loser = [winner._rev, ...winner._conflicts].find((rev: string) => rev !== winner._rev)!;
		expect((await purge({ branchy: [loser] }, asAdmin)).body.purged).toEqual({ branchy: [loser] });
		const after = await get('branchy?revs_info=true&conflicts=true');
		expect(after.body._conflicts).toBeUndefined();
		expect(after.body._revs_info.map((info: { status: string }) => info.status)).toEqual([
			'available',
			'available'
		]);
		expect((await get(`branchy?rev=${loser}`)).status).toBe(404);
		const changes = (await get('_changes?style=all_docs')).body.results.filter(
			(row: { id: string }) => row.id === 'branchy'
		);
		expect(changes).toHaveLength(1);
		expect(changes[0].changes).toEqual([{ rev: winner._rev }]);
		expect(Number(changes[0].seq)).toBeGreaterThan(Number(seqBefore));
	});

	it('removes a document whose every leaf is purged, from _all_docs, _changes and the count', async () => {
		const revs = await conflicted('gone');
		const before = (await get('')).body.doc_count;
		const result = await purge({ gone: [revs.second, revs.other] }, asAdmin);
		expect(result.body.purged.gone.sort()).toEqual([revs.second, revs.other].sort());
		expect((await get('gone')).status).toBe(404);
		for (const rev of Object.values(revs)) expect((await get(`gone?rev=${rev}`)).status).toBe(404);
		expect((await get('')).body.doc_count).toBe(before - 1);
		const allDocs = (await get('_all_docs')).body.rows.map((row: { id: string }) => row.id);
		expect(allDocs).not.toContain('gone');
		const changes = (await get('_changes?style=all_docs')).body.results;
		expect(changes.map((row: { id: string }) => row.id)).not.toContain('gone');
		// The count the adapter caches stays right for the writes that follow.
		await admin()
			.use('purge-test')
			.insert({ _id: 'after', n: 1 } as never);
		expect((await get('')).body.doc_count).toBe(before);
	});

	it('takes the bodies of ancestors with it, so a re-insert keeps them as bare ids', async () => {
		const db = admin().use<{ n: number }>('purge-test');
		const one = await db.insert({ _id: 'tally', n: 1 });
		const two = await db.insert({ _id: 'tally', _rev: one.rev, n: 2 });
		await purge({ tally: [two.rev] }, asAdmin);
		await db.bulk({
			docs: [
				{
					_id: 'tally',
					_rev: '3-cccc',
					n: 3,
					_revisions: { start: 3, ids: ['cccc', two.rev.slice(2), one.rev.slice(2)] }
				} as never
			],
			new_edits: false
		});
		const doc = (await get('tally?revs_info=true')).body;
		expect(doc).toMatchObject({ _rev: '3-cccc', n: 3 });
		expect(doc._revs_info).toEqual([
			{ rev: '3-cccc', status: 'available' },
			{ rev: two.rev, status: 'missing' },
			{ rev: one.rev, status: 'missing' }
		]);
		for (const rev of [one.rev, two.rev]) expect((await get(`tally?rev=${rev}`)).status).toBe(404);
	});

	it('still purges in a database deleted and created again', async () => {
		const again = async () => {
			await admin().db.create('purge-again');
			const written = await admin()
				.use('purge-again')
				.insert({ _id: 'd', n: 1 } as never);
			return purge({ d: [written.rev] }, asAdmin, 'purge-again');
		};
		expect((await again()).body.purged).toEqual({ d: [expect.any(String)] });
		await admin().db.destroy('purge-again');
		expect(await again()).toMatchObject({
			status: 201,
			body: { purged: { d: [expect.any(String)] } }
		});
	});

	it('keeps serving a changes feed that meets documents purged while it reads', async () => {
		// A feed reads each sequence, then its document: purged in between, the
		// store crashed (seen in CI, a tally republished while a phone pulled).
		await admin().db.create('purge-race');
		const db = admin().use<{ n: number }>('purge-race');
		for (let round = 0; round < 2; round++) {
			const written = await db.bulk({
				docs: Array.from({ length: 150 }, (_, n) => ({ _id: `r${round}-${n}`, n }))
			});
			const reads = Array.from({ length: 4 }, () =>
				fetch(`${server.url}/purge-race/_changes?style=main_only`, { headers: asAdmin })
			);
			const purges = written.map((row) => purge({ [row.id!]: [row.rev!] }, asAdmin, 'purge-race'));
			for (const response of await Promise.all(reads)) expect(response.status).toBe(200);
			for (const outcome of await Promise.all(purges)) expect(outcome.status).toBe(201);
		}
		expect((await db.info()).doc_count).toBe(0);
		await admin().db.destroy('purge-race');
	});
});
