import nano from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	issueCodes,
	pairedKioskCookie,
	rawRequest,
	residentCookie,
	staffCookie
} from '../harness/api.ts';
import type { TestApp } from '../harness/app.ts';
import { STAFF, USERS } from '../harness/couch.ts';
import { startOwnApp, type OwnApp } from '../harness/own-app.ts';
import type { TestStore } from '../harness/store.ts';
import { answerFactory, noticeFactory, pollFactory } from '../factories.ts';

/**
 * Hostile clients against the production build and a real CouchDB-protocol
 * store: anonymous, a resident, a paired kiosk and staff of another commune
 * try to write what only the mairie or the server writes, read what only the
 * mairie or nobody reads, replay outbox ids, guess codes and send huge bodies.
 * Every refusal has its exact status, and nothing is stored.
 *
 * Its own app: "nothing changed" compares every document of the whole store,
 * and the guessing tests lock out the whole server (600 wrong codes) and the
 * staff account's name (10 wrong passwords).
 */
let own: OwnApp;
let server: TestStore;
let app: TestApp;
const admin = () => nano(server.adminUrl);

type Who = 'anonyme' | 'habitant' | 'borne' | 'mairie-autre' | 'mairie';
const cookies: Record<Who, string> = {
	anonyme: '',
	habitant: '',
	borne: '',
	'mairie-autre': '',
	mairie: ''
};
/** Codes not used by beforeAll, for tests that need a fresh resident. */
let spareCodes: string[] = [];

const poll = pollFactory({
	_id: 'poll:hostile',
	opens_at: new Date(Date.now() - 3_600_000).toISOString(),
	closes_at: new Date(Date.now() + 86_400_000).toISOString()
});
const notice = noticeFactory({ _id: 'notice:hostile-existante' });
const SUGGESTION = 'answer:idee-hostile';
const OTHER_SUGGESTION = 'answer:idee-hostile-2';
/** Documents the tally job rewrites on its own: left out of "nothing changed". */
const JOB_OWNED = new Set(['tally:hostile', 'supports:idee-hostile', 'supports:idee-hostile-2']);
let submissionId = '';

function answerDoc(id: string) {
	return answerFactory({
		_id: id,
		title: 'Un banc devant la poste',
		body: 'Pour attendre le car.'
	});
}

let nextAddress = 1;
/** A fresh device address, so that one test's rate limits do not touch another's. */
const address = () => `10.66.${Math.floor(nextAddress / 250)}.${nextAddress++ % 250}`;

beforeAll(async () => {
	own = await startOwnApp({ env: { ADDRESS_HEADER: 'x-forwarded-for' } });
	server = own.store;
	app = own.app;
	cookies.mairie = await staffCookie(app.url, STAFF);
	// A real staff account, of the commune "autre": its role is mairie:autre.
	cookies['mairie-autre'] = await staffCookie(app.url, USERS.otherStaff);
	const codes = await issueCodes(app.url, cookies.mairie, [
		'A',
		'B',
		'C',
		'D',
		'E',
		'F',
		'G',
		'H',
		'I'
	]);
	cookies.habitant = await residentCookie(app.url, codes[0], address());
	spareCodes = codes.slice(1);
	cookies.borne = await pairedKioskCookie(app.url, cookies.mairie);
	const publicDb = admin().use('demo-public');
	await publicDb.bulk({ docs: [poll, notice, answerDoc(SUGGESTION), answerDoc(OTHER_SUGGESTION)] });
	const sent = await fetch(`${app.url}/api/submissions`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie: cookies.habitant },
		body: JSON.stringify(submission('hostile-setup-0001'))
	});
	expect(sent.status).toBe(201);
	submissionId = 'submission:hostile-setup-0001';
});
afterAll(async () => {
	await own?.stop();
});

function submission(outboxId: string, overrides: Record<string, unknown> = {}) {
	return {
		outbox_id: outboxId,
		kind: 'report',
		title: 'Plaque d’égout descellée',
		body: 'Rue du Moulin, devant le numéro 4.',
		category: 'voirie',
		place: { lat: 46.318, lng: 4.834, address: '4 rue du Moulin' },
		public_name: null,
		...overrides
	};
}

/** Every document of every database, by revision: what a hostile request must not change. */
async function snapshot(): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const db of ['demo-public', 'demo-mairie', 'demo-ballots', '_users']) {
		const { rows } = await admin().use(db).list();
		for (const row of rows) {
			// CouchDB writes its own _users/_design/_auth at the first login it checks.
			if (JOB_OWNED.has(row.id) || (db === '_users' && row.id.startsWith('_design/'))) continue;
			out[`${db}/${row.id}`] = row.value.rev;
		}
	}
	return out;
}

async function send(
	who: Who,
	method: string,
	path: string,
	body?: unknown,
	headers: Record<string, string> = {}
) {
	const response = await fetch(app.url + path, {
		method,
		headers: {
			'content-type': 'application/json',
			...(cookies[who] ? { cookie: cookies[who] } : {}),
			...headers
		},
		body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
	});
	const text = await response.text();
	let json: { error?: unknown; reason?: unknown } | null = null;
	try {
		json = JSON.parse(text);
	} catch {
		// not JSON: the assertions say so
	}
	return { status: response.status, headers: response.headers, json, text };
}

/** An /api error: the status, JSON, a stable code and a French reason. */
function expectApiError(result: Awaited<ReturnType<typeof send>>, status: number, error: string) {
	expect(result.status, result.text.slice(0, 200)).toBe(status);
	expect(result.headers.get('content-type')).toMatch(/^application\/json/);
	expect(result.json?.error).toBe(error);
	expect(typeof result.json?.reason).toBe('string');
	expect(String(result.json?.reason)).toMatch(/\S/);
}

const HOSTILE: Who[] = ['anonyme', 'habitant', 'borne', 'mairie-autre'];
/** CouchDB's answer to a write refused by validate_doc_update. */
const refusedWrite = (who: Who) => (who === 'anonyme' ? 401 : 403);

describe('writing into demo-public through /db/', () => {
	const now = new Date().toISOString();
	const forged = {
		notice: noticeFactory({ _id: 'notice:forgee', title: 'Avis forgé' }),
		poll: pollFactory({ _id: 'poll:forge' }),
		tally: {
			_id: 'tally:forge',
			type: 'tally',
			poll: 'poll:hostile',
			state: 'final',
			total: 999,
			counts: { oui: 999 },
			updated_at: now
		},
		supports: {
			_id: 'supports:forge',
			type: 'supports',
			answer: SUGGESTION,
			count: 500,
			updated_at: now
		},
		answer: { ...answerDoc('answer:forgee'), title: 'Réponse forgée' }
	};

	it.each(
		HOSTILE.flatMap((who) => Object.keys(forged).map((kind) => [who, kind] as [Who, string]))
	)('refuses %s writing a %s, and stores nothing', async (who, kind) => {
		const before = await snapshot();
		const doc = forged[kind as keyof typeof forged];
		const result = await send(who, 'PUT', `/db/demo-public/${encodeURIComponent(doc._id)}`, doc);
		expect(result.status).toBe(refusedWrite(who));
		expect(result.json?.error).toBe(who === 'anonyme' ? 'unauthorized' : 'forbidden');
		expect(await snapshot()).toEqual(before);
	});

	it.each([
		['tally', 'tally:forge'],
		['supports', 'supports:forge']
	])('refuses even the mairie writing a %s: only the server counts', async (kind, id) => {
		const before = await snapshot();
		const doc = forged[kind as 'tally' | 'supports'];
		const result = await send('mairie', 'PUT', `/db/demo-public/${encodeURIComponent(id)}`, doc);
		expect(result.status).toBe(403);
		expect(result.json).toMatchObject({
			error: 'forbidden',
			reason: expect.stringMatching(/serveur/)
		});
		expect(await snapshot()).toEqual(before);
	});

	it.each(HOSTILE)('refuses %s changing or deleting a published notice', async (who) => {
		const before = await snapshot();
		const stored = await admin().use('demo-public').get(notice._id);
		const path = `/db/demo-public/${encodeURIComponent(notice._id)}`;
		const changed = await send(who, 'PUT', path, { ...stored, title: 'Avis détourné' });
		expect(changed.status).toBe(refusedWrite(who));
		const deleted = await send(who, 'DELETE', `${path}?rev=${stored._rev}`);
		expect(deleted.status).toBe(refusedWrite(who));
		expect(await snapshot()).toEqual(before);
	});

	it.each(HOSTILE)(
		'answers %s’s _bulk_docs with one refusal per document, new_edits or not',
		async (who) => {
			const before = await snapshot();
			const docs = Object.values(forged);
			const normal = await send(who, 'POST', '/db/demo-public/_bulk_docs', { docs });
			// CouchDB answers 201 and refuses document by document: read the results.
			expect(normal.status).toBe(201);
			const error = who === 'anonyme' ? 'unauthorized' : 'forbidden';
			// The stand-in may answer in another order than the documents were sent.
			expect(normal.json).toHaveLength(docs.length);
			expect(normal.json).toEqual(
				expect.arrayContaining(docs.map((doc) => expect.objectContaining({ id: doc._id, error })))
			);
			const replicated = await send(who, 'POST', '/db/demo-public/_bulk_docs', {
				new_edits: false,
				docs: docs.map((doc, i) => ({
					...doc,
					_rev: `1-${'ab'.repeat(16)}${i}`,
					_revisions: { start: 1, ids: [`${'ab'.repeat(16)}${i}`] }
				}))
			});
			expect(replicated.status).toBe(201);
			expect(replicated.json).toHaveLength(docs.length);
			expect(replicated.json).toEqual(
				expect.arrayContaining(docs.map((doc) => expect.objectContaining({ id: doc._id, error })))
			);
			expect(await snapshot()).toEqual(before);
		}
	);

	it.each([...HOSTILE, 'mairie' as Who])(
		'refuses %s writing design documents, even hidden in _bulk_docs',
		async (who) => {
			const before = await snapshot();
			const design = await admin().use('demo-public').get('_design/crieur');
			const evil = { validate_doc_update: 'function () {}' };
			for (const path of [
				'/db/demo-public/_design/crieur',
				'/db/demo-public/_design%2Fcrieur',
				'/db/demo-public/%5Fdesign/crieur'
			]) {
				const result = await send(who, 'PUT', path, { ...evil, _rev: design._rev });
				expect(result.status, path).toBe(403);
				expect(result.json?.error).toBe('forbidden');
			}
			// _bulk_docs passes the proxy; CouchDB keeps design documents to its admins.
			const bulk = await send(who, 'POST', '/db/demo-public/_bulk_docs', {
				docs: [
					{ _id: '_design/crieur', _rev: design._rev, ...evil },
					{ _id: '_design/evil', ...evil }
				]
			});
			expect(bulk.status).toBe(201);
			expect(bulk.json).toHaveLength(2);
			expect(bulk.json).toEqual(
				expect.arrayContaining([
					expect.objectContaining({ id: '_design/crieur', error: 'forbidden' }),
					expect.objectContaining({ id: '_design/evil', error: 'forbidden' })
				])
			);
			expect(await snapshot()).toEqual(before);
		}
	);

	it.each(HOSTILE)('refuses %s writing into demo-mairie', async (who) => {
		const before = await snapshot();
		const doc = { ...forged.notice, _id: 'notice:brouillon-force', status: 'draft' };
		const result = await send(who, 'PUT', `/db/demo-mairie/${encodeURIComponent(doc._id)}`, doc);
		// A logged-in non-member: 403, as CouchDB 3 says (the proxy makes the stand-in agree).
		expect(result.status).toBe(refusedWrite(who));
		expect(result.json?.error).toBe(who === 'anonyme' ? 'unauthorized' : 'forbidden');
		expect(await snapshot()).toEqual(before);
	});
});

// Issue 13: a 4-byte « PDF » starting with MZ was published from a staff laptop.
describe('staff attachments are what they say', () => {
	const base64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');
	const PROGRAM = base64(new Uint8Array([0x4d, 0x5a, 0x90, 0x00]));
	const PDF = base64('%PDF-1.4\n%âãÏÓ\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
	const withFile = (id: string, name: string, type: string, data: string) =>
		noticeFactory({
			_id: id,
			_attachments: { [name]: { content_type: type, data } }
		} as never);

	it('refuses a program sent as a PDF in a replicated _bulk_docs, and stores the good one beside it', async () => {
		const bad = { ...withFile('notice:faux-pdf', 'arrete.pdf', 'application/pdf', PROGRAM) };
		const good = { ...withFile('notice:vrai-pdf', 'arrete.pdf', 'application/pdf', PDF) };
		const revs = (id: string) => ({
			_rev: `1-${id.length}abc`,
			_revisions: { start: 1, ids: [`${id.length}abc`] }
		});
		const result = await send('mairie', 'POST', '/db/demo-public/_bulk_docs', {
			new_edits: false,
			docs: [
				{ ...bad, ...revs(bad._id) },
				{ ...good, ...revs(good._id) }
			]
		});
		expect(result.status).toBe(201);
		expect(result.json).toEqual([
			{
				id: 'notice:faux-pdf',
				error: 'forbidden',
				reason: expect.stringMatching(/pas un vrai fichier PDF/)
			}
		]);
		const publicDb = admin().use('demo-public');
		await expect(publicDb.get('notice:faux-pdf')).rejects.toMatchObject({ statusCode: 404 });
		expect(Object.keys((await publicDb.get('notice:vrai-pdf'))._attachments ?? {})).toEqual([
			'arrete.pdf'
		]);
	});

	it('answers each document in order when staff save with new edits', async () => {
		const result = await send('mairie', 'POST', '/db/demo-mairie/_bulk_docs', {
			docs: [
				{
					...withFile('notice:brouillon-bon', 'plan.pdf', 'application/pdf', PDF),
					status: 'draft'
				},
				{ ...withFile('notice:brouillon-faux', 'photo.png', 'image/png', PROGRAM), status: 'draft' }
			]
		});
		expect(result.status).toBe(201);
		const results = result.json as unknown as { id: string; ok?: boolean; error?: string }[];
		expect(results.map((row) => [row.id, row.ok ?? row.error])).toEqual([
			['notice:brouillon-bon', true],
			['notice:brouillon-faux', 'forbidden']
		]);
	});

	it('refuses a document or an attachment written alone whose bytes lie, and stores nothing', async () => {
		const before = await snapshot();
		const doc = withFile('notice:faux-seul', 'arrete.pdf', 'application/pdf', PROGRAM);
		const put = await send('mairie', 'PUT', '/db/demo-public/notice%3Afaux-seul', doc);
		expectApiError(put, 403, 'forbidden');
		const raw = await fetch(`${app.url}/db/demo-public/notice%3Afaux-seul/arrete.pdf`, {
			method: 'PUT',
			headers: { 'content-type': 'application/pdf', cookie: cookies.mairie },
			body: new Uint8Array([0x4d, 0x5a, 0x90, 0x00])
		});
		expect(raw.status).toBe(403);
		expect(((await raw.json()) as { reason: string }).reason).toMatch(/pas un vrai fichier PDF/);
		const multipart = await send('mairie', 'PUT', '/db/demo-public/notice%3Afaux-seul', '--x--', {
			'content-type': 'multipart/related; boundary=x'
		});
		expect(multipart.status).toBe(415);
		expect(await snapshot()).toEqual(before);
	});
});

describe('reading ballots and the staff database', () => {
	const ballotPaths = [
		['GET', '/db/demo-ballots'],
		['GET', '/db/demo-ballots/_all_docs?include_docs=true'],
		['GET', '/db/demo-ballots/_changes?include_docs=true'],
		['GET', '/db/demo-ballots/ballot%3Ahostile%3Ax'],
		['POST', '/db/demo-ballots/_find'],
		['POST', '/db/demo-ballots/_bulk_get'],
		['POST', '/db/demo-ballots/_bulk_docs'],
		['GET', '/db/demo-ballots/_design/crieur/_view/by_poll']
	] as const;

	it.each([...HOSTILE, 'mairie' as Who])(
		'keeps every way into the ballots closed to %s',
		async (who) => {
			for (const [method, path] of ballotPaths) {
				const result = await send(who, method, path, method === 'POST' ? { docs: [] } : undefined);
				expect(result.status, path).toBe(403);
				expect(result.headers.get('content-type')).toMatch(/^application\/json/);
				expect(result.json).toEqual({ error: 'forbidden', reason: expect.stringMatching(/base/) });
				expect(result.text).not.toMatch(/ballot:|choices/);
			}
		}
	);

	it.each(HOSTILE)('keeps the staff database closed to %s', async (who) => {
		const paths: [string, string, unknown?][] = [
			['GET', '/db/demo-mairie'],
			['GET', `/db/demo-mairie/${encodeURIComponent(submissionId)}`],
			['GET', '/db/demo-mairie/_all_docs?include_docs=true'],
			['POST', '/db/demo-mairie/_all_docs', { keys: [submissionId] }],
			['GET', '/db/demo-mairie/_changes?include_docs=true'],
			['POST', '/db/demo-mairie/_changes?filter=_doc_ids', { doc_ids: [submissionId] }],
			['POST', '/db/demo-mairie/_bulk_get', { docs: [{ id: submissionId }] }],
			['POST', '/db/demo-mairie/_revs_diff', { [submissionId]: ['1-a'] }]
		];
		for (const [method, path, body] of paths) {
			const result = await send(who, method, path, body);
			// A logged-in non-member: 403 on both back ends, as CouchDB 3 says.
			expect(result.status, path).toBe(refusedWrite(who));
			expect(result.json?.error).toBe(who === 'anonyme' ? 'unauthorized' : 'forbidden');
			expect(result.text).not.toMatch(/Plaque|code_hash|resident:/);
		}
		for (const [method, path] of [
			['POST', '/db/demo-mairie/_find'],
			['GET', '/db/demo-mairie/_design/crieur'],
			['GET', '/db/demo-mairie/_design/crieur/_view/resident_by_code'],
			['GET', '/db/demo-mairie/_design/crieur/_view/submissions_by_author?include_docs=true'],
			['GET', '/db/demo-mairie/_security']
		]) {
			const result = await send(
				who,
				method,
				path,
				method === 'POST' ? { selector: {} } : undefined
			);
			expect(result.status, path).toBe(403);
			expect(result.json?.error).toBe('forbidden');
		}
	});

	it.each(['anonyme', 'borne', 'mairie-autre', 'mairie'] as Who[])(
		'answers %s asking for a resident’s submissions with 401',
		async (who) => {
			expectApiError(await send(who, 'GET', '/api/submissions/mine'), 401, 'not_resident');
		}
	);
});

describe('admin endpoints and path tricks through /db/', () => {
	// Sent byte for byte (fetch would resolve the dots first).
	const cases: [string, string, number, string | null][] = [
		['GET', '/db/_users', 403, 'forbidden'],
		['GET', '/db/_users/_all_docs', 403, 'forbidden'],
		['GET', '/db/_users/org.couchdb.user%3Asecretariat', 403, 'forbidden'],
		['PUT', '/db/_users/org.couchdb.user%3Aintrus', 403, 'forbidden'],
		['GET', '/db/_config', 403, 'forbidden'],
		['PUT', '/db/_config/admins/intrus', 403, 'forbidden'],
		['PUT', '/db/_node/_local/_config/admins/intrus', 403, 'forbidden'],
		['GET', '/db/_all_dbs', 403, 'forbidden'],
		['POST', '/db/_replicate', 403, 'forbidden'],
		['POST', '/db/demo-public/_replicate', 403, 'forbidden'],
		['GET', '/db/_active_tasks', 403, 'forbidden'],
		['GET', '/db/_utils/', 403, 'forbidden'],
		['GET', '/db/', 403, 'forbidden'],
		['PUT', '/db/nouvelle-base', 403, 'forbidden'],
		['PUT', '/db/demo-ballots', 403, 'forbidden'],
		['DELETE', '/db/demo-public', 405, 'method_not_allowed'],
		['PUT', '/db/demo-public/_security', 403, 'forbidden'],
		['POST', '/db/demo-public/_compact', 403, 'forbidden'],
		['POST', '/db/demo-public/_purge', 403, 'forbidden'],
		['GET', '/db/demo-public/../demo-ballots', 403, 'forbidden'],
		['GET', '/db/demo-public/../demo-ballots/_all_docs', 403, 'forbidden'],
		['GET', '/db/demo-public/%2e%2e/demo-ballots/_all_docs', 403, 'forbidden'],
		['GET', '/db/demo-public/%2E%2E/_users/_all_docs', 403, 'forbidden'],
		['GET', '/db/demo-public/_all_docs/../../demo-ballots', 403, 'forbidden'],
		['GET', '/db/demo-public\\..\\demo-ballots', 403, 'forbidden'],
		['GET', '/db/./demo-ballots', 403, 'forbidden'],
		['GET', '/db/demo-public%2F..%2Fdemo-ballots/_all_docs', 403, 'forbidden'],
		['GET', '/db/demo-ballots%2F_all_docs', 403, 'forbidden'],
		['GET', '/db/demo-ballots%2f_all_docs', 403, 'forbidden'],
		['GET', '/db/%5Fusers', 403, 'forbidden'],
		['GET', '/db/demo%2Dballots', 403, 'forbidden'],
		['GET', '/db/DEMO-BALLOTS', 403, 'forbidden'],
		['GET', '/db/demo-ballots;x', 403, 'forbidden'],
		['GET', '/db/demo-public/_local%2F..%2F..%2Fdemo-ballots', 403, 'forbidden'],
		['GET', '/db//demo-ballots/_all_docs', 400, 'bad_request'],
		['GET', '/db/demo-public/%00', 400, 'bad_request'],
		['GET', '/db/demo-public/a%5Cb', 400, 'bad_request'],
		['GET', '/db/http://evil.example/', 400, 'bad_request'],
		['GET', '/db/demo-public/_changes?feed=continuous', 403, 'forbidden'],
		['GET', '/db/demo-public/_changes?feed=longpoll&since=now', 403, 'forbidden'],
		['GET', '/db/demo-public/_changes?filter=_selector', 403, 'forbidden'],
		// Repeated or bracketed names reach the store as arrays: each of these killed it.
		[
			'GET',
			'/db/demo-public/_changes?filter=_doc_ids&filter=_selector&selector=%7B%7D',
			400,
			'bad_request'
		],
		['GET', '/db/demo-public/_changes?filter%5B%5D=_selector&selector=%7B%7D', 400, 'bad_request'],
		['GET', '/db/demo-public/_changes?filter%5Bx%5D=_selector&selector=%7B%7D', 400, 'bad_request'],
		['GET', '/db/demo-public/_changes?feed=normal&feed=longpoll&since=now', 400, 'bad_request']
	];

	it.each(cases)(
		'refuses %s %s with %i and a JSON error, whoever asks',
		async (method, path, status, error) => {
			const before = await snapshot();
			for (const who of [...HOSTILE, 'mairie' as Who]) {
				const result = await rawRequest(app.url, method, path, {
					headers: {
						'content-type': 'application/json',
						...(cookies[who] ? { cookie: cookies[who] } : {})
					},
					body: ['PUT', 'POST'].includes(method)
						? JSON.stringify({ name: 'intrus', roles: ['_admin'], source: 'demo-ballots' })
						: undefined
				});
				expect(result.status, `${who} ${path}`).toBe(status);
				expect(result.headers['content-type']).toMatch(/^application\/json/);
				expect(JSON.parse(result.text)).toEqual({ error, reason: expect.stringMatching(/\S/) });
			}
			expect(await snapshot()).toEqual(before);
			// The store is still up.
			expect((await fetch(`${server.url}/demo-public`)).status).toBe(200);
		}
	);

	it.each([
		['/db/%2e%2e/', 200],
		['/db/%2e%2e/_all_dbs', 404],
		['/db/../_all_dbs', 404],
		['//db/demo-ballots', 404]
	])('resolves %s to an app page, never to the store', async (path, status) => {
		const result = await rawRequest(app.url, 'GET', path);
		expect(result.status).toBe(status);
		expect(result.headers['content-type']).toMatch(/^text\/html/);
		expect(result.text).not.toMatch(/couchdb|"db_name"|"rows"/i);
	});

	it('answers a login body that is not two strings with a JSON 400, never a relayed 500', async () => {
		for (const body of [
			{ name: ['admin'], password: 'x' },
			{ name: 'admin', password: 12 },
			{ name: 'admin' },
			'pas du JSON'
		]) {
			const login = await send('anonyme', 'POST', '/db/_session', body);
			expectApiError(login, 400, 'bad_request');
			expect(String(login.json?.reason)).toMatch(/identifiant et un mot de passe/);
		}
		// Extra fields are not passed on: a login is a name and a password.
		const extra = await send('anonyme', 'POST', '/db/_session', {
			...USERS.kiosk,
			roles: ['_admin']
		});
		expect(extra.status).toBe(200);
		expect((extra.json as { roles?: unknown }).roles).toEqual(['borne:demo']);
	});

	it('refuses the store’s admin with a wrong password, by cookie login or basic auth', async () => {
		const login = await send('anonyme', 'POST', '/db/_session', { name: 'admin', password: 'x' });
		expect(login.status).toBe(401);
		expect(login.json?.error).toBe('unauthorized');
		expect(login.headers.getSetCookie()).toEqual([]);
		const form = await send('anonyme', 'POST', '/db/_session', 'name=admin&password=x', {
			'content-type': 'application/x-www-form-urlencoded'
		});
		expect(form.status).toBe(401);
		const basic = await send('anonyme', 'GET', '/db/demo-mairie/_all_docs', undefined, {
			authorization: `Basic ${Buffer.from('admin:mauvais').toString('base64')}`
		});
		expect(basic.status).toBe(401);
		expect(basic.text).not.toMatch(/rows/);
	});

	it('refuses another commune’s staff credentials at a kiosk’s unlock', async () => {
		const result = await send('borne', 'POST', '/api/borne/unlock', USERS.otherStaff, {
			'x-forwarded-for': address()
		});
		expectApiError(result, 401, 'bad_login');
	});

	it.each(['habitant', 'borne', 'mairie-autre'] as Who[])(
		'refuses %s on every staff endpoint with 403, and anonymous with 401',
		async (who) => {
			const before = await snapshot();
			const residentId = (await admin().use('demo-mairie').list({ startkey: 'resident:' })).rows[0]
				.id;
			for (const [path, body] of [
				['/api/mairie/habitants', { labels: ['Intrus'] }],
				[`/api/mairie/habitants/${encodeURIComponent(residentId)}/revoke`, {}],
				[`/api/mairie/habitants/${encodeURIComponent(residentId)}/reissue`, {}],
				['/api/mairie/bornes', { label: 'Borne pirate' }],
				['/api/mairie/bornes/kiosk%3Ax/revoke', {}]
			] as const) {
				expectApiError(await send(who, 'POST', path, body), 403, 'forbidden');
				expectApiError(await send('anonyme', 'POST', path, body), 401, 'unauthorized');
			}
			expect(await snapshot()).toEqual(before);
		}
	);
});

describe('replaying an outbox id with a different payload', () => {
	async function storedBallots() {
		const { rows } = await admin()
			.use('demo-ballots')
			.list({ startkey: 'ballot:hostile:', endkey: 'ballot:hostile:\ufff0', include_docs: true });
		return rows.map((row) => row.doc);
	}

	it('keeps a resident’s ballot as first cast', async () => {
		const cookie = await residentCookie(app.url, spareCodes[0], address());
		const ballot = { outbox_id: 'replay-ballot-0001', poll: poll._id, choices: ['oui'] };
		expect((await send('anonyme', 'POST', '/api/ballots', ballot, { cookie })).status).toBe(201);
		const [stored] = await storedBallots();
		expect(stored).toMatchObject({ choices: ['oui'], outbox_id: ballot.outbox_id });

		const replay = await send(
			'anonyme',
			'POST',
			'/api/ballots',
			{ ...ballot, choices: ['non'] },
			{ cookie }
		);
		expectApiError(replay, 409, 'outbox_id_reused');
		const again = await send('anonyme', 'POST', '/api/ballots', ballot, { cookie });
		expect(again.status).toBe(200);
		expect(again.json).toMatchObject({ status: 'accepted', duplicate: true });
		expect(await storedBallots()).toEqual([stored]);
	});

	it('keeps a ballot typed at a kiosk as first cast', async () => {
		const before = await storedBallots();
		const ballot = {
			code: spareCodes[1],
			outbox_id: 'replay-kiosk-0001',
			poll: poll._id,
			choices: ['non']
		};
		expect((await send('borne', 'POST', '/api/borne/ballots', ballot)).status).toBe(201);
		const after = await storedBallots();
		expect(after).toHaveLength(before.length + 1);
		const replay = await send('borne', 'POST', '/api/borne/ballots', {
			...ballot,
			choices: ['oui']
		});
		expectApiError(replay, 409, 'outbox_id_reused');
		expect(await storedBallots()).toEqual(after);
	});

	it('keeps a submission as first sent, and refuses the id to another resident', async () => {
		const alice = await residentCookie(app.url, spareCodes[2], address());
		const bob = await residentCookie(app.url, spareCodes[3], address());
		const first = submission('replay-sub-0001');
		const sent = await send('anonyme', 'POST', '/api/submissions', first, { cookie: alice });
		expect(sent.status).toBe(201);
		const stored = await admin().use('demo-mairie').get('submission:replay-sub-0001');

		const changed = submission('replay-sub-0001', {
			kind: 'suggestion',
			title: 'Titre réécrit',
			body: 'Texte réécrit.',
			category: 'vie-locale',
			place: null,
			public_name: 'Quelqu’un'
		});
		const replay = await send('anonyme', 'POST', '/api/submissions', changed, { cookie: alice });
		expect(replay.status).toBe(200);
		expect(replay.json).toMatchObject({ status: 'accepted', duplicate: true });
		const stolen = await send('anonyme', 'POST', '/api/submissions', changed, { cookie: bob });
		expectApiError(stolen, 409, 'outbox_id_reused');
		expect(await admin().use('demo-mairie').get('submission:replay-sub-0001')).toEqual(stored);
	});

	it('keeps a support as first given, once per suggestion', async () => {
		const cookie = await residentCookie(app.url, spareCodes[4], address());
		const supportsOf = async (answer: string) =>
			(
				await admin()
					.use('demo-ballots')
					.list({
						startkey: `support:${answer.slice(7)}:`,
						endkey: `support:${answer.slice(7)}:\ufff0`,
						include_docs: true
					})
			).rows.map((row) => row.doc);
		const support = { outbox_id: 'replay-support-01', answer: SUGGESTION };
		expect((await send('anonyme', 'POST', '/api/supports', support, { cookie })).status).toBe(201);
		const stored = await supportsOf(SUGGESTION);
		expect(stored).toHaveLength(1);

		const again = await send('anonyme', 'POST', '/api/supports', support, { cookie });
		expect(again.status).toBe(200);
		expect(again.json).toMatchObject({ status: 'accepted', duplicate: true });
		const twice = await send(
			'anonyme',
			'POST',
			'/api/supports',
			{ ...support, outbox_id: 'replay-support-02' },
			{ cookie }
		);
		expectApiError(twice, 409, 'already_supported');
		// The same id on another suggestion is that suggestion's own support, counted once there.
		const elsewhere = { ...support, answer: OTHER_SUGGESTION };
		expect((await send('anonyme', 'POST', '/api/supports', elsewhere, { cookie })).status).toBe(
			201
		);
		expect((await send('anonyme', 'POST', '/api/supports', elsewhere, { cookie })).status).toBe(
			200
		);
		expect(await supportsOf(OTHER_SUGGESTION)).toHaveLength(1);
		expect(await supportsOf(SUGGESTION)).toEqual(stored);
	});
});

describe('oversized bodies', () => {
	const KB = 1024;
	const MB = 1024 * KB;
	const big = 'x'.repeat(2 * MB);
	// Above BODY_SIZE_LIMIT (40M, as `npm start` sets it).
	const huge = JSON.stringify({ padding: 'x'.repeat(41 * MB) });
	/** Every route that takes a body, as the one who may call it. */
	const routes: [Who, string][] = [
		['habitant', '/api/ballots'],
		['habitant', '/api/supports'],
		['habitant', '/api/submissions'],
		['anonyme', '/api/reads'],
		['anonyme', '/api/habitants/session'],
		['borne', '/api/borne/ballots'],
		['borne', '/api/borne/code'],
		['anonyme', '/api/borne/unlock'],
		['mairie', '/api/mairie/habitants'],
		['mairie', '/api/mairie/bornes']
	];

	/** A 413 in the API's shape, with the limit in the reason. */
	function expectTooLarge(result: Awaited<ReturnType<typeof send>>) {
		expectApiError(result, 413, 'too_large');
		expect(String(result.json?.reason)).toMatch(/trop volumineux \(\d+ [KM]o au plus\)/);
	}

	it.each(routes)(
		'answers %s’s 2 MB JSON body on %s with a JSON 413, storing nothing',
		async (who, path) => {
			const before = await snapshot();
			const body = { outbox_id: 'big-0001', code: big, labels: [big], label: big, name: big };
			expectTooLarge(await send(who, 'POST', path, body, { 'x-forwarded-for': address() }));
			expect(await snapshot()).toEqual(before);
		}
	);

	// Past BODY_SIZE_LIMIT the adapter cuts the body off; routes used to read that as no body.
	it.each(routes)('answers %s’s 41 MB body on %s with a JSON 413', async (who, path) => {
		const before = await snapshot();
		expectTooLarge(await send(who, 'POST', path, huge, { 'x-forwarded-for': address() }));
		expect(await snapshot()).toEqual(before);
	});

	it.each(routes)(
		'answers %s’s 640 kB body sent without a length on %s with a JSON 413',
		async (who, path) => {
			const before = await snapshot();
			const chunk = new TextEncoder().encode('x'.repeat(64 * KB));
			// A stream body goes out chunked: the server only learns its size by reading it.
			const body = new ReadableStream({
				start(controller) {
					for (let i = 0; i < 10; i++) controller.enqueue(chunk);
					controller.close();
				}
			});
			const response = await fetch(app.url + path, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'x-forwarded-for': address(),
					...(cookies[who] ? { cookie: cookies[who] } : {})
				},
				body,
				duplex: 'half'
			} as RequestInit);
			expect(response.status).toBe(413);
			expect(await response.json()).toMatchObject({ error: 'too_large' });
			expect(await snapshot()).toEqual(before);
		}
	);

	// Under the route's body limit, each field still has its own.
	const fields: [Who, string, unknown, number, string][] = [
		[
			'habitant',
			'/api/ballots',
			{ outbox_id: 'big-ballot-0001', poll: poll._id, choices: Array(2000).fill('oui') },
			400,
			'invalid_request'
		],
		[
			'habitant',
			'/api/supports',
			{ outbox_id: 'x'.repeat(5000), answer: SUGGESTION },
			400,
			'invalid_request'
		],
		[
			'habitant',
			'/api/submissions',
			submission('big-sub-0001', { body: 'x'.repeat(5000) }),
			400,
			'too_long'
		],
		['anonyme', '/api/habitants/session', { code: 'x'.repeat(5000) }, 400, 'invalid_format'],
		[
			'borne',
			'/api/borne/ballots',
			{ code: 'x'.repeat(5000), outbox_id: 'big-kiosk-0001', poll: poll._id, choices: ['oui'] },
			400,
			'invalid_request'
		],
		['anonyme', '/api/borne/unlock', { name: 'x'.repeat(129), password: 'x' }, 400, 'too_long'],
		[
			'anonyme',
			'/api/borne/unlock',
			{ name: STAFF.name, password: 'x'.repeat(257) },
			400,
			'too_long'
		],
		['mairie', '/api/mairie/habitants', { labels: ['x'.repeat(1000)] }, 400, 'invalid_label'],
		['mairie', '/api/mairie/habitants', { labels: Array(501).fill('Foyer') }, 400, 'too_many'],
		// More than one request's worth: the staff page sends batches of 20.
		['mairie', '/api/mairie/habitants', { labels: Array(21).fill('Foyer') }, 400, 'too_many'],
		['mairie', '/api/mairie/bornes', { label: 'x'.repeat(1000) }, 400, 'invalid_label']
	];

	it.each(fields)(
		'answers %s’s overlong field on %s with %i %s, storing nothing',
		async (who, path, body, status, error) => {
			const before = await snapshot();
			expectApiError(
				await send(who, 'POST', path, body, { 'x-forwarded-for': address() }),
				status,
				error
			);
			expect(await snapshot()).toEqual(before);
		}
	);

	it('takes a kiosk unlock of up to 4 kB, and refuses one byte more', async () => {
		const from = address();
		const padding = (length: number) => ({
			name: 'intrus-rembourre',
			password: 'x',
			pad: 'x'.repeat(length)
		});
		const fits = JSON.stringify(padding(0)).length;
		const atLimit = await send('borne', 'POST', '/api/borne/unlock', padding(4 * KB - fits), {
			'x-forwarded-for': from
		});
		expectApiError(atLimit, 401, 'bad_login');
		const over = await send('borne', 'POST', '/api/borne/unlock', padding(4 * KB - fits + 1), {
			'x-forwarded-for': from
		});
		expectTooLarge(over);
	});

	it('refuses a 41 MB multipart submission with a JSON 413', async () => {
		const form = new FormData();
		form.set('payload', JSON.stringify(submission('huge-sub-0001')));
		form.append('photo', new Blob([new Uint8Array(41 * MB)]), 'photo.jpg');
		const response = await fetch(`${app.url}/api/submissions`, {
			method: 'POST',
			headers: { cookie: cookies.habitant },
			body: form
		});
		expect(response.status).toBe(413);
		expect(await response.json()).toMatchObject({ error: 'too_large' });
		await expect(admin().use('demo-mairie').get('submission:huge-sub-0001')).rejects.toMatchObject({
			statusCode: 404
		});
	});

	it('takes three photos of 3 MB, and refuses a multipart body beyond them', async () => {
		const withPhotos = (id: string, sizes: number[]) => {
			const form = new FormData();
			form.set('payload', JSON.stringify(submission(id)));
			// A JPEG's first bytes, then padding: the server checks the type, not the picture.
			for (const size of sizes) {
				const photo = new Uint8Array(size);
				photo.set([0xff, 0xd8, 0xff, 0xe0]);
				form.append('photo', new Blob([photo], { type: 'image/jpeg' }), 'photo.jpg');
			}
			return fetch(`${app.url}/api/submissions`, {
				method: 'POST',
				headers: { cookie: cookies.habitant },
				body: form
			});
		};
		const full = await withPhotos('three-photos-0001', [3 * MB, 3 * MB, 3 * MB]);
		expect(full.status, await full.clone().text()).toBe(201);
		const stored = await admin().use('demo-mairie').get('submission:three-photos-0001');
		expect(Object.keys(stored._attachments ?? {})).toHaveLength(3);

		const over = await withPhotos('too-much-0001', [3 * MB, 3 * MB, 3 * MB, 1 * MB]);
		expect(over.status).toBe(413);
		expect(await over.json()).toMatchObject({ error: 'too_large' });
		await expect(admin().use('demo-mairie').get('submission:too-much-0001')).rejects.toMatchObject({
			statusCode: 404
		});
	});

	it('refuses an oversized /db/ body from anyone before it reaches the store', async () => {
		const body = JSON.stringify({ docs: [{ _id: 'notice:enorme', body: 'x'.repeat(33 * MB) }] });
		for (const who of HOSTILE) {
			const result = await send(who, 'POST', '/db/demo-public/_bulk_docs', body);
			expect(result.status).toBe(413);
			expect(result.json).toEqual({ error: 'too_large', reason: expect.stringMatching(/32 Mo/) });
		}
	});

	it('refuses an oversized /db/ body sent without a length, or past the adapter’s limit', async () => {
		for (const size of [33 * MB, 41 * MB]) {
			const chunk = new TextEncoder().encode('x'.repeat(MB));
			const body = new ReadableStream({
				start(controller) {
					for (let i = 0; i < size / MB; i++) controller.enqueue(chunk);
					controller.close();
				}
			});
			const response = await fetch(`${app.url}/db/demo-public/_bulk_docs`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', cookie: cookies.mairie },
				body,
				duplex: 'half'
			} as RequestInit);
			expect(response.status).toBe(413);
			expect(await response.json()).toMatchObject({ error: 'too_large' });
		}
	});
});

describe('checkpoints (_local documents) through /db/', () => {
	/** A checkpoint as the store holds it, read as its admin. */
	const readLocal = (db: string, id: string) => {
		const { origin, username, password } = new URL(server.adminUrl);
		return fetch(`${origin}/${db}/_local/${id}`, {
			headers: { authorization: `Basic ${btoa(`${username}:${password}`)}` }
		});
	};
	const localOf = async (db: string, id: string) => (await readLocal(db, id)).status;

	it.each(HOSTILE)(
		'refuses %s writing or deleting a checkpoint, in either database',
		async (who) => {
			for (const db of ['demo-public', 'demo-mairie']) {
				const path = `/db/${db}/_local/intrus`;
				const put = await send(who, 'PUT', path, { history: [], padding: 'x'.repeat(1000) });
				expect(put.status, `${who} ${db}`).toBe(who === 'anonyme' ? 401 : 403);
				expect(put.json?.error).toBe(who === 'anonyme' ? 'unauthorized' : 'forbidden');
				expect(String(put.json?.reason)).toMatch(/mairie/);
				const removed = await send(who, 'DELETE', `${path}?rev=0-1`);
				expect(removed.status).toBe(who === 'anonyme' ? 401 : 403);
				expect(await localOf(db, 'intrus')).toBe(404);
			}
		}
	);

	it.each([...HOSTILE, 'mairie' as Who])(
		'refuses %s a checkpoint hidden in _bulk_docs, escaped or not',
		async (who) => {
			for (const body of [
				JSON.stringify({ docs: [{ _id: '_local/cache', x: 1 }] }),
				JSON.stringify({ new_edits: false, docs: [{ _id: '_local/cache', _rev: '0-1' }] }),
				'{"docs":[{"_id":"\\u005flocal/cache","x":1}]}',
				'{"docs":[{"_id":"notice:a","_id":"_local/cache"}]}'
			]) {
				const result = await send(who, 'POST', '/db/demo-public/_bulk_docs', body);
				expect(result.status, body).toBe(403);
				expect(result.json).toEqual({
					error: 'forbidden',
					reason: expect.stringMatching(/_local/)
				});
			}
			expect(await localOf('demo-public', 'cache')).toBe(404);
		}
	);

	it('lets staff write a checkpoint of up to 64 kB, and no more', async () => {
		const path = '/db/demo-mairie/_local/laptop-test';
		const written = await send('mairie', 'PUT', path, { history: [{ last_seq: '1-a' }] });
		expect(written.status).toBe(201);
		const padded = { history: [], padding: 'x'.repeat(64 * 1024) };
		const refused = await send('mairie', 'PUT', path, padded);
		expect(refused.status).toBe(413);
		expect(refused.json).toEqual({ error: 'too_large', reason: expect.stringMatching(/64 Ko/) });
		const stored = (await (await readLocal('demo-mairie', 'laptop-test')).json()) as Record<
			string,
			unknown
		>;
		expect(stored.padding).toBeUndefined();
		expect(stored.history).toEqual([{ last_seq: '1-a' }]);
	});
});

describe('guessing staff passwords', () => {
	const login = (name: string, password: string, from: string) =>
		send('anonyme', 'POST', '/db/_session', { name, password }, { 'x-forwarded-for': from });

	function expectPaused(result: Awaited<ReturnType<typeof send>>) {
		expectApiError(result, 429, 'too_many_attempts');
		expect(String(result.json?.reason)).toMatch(/réessayez dans \d+ min/);
		expect(Number(result.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
		expect(result.headers.getSetCookie()).toEqual([]);
	}

	it('never counts a login that works', async () => {
		const from = address();
		for (let i = 0; i < 25; i++)
			expect((await login(USERS.kiosk.name, USERS.kiosk.password, from)).status).toBe(200);
	});

	it('pauses an address after 10 wrong passwords, even for a right one', async () => {
		const from = address();
		for (let i = 0; i < 10; i++) {
			const wrong = await login(`intrus-${i}`, 'devine', from);
			expect(wrong.status).toBe(401);
			expect(wrong.headers.getSetCookie()).toEqual([]);
		}
		expectPaused(await login(USERS.kiosk.name, USERS.kiosk.password, from));
		// The same account from elsewhere still signs in.
		expect((await login(USERS.kiosk.name, USERS.kiosk.password, address())).status).toBe(200);
	});

	it('pauses a name after 10 wrong passwords sent at once from as many addresses', async () => {
		const results = await Promise.all(
			Array.from({ length: 14 }, (_, i) => login(USERS.resident.name, `essai-${i}`, address()))
		);
		const statuses = results.map((result) => result.status);
		expect(statuses.filter((status) => status === 401)).toHaveLength(10);
		expect(statuses.filter((status) => status === 429)).toHaveLength(4);
		expectPaused(await login(USERS.resident.name, USERS.resident.password, address()));
	});

	// Issue 13: ten wrong passwords from strangers locked the secretary out for everyone.
	it('lets a laptop where staff signed in before sign in while strangers have paused the account', async () => {
		// An account of its own: this test pauses it for strangers for a quarter of an hour.
		const clerk = { name: 'secretaire-essai', password: 'mot-de-passe-essai' };
		await admin()
			.use('_users')
			.insert({
				_id: `org.couchdb.user:${clerk.name}`,
				name: clerk.name,
				type: 'user',
				roles: ['mairie:demo'],
				password: clerk.password
			} as never);
		const laptop = address();
		const first = await login(clerk.name, clerk.password, laptop);
		expect(first.status).toBe(200);
		const device = first.headers
			.getSetCookie()
			.find((cookie) => cookie.startsWith('crieur-poste-'));
		expect(device).toMatch(/HttpOnly; SameSite=Strict/);
		const deviceCookie = device!.split(';')[0];
		const results = await Promise.all(
			Array.from({ length: 12 }, (_, i) => login(clerk.name, `devine-${i}`, address()))
		);
		expect(results.filter((result) => result.status === 429)).toHaveLength(2);
		expectPaused(await login(clerk.name, clerk.password, address()));
		const again = await send(
			'anonyme',
			'POST',
			'/db/_session',
			{ name: clerk.name, password: clerk.password },
			{ 'x-forwarded-for': laptop, cookie: deviceCookie }
		);
		expect(again.status).toBe(200);
		// The laptop's own wrong passwords pause the laptop alone.
		for (let i = 0; i < 10; i++) {
			const wrong = await send(
				'anonyme',
				'POST',
				'/db/_session',
				{ name: clerk.name, password: `oubli-${i}` },
				{ 'x-forwarded-for': laptop, cookie: deviceCookie }
			);
			expect(wrong.status).toBe(401);
		}
		const paused = await send(
			'anonyme',
			'POST',
			'/db/_session',
			{ name: clerk.name, password: clerk.password },
			{ 'x-forwarded-for': laptop, cookie: deviceCookie }
		);
		expectApiError(paused, 429, 'too_many_attempts');
		expect(String(paused.json?.reason)).toMatch(/sur ce poste/);
	});

	it('counts wrong form logins and wrong basic auth alike', async () => {
		const from = address();
		for (let i = 0; i < 5; i++) {
			const form = await send('anonyme', 'POST', '/db/_session', `name=forme-${i}&password=x`, {
				'content-type': 'application/x-www-form-urlencoded',
				'x-forwarded-for': from
			});
			expect(form.status).toBe(401);
			const basic = await send('anonyme', 'GET', '/db/demo-public', undefined, {
				authorization: `Basic ${Buffer.from(`basique-${i}:x`).toString('base64')}`,
				'x-forwarded-for': from
			});
			expect(basic.status).toBe(401);
		}
		expectPaused(await login(USERS.kiosk.name, USERS.kiosk.password, from));
		const basic = await send('anonyme', 'GET', '/db/demo-public', undefined, {
			authorization: `Basic ${Buffer.from(`${USERS.kiosk.name}:${USERS.kiosk.password}`).toString('base64')}`,
			'x-forwarded-for': from
		});
		expectPaused(basic);
	});

	it('caps a login body at 4 kB', async () => {
		const result = await send(
			'anonyme',
			'POST',
			'/db/_session',
			{ name: 'x'.repeat(5000), password: 'x' },
			{ 'x-forwarded-for': address() }
		);
		expect(result.status).toBe(413);
		expect(result.json).toEqual({ error: 'too_large', reason: expect.stringMatching(/4 Ko/) });
	});
});

/** The cookies a response sets, but for the device cookie every code attempt may get. */
const sessionCookies = (result: { headers: Headers }) =>
	result.headers.getSetCookie().filter((cookie) => !cookie.startsWith('crieur-poste-'));

describe('guessing resident codes', () => {
	const WRONG = 'ACDE-FGHJ-KMNP';
	/** Wrong codes the server looked up: the whole server allows 2,000 per 10 minutes. */
	let judged = 0;

	async function enter(code: string, from: string) {
		const result = await send(
			'anonyme',
			'POST',
			'/api/habitants/session',
			{ code },
			{
				'x-forwarded-for': from
			}
		);
		if (result.status === 401) judged++;
		return result;
	}

	// Issue 13: a household, or a carrier's address shared by thousands of phones, is
	// not stopped by a few typing slips; 54-bit codes need no tighter limit.
	it('stops an address after 50 wrong codes, even when the 51st is right', async () => {
		const from = address();
		for (let i = 0; i < 50; i++) {
			const result = await enter(WRONG, from);
			expectApiError(result, 401, 'unknown_code');
			expect(sessionCookies(result)).toEqual([]);
		}
		for (const code of [WRONG, spareCodes[5]]) {
			const blocked = await enter(code, from);
			expectApiError(blocked, 429, 'too_many_attempts');
			expect(String(blocked.json?.reason)).toMatch(/depuis cette connexion/);
			expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(500);
			expect(sessionCookies(blocked)).toEqual([]);
		}
	});

	it('counts wrong codes sent all at once from one address', async () => {
		const from = address();
		const results = await Promise.all(Array.from({ length: 60 }, () => enter(WRONG, from)));
		const statuses = results.map((result) => result.status).sort();
		expect(statuses.filter((status) => status === 401)).toHaveLength(50);
		expect(statuses.filter((status) => status === 429)).toHaveLength(10);
		expect(results.flatMap(sessionCookies)).toEqual([]);
	});

	/** A phone: the device cookie it got asking whether it has a session, then its code. */
	async function phoneAt(from: string) {
		const asked = await send('anonyme', 'GET', '/api/habitants/session', undefined, {
			'x-forwarded-for': from
		});
		const device = asked.headers
			.getSetCookie()
			.find((cookie) => cookie.startsWith('crieur-poste-'))!
			.split(';')[0];
		return {
			enter: async (code: string) => {
				const result = await send(
					'anonyme',
					'POST',
					'/api/habitants/session',
					{ code },
					{ 'x-forwarded-for': from, cookie: device }
				);
				if (result.status === 401) judged++;
				return result;
			}
		};
	}

	// Issue 13: thousands of phones share a mobile carrier's address.
	it('lets 40 phones behind one carrier address each slip twice, then come in', async () => {
		const carrier = address();
		const phones = await Promise.all(Array.from({ length: 40 }, () => phoneAt(carrier)));
		for (const phone of phones) {
			for (let i = 0; i < 2; i++) expectApiError(await phone.enter(WRONG), 401, 'unknown_code');
		}
		expect((await phones[0].enter(spareCodes[7])).status).toBe(200);
	});

	it('stops one phone after 20 of its own wrong codes, and only that phone', async () => {
		const home = address();
		const [mine, theirs] = [await phoneAt(home), await phoneAt(home)];
		for (let i = 0; i < 20; i++) expectApiError(await mine.enter(WRONG), 401, 'unknown_code');
		const paused = await mine.enter(WRONG);
		expectApiError(paused, 429, 'too_many_attempts');
		expect(String(paused.json?.reason)).toMatch(/depuis cet appareil/);
		expect(sessionCookies(paused)).toEqual([]);
		expectApiError(await theirs.enter(WRONG), 401, 'unknown_code');
	});

	it('stops a kiosk after 20 wrong codes sent at once, and stores no ballot', async () => {
		const kiosk = await pairedKioskCookie(app.url, cookies.mairie);
		const ballots = (await admin().use('demo-ballots').list()).rows.length;
		const vote = (code: string, i: number) =>
			send(
				'anonyme',
				'POST',
				'/api/borne/ballots',
				{
					code,
					outbox_id: `guess-kiosk-${String(i).padStart(4, '0')}`,
					poll: poll._id,
					choices: ['oui']
				},
				{ cookie: kiosk }
			);
		const results = await Promise.all(Array.from({ length: 30 }, (_, i) => vote(WRONG, i)));
		const statuses = results.map((result) => result.status);
		expect(statuses.filter((status) => status === 403)).toHaveLength(20);
		expect(statuses.filter((status) => status === 429)).toHaveLength(10);
		for (const result of results) {
			expectApiError(
				result,
				result.status,
				result.status === 403 ? 'unknown_code' : 'too_many_attempts'
			);
		}
		expectApiError(await vote(spareCodes[5], 99), 429, 'too_many_attempts');
		expect((await admin().use('demo-ballots').list()).rows.length).toBe(ballots);
	});

	it('stops guessing staff passwords at a kiosk after 10 tries sent at once', async () => {
		const from = address();
		const unlock = (password: string) =>
			send(
				'borne',
				'POST',
				'/api/borne/unlock',
				{ name: STAFF.name, password },
				{
					'x-forwarded-for': from
				}
			);
		const results = await Promise.all(Array.from({ length: 15 }, (_, i) => unlock(`essai-${i}`)));
		const statuses = results.map((result) => result.status);
		expect(statuses.filter((status) => status === 401)).toHaveLength(10);
		expect(statuses.filter((status) => status === 429)).toHaveLength(5);
		expectApiError(await unlock(STAFF.password), 429, 'too_many_attempts');
	});

	// Last: it spends the whole server's allowance for ten minutes.
	it('stops strangers after 2,000 wrong codes from many addresses, not a household that entered a right one', async () => {
		const household = address();
		expect((await enter(spareCodes[6], household)).status).toBe(200);
		const left = 2000 - judged;
		const addresses = Array.from({ length: 41 }, () => address());
		// 200 at a time: 2,050 connections at once overflow the listen queue (ECONNRESET).
		const results: Awaited<ReturnType<typeof enter>>[] = [];
		for (let i = 0; i < addresses.length; i += 4) {
			const wave = addresses.slice(i, i + 4);
			results.push(
				...(await Promise.all(
					wave.flatMap((from) => Array.from({ length: 50 }, () => enter(WRONG, from)))
				))
			);
		}
		const statuses = results.map((result) => result.status);
		expect(statuses.filter((status) => status === 401)).toHaveLength(left);
		expect(statuses.filter((status) => status === 429)).toHaveLength(2050 - left);
		expect(judged).toBe(2000);
		const fresh = await enter(spareCodes[5], address());
		expectApiError(fresh, 429, 'too_many_attempts');
		expect(String(fresh.json?.reason)).toMatch(/serveur/);
		expect(sessionCookies(fresh)).toEqual([]);
		// A second phone of the household still gets in.
		expect((await enter(spareCodes[6], household)).status).toBe(200);
	});
});
