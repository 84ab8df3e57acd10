import nano from 'nano';
import { describe, expect, it } from 'vitest';
import { noticeFactory } from '../factories.ts';
import { basic, USERS } from '../harness/couch.ts';
import { sharedApp } from '../harness/shared-app.ts';

/**
 * What CouchDB itself enforces, straight to the server with no app in between:
 * these rules hold even if the app server is bypassed or compromised.
 */
// The run's store, where the demo commune and these users are provisioned.
const server = sharedApp().store;

async function put(db: string, doc: { _id: string }, headers: Record<string, string> = {}) {
	return fetch(`${server.url}/${db}/${encodeURIComponent(doc._id)}`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json', ...headers },
		body: JSON.stringify(doc)
	});
}

async function exists(db: string, id: string) {
	return nano(server.adminUrl)
		.use(db)
		.head(id)
		.then(
			() => true,
			() => false
		);
}

describe('writes to <commune>-public, refused by CouchDB itself', () => {
	it.each([
		['anonymous', {}, 401],
		['a resident', basic(USERS.resident), 403],
		['a kiosk', basic(USERS.kiosk), 403],
		["another commune's staff", basic(USERS.otherStaff), 403]
	])('refuses %s', async (_who, headers, status) => {
		const doc = noticeFactory();
		const response = await put('demo-public', doc, headers);
		expect(response.status).toBe(status);
		expect(await response.json()).toMatchObject({
			error: status === 401 ? 'unauthorized' : 'forbidden'
		});
		expect(await exists('demo-public', doc._id)).toBe(false);
	});

	it('refuses an invalid notice even from staff, with a French reason', async () => {
		const doc = { ...noticeFactory(), category: 'fete' };
		const response = await put('demo-public', doc, basic(USERS.staff));
		expect(response.status).toBe(403);
		// The field by the editor's French name: staff read it on the laptop (issue 15 §1).
		expect((await response.json()).reason).toBe(
			'Document refusé (catégorie : catégorie inconnue).'
		);
		expect(await exists('demo-public', doc._id)).toBe(false);
	});

	it('accepts a valid notice from staff', async () => {
		const doc = noticeFactory();
		const response = await put('demo-public', doc, basic(USERS.staff));
		expect(response.status).toBe(201);
		expect(await exists('demo-public', doc._id)).toBe(true);
	});

	// The stand-in used to answer 201 and drop replicated writes (couch/embedded/server.js).
	it('stores a replicated edit from staff (new_edits: false), as CouchDB does', async () => {
		const doc = noticeFactory();
		const created = await (await put('demo-public', doc, basic(USERS.staff))).json();
		const hash = created.rev.split('-')[1];
		const edited = {
			...doc,
			title: 'Modifié hors ligne',
			_rev: `2-${'a'.repeat(32)}`,
			_revisions: { start: 2, ids: ['a'.repeat(32), hash] }
		};
		const response = await fetch(`${server.url}/demo-public/_bulk_docs`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...basic(USERS.staff) },
			body: JSON.stringify({ docs: [edited], new_edits: false })
		});
		expect(await response.json()).toEqual([]);
		const stored = await (
			await fetch(`${server.url}/demo-public/${encodeURIComponent(doc._id)}`)
		).json();
		expect(stored).toMatchObject({ title: 'Modifié hors ligne', _rev: edited._rev });
	});

	it('answers 201 to a refused _bulk_docs, with a forbidden error per document', async () => {
		const docs = [noticeFactory(), noticeFactory()];
		const response = await fetch(`${server.url}/demo-public/_bulk_docs`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...basic(USERS.resident) },
			body: JSON.stringify({ docs })
		});
		expect(response.status).toBe(201);
		const results = (await response.json()) as { error?: string }[];
		expect(results.map((result) => result.error)).toEqual(['forbidden', 'forbidden']);
		for (const doc of docs) expect(await exists('demo-public', doc._id)).toBe(false);
	});

	it('refuses replicated writes (new_edits: false) from non-staff too', async () => {
		const doc = { ...noticeFactory(), _rev: '1-abc' };
		const response = await fetch(`${server.url}/demo-public/_bulk_docs`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ docs: [doc], new_edits: false })
		});
		const body = await response.json();
		expect(JSON.stringify(body)).toMatch(/unauthorized|forbidden/);
		expect(await exists('demo-public', doc._id)).toBe(false);
	});
});

describe('reads', () => {
	it('lets anyone read <commune>-public', async () => {
		expect((await fetch(`${server.url}/demo-public/commune`)).status).toBe(200);
	});

	it.each([
		['anonymous', {}],
		['a resident', basic(USERS.resident)],
		['a kiosk', basic(USERS.kiosk)],
		["another commune's staff", basic(USERS.otherStaff)]
	])('keeps <commune>-mairie from %s', async (_who, headers) => {
		const response = await fetch(`${server.url}/demo-mairie/_all_docs`, { headers });
		// CouchDB 3 answers 401 to anonymous and 403 to others; the stand-in 401 to both.
		expect([401, 403]).toContain(response.status);
	});

	it('lets staff read <commune>-mairie but not the ballots', async () => {
		expect(
			(await fetch(`${server.url}/demo-mairie/_all_docs`, { headers: basic(USERS.staff) })).status
		).toBe(200);
		const ballots = await fetch(`${server.url}/demo-ballots/_all_docs`, {
			headers: basic(USERS.staff)
		});
		expect([401, 403]).toContain(ballots.status);
	});

	it('refuses drafts without staff rights', async () => {
		const draft = { ...noticeFactory(), status: 'draft' };
		const response = await put('demo-mairie', draft, basic(USERS.resident));
		expect([401, 403]).toContain(response.status);
	});
});
