import nano from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishDue } from '../../src/lib/server/jobs/publisher.ts';
import type { Backend } from '../../src/lib/server/backend.ts';
import { noticeFactory } from '../factories.ts';
import type { TestApp } from '../harness/app.ts';
import { STAFF } from '../harness/couch.ts';
import { startOwnApp, type OwnApp } from '../harness/own-app.ts';
import type { TestStore } from '../harness/store.ts';

/**
 * The production build in front of a CouchDB-protocol server, as on a host
 * (COUCHDB_URL). Its own app: the villager pull's tests read the whole public
 * feed (a device up to date gets one empty line; a new one gets every stored
 * document), which any other file's write would change.
 */
let own: OwnApp;
let server: TestStore;
let app: TestApp;

beforeAll(async () => {
	own = await startOwnApp({ demoContent: true });
	server = own.store;
	app = own.app;
});
afterAll(async () => {
	await own?.stop();
});

async function login(): Promise<string> {
	const response = await fetch(`${app.url}/db/_session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(STAFF)
	});
	expect(response.status).toBe(200);
	return response.headers.getSetCookie()[0].split(';')[0];
}

describe('/db/ proxy', () => {
	it.each([
		['GET', '/db/', 403],
		['GET', '/db/_all_dbs', 403],
		['GET', '/db/_users/_all_docs', 403],
		['GET', '/db/_config', 403],
		['GET', '/db/_node/_local/_config', 403],
		['POST', '/db/_replicate', 403],
		['GET', '/db/_active_tasks', 403],
		['GET', '/db/_utils/', 403],
		['GET', '/db/demo-ballots/_all_docs', 403],
		['PUT', '/db/newdb', 403],
		['PUT', '/db/demo-public', 405],
		['DELETE', '/db/demo-public', 405],
		['GET', '/db/demo-public/_security', 403],
		['GET', '/db/demo-public/_design/crieur', 403],
		['GET', '/db/demo-public/_changes?filter=_selector', 403],
		['GET', '/db/demo-public/_changes?feed=longpoll&since=now', 403],
		['GET', '/db/demo-public/_changes?feed=continuous', 403],
		// fetch resolves %2E%2E before sending: this arrives as /db/_users.
		['GET', '/db/demo-public/%2E%2E/_users', 403],
		['GET', '/db/%5Fusers', 403],
		['GET', '/db/demo-public%2F..%2F_users', 403]
	])('refuses %s %s with %i and a JSON reason', async (method, path, status) => {
		const response = await fetch(`${app.url}${path}`, {
			method,
			headers: { 'content-type': 'application/json' },
			body: ['PUT', 'POST'].includes(method) ? '{}' : undefined
		});
		expect(response.status).toBe(status);
		expect(response.headers.get('content-type')).toMatch(/application\/json/);
		const body = (await response.json()) as { error: string; reason: string };
		expect(body.reason.length).toBeGreaterThan(5);
	});

	it('lets anonymous clients read the public database and nothing else', async () => {
		expect((await fetch(`${app.url}/db/demo-public`)).status).toBe(200);
		expect((await fetch(`${app.url}/db/demo-public/commune`)).status).toBe(200);
		expect((await fetch(`${app.url}/db/demo-mairie/_all_docs`)).status).toBe(401);
	});

	it('refuses anonymous writes through the proxy, as CouchDB does', async () => {
		const doc = noticeFactory();
		const response = await fetch(`${app.url}/db/demo-public/${encodeURIComponent(doc._id)}`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(doc)
		});
		expect(response.status).toBe(401);
	});

	it('carries the staff session cookie to CouchDB', async () => {
		const cookie = await login();
		const session = await (await fetch(`${app.url}/db/_session`, { headers: { cookie } })).json();
		expect(session.userCtx).toMatchObject({ name: STAFF.name, roles: ['mairie:demo'] });
		const doc = noticeFactory();
		const write = await fetch(`${app.url}/db/demo-public/${encodeURIComponent(doc._id)}`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json', cookie },
			body: JSON.stringify(doc)
		});
		expect(write.status).toBe(201);
		const mairie = await fetch(`${app.url}/db/demo-mairie/_all_docs`, { headers: { cookie } });
		expect(mairie.status).toBe(200);
	});

	it('compresses JSON, which CouchDB 3 never does', async () => {
		const response = await fetch(`${app.url}/db/demo-public/_all_docs?include_docs=true`, {
			headers: { 'accept-encoding': 'gzip' }
		});
		expect(response.headers.get('content-encoding')).toBe('gzip');
		// fetch has already inflated the body.
		const body = JSON.parse(await response.text());
		expect(body.rows.length).toBeGreaterThan(10);
	});

	it('refuses cross-site writes with a JSON error, even with valid credentials', async () => {
		const response = await fetch(`${app.url}/db/_session`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
			body: JSON.stringify(STAFF)
		});
		expect(response.status).toBe(403);
		expect(response.headers.getSetCookie()).toEqual([]);
		expect((await response.json()).reason).toMatch(/autre site/);
	});

	it('refuses oversized bodies before they reach CouchDB', async () => {
		const response = await fetch(`${app.url}/db/demo-public/_bulk_docs`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ docs: [{ _id: 'notice:big', body: 'x'.repeat(33 * 1024 * 1024) }] })
		});
		expect(response.status).toBe(413);
		expect((await response.json()).reason).toMatch(/trop volumineux/);
	});
});

describe('villager pull (/api/sync)', () => {
	it('sends documents with their revision history, pages, and nothing when up to date', async () => {
		const first = await (await fetch(`${app.url}/api/sync?since=0&limit=5`)).json();
		expect(first.docs.length).toBeGreaterThan(0);
		expect(first.more).toBe(true);
		for (const doc of first.docs) {
			expect(doc._revisions.ids.length).toBeGreaterThan(0);
			expect(doc._id.startsWith('_design/')).toBe(false);
		}
		let since = first.last_seq;
		let pages = 1;
		for (;;) {
			const page = await (await fetch(`${app.url}/api/sync?since=${since}&limit=5`)).json();
			pages++;
			since = page.last_seq;
			if (!page.more) break;
		}
		const idle = await (await fetch(`${app.url}/api/sync?since=${since}`)).json();
		expect(idle).toEqual({ docs: [], last_seq: since, more: false });
		expect(pages).toBeGreaterThan(2);
	});

	it('keeps attachments on the server and lists them', async () => {
		const page = await (await fetch(`${app.url}/api/sync?since=0&limit=1000`)).json();
		const arrete = page.docs.find(
			(doc: { _id: string }) => doc._id === 'notice:demo-arrete-circulation-forge'
		);
		expect(arrete._attachments).toBeUndefined();
		expect(arrete.files).toEqual([
			{ name: 'arrete-2026-041.pdf', content_type: 'application/pdf', length: expect.any(Number) }
		]);
	});

	it('sends deletions, so that a retracted notice leaves every phone', async () => {
		const before = await (await fetch(`${app.url}/api/sync?since=0&limit=1000`)).json();
		const db = nano(server.adminUrl).use('demo-public');
		const doc = await db.get('notice:demo-bibliotheque');
		await db.destroy(doc._id, doc._rev);
		const after = await (await fetch(`${app.url}/api/sync?since=${before.last_seq}`)).json();
		expect(after.docs).toEqual([
			expect.objectContaining({ _id: 'notice:demo-bibliotheque', _deleted: true })
		]);
	});

	it('answers bad parameters with a JSON error', async () => {
		const response = await fetch(`${app.url}/api/sync?since=0&limit=99999`);
		expect(response.status).toBe(400);
		expect((await response.json()).reason).toMatch(/limit/);
	});
});
describe('villager pull, streamed (/api/sync as NDJSON)', () => {
	interface Line {
		docs: { _id: string; _rev: string; _deleted?: boolean; _revisions?: { ids: string[] } }[];
		current?: true;
		last_seq?: string;
		more?: boolean;
	}

	async function stream(since: string) {
		const response = await fetch(`${app.url}/api/sync?since=${since}`, {
			headers: { accept: 'application/x-ndjson', 'accept-encoding': 'gzip' }
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
		const text = await response.text();
		expect(text.endsWith('\n')).toBe(true);
		const lines = text
			.trim()
			.split('\n')
			.map((line) => JSON.parse(line) as Line);
		return { response, lines };
	}

	it('gives a new device its home page first, then the history without repeating it', async () => {
		const { response, lines } = await stream('0');
		expect(response.headers.get('content-encoding')).toBe('gzip');
		const home = await (await fetch(`${app.url}/api/public/current`)).json();
		const [current, ...pages] = lines;
		expect(current.current).toBe(true);
		const currentIds = current.docs.map((doc) => doc._id);
		expect(currentIds).toContain('commune');
		for (const notice of home.notices) expect(currentIds).toContain(notice._id);
		for (const { poll } of home.polls) expect(currentIds).toContain(poll._id);
		// Nothing expired comes first.
		const expired = current.docs.filter(
			(doc) => (doc as { expires_at?: string }).expires_at! < new Date().toISOString()
		);
		expect(expired).toEqual([]);

		const seen = new Set<string>();
		for (const line of lines) {
			for (const doc of line.docs) {
				// A device with nothing needs no revision history (the hashes do not compress).
				expect(doc._revisions).toBeUndefined();
				expect(seen.has(`${doc._id} ${doc._rev}`)).toBe(false);
				seen.add(`${doc._id} ${doc._rev}`);
			}
		}
		expect(pages.at(-1)!.more).toBe(false);
		const all = await nano(server.adminUrl).use('demo-public').list();
		const stored = all.rows.map((row) => row.id).filter((id) => !id.startsWith('_design/'));
		const received = new Set(
			lines.flatMap((line) => line.docs.filter((doc) => !doc._deleted).map((doc) => doc._id))
		);
		expect([...received].sort()).toEqual(stored.sort());
	});

	it('answers a device up to date with one short line', async () => {
		const { lines } = await stream('0');
		const since = lines.at(-1)!.last_seq!;
		const idle = await stream(since);
		expect(idle.lines).toEqual([{ docs: [], last_seq: since, more: false }]);
	});

	it('sends a later change with its whole revision history, so it joins the stored one', async () => {
		const db = nano(server.adminUrl).use('demo-public');
		const created = await db.insert(
			noticeFactory({ _id: 'notice:flux-modifie', expires_at: '2026-11-21T00:00:00.000Z' })
		);
		const { lines } = await stream('0');
		const since = lines.at(-1)!.last_seq!;
		const doc = await db.get('notice:flux-modifie');
		await db.insert({ ...doc, title: 'Avis modifié' } as typeof doc);
		const after = await stream(since);
		const changed = after.lines.flatMap((line) => line.docs);
		expect(changed).toHaveLength(1);
		expect(changed[0]._revisions!.ids).toHaveLength(Number(changed[0]._rev.split('-')[0]));
		expect(changed[0]._revisions!.ids[1]).toBe(created.rev.split('-')[1]);
		await db.destroy('notice:flux-modifie', changed[0]._rev);
	});

	it('refuses a malformed checkpoint in JSON, before streaming anything', async () => {
		const response = await fetch(`${app.url}/api/sync?since=../_config`, {
			headers: { accept: 'application/x-ndjson' }
		});
		expect(response.status).toBe(400);
		expect((await response.json()).reason).toMatch(/since/);
	});
});

describe('first visit, server-rendered', () => {
	it('shows the notices before any script runs', async () => {
		const html = await (await fetch(`${app.url}/`)).text();
		expect(html).toContain('<html lang="fr">');
		expect(html).toContain("Coupure d'eau rue des Tilleuls");
		expect(html).toContain('Alerte urgente');
	});

	it('gives a shared link a proper preview', async () => {
		const html = await (await fetch(`${app.url}/avis/demo-arrete-circulation-forge`)).text();
		expect(html).toMatch(
			/<title>Arrêté : circulation alternée route de la Forge pendant les travaux — Saint-Crieur<\/title>/
		);
		expect(html).toMatch(/<meta property="og:title" content="Arrêté : circulation alternée/);
		expect(html).toMatch(/<meta name="description" content="Le maire de Saint-Crieur, Vu le code/);
		expect(html).toContain('arrete-2026-041.pdf');
	});

	it('answers 404 in French for an unknown notice', async () => {
		const response = await fetch(`${app.url}/avis/nexiste-pas`);
		expect(response.status).toBe(404);
		expect(await response.text()).toContain('n’existe pas');
	});

	it('serves attachments under a stable URL', async () => {
		const response = await fetch(
			`${app.url}/fichiers/demo-arrete-circulation-forge/arrete-2026-041.pdf`
		);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('application/pdf');
		expect(
			Buffer.from(await response.arrayBuffer())
				.subarray(0, 5)
				.toString()
		).toBe('%PDF-');
	});

	it('serves a manifest named after the commune', async () => {
		const manifest = await (await fetch(`${app.url}/manifest.webmanifest`)).json();
		expect(manifest).toMatchObject({
			name: 'Crieur — Saint-Crieur',
			lang: 'fr',
			display: 'standalone'
		});
		expect(manifest.icons.map((icon: { sizes: string }) => icon.sizes)).toEqual(
			expect.arrayContaining(['192x192', '512x512'])
		);
	});
});

describe('scheduled publication', () => {
	it('moves a due notice from the mairie to the public database, and only when due', async () => {
		const couch = nano(server.adminUrl);
		const backend = {
			couch,
			databases: {
				public: 'demo-public',
				mairie: 'demo-mairie',
				ballots: 'demo-ballots',
				reach: 'demo-reach'
			}
		} as unknown as Backend;
		const due = {
			...noticeFactory({ published_at: new Date(Date.now() - 1000).toISOString() }),
			status: 'scheduled'
		};
		const later = {
			...noticeFactory({ published_at: new Date(Date.now() + 3_600_000).toISOString() }),
			status: 'scheduled'
		};
		await couch.use('demo-mairie').bulk({ docs: [due, later] });

		const published = await publishDue(backend);
		expect(published).toEqual([due._id]);
		const inPublic = await couch.use('demo-public').get(due._id);
		expect(inPublic).not.toHaveProperty('status');
		await expect(couch.use('demo-mairie').get(due._id)).rejects.toMatchObject({ statusCode: 404 });
		await expect(couch.use('demo-public').get(later._id)).rejects.toMatchObject({
			statusCode: 404
		});
		expect(await publishDue(backend)).toEqual([]);
	});
});

describe('API errors', () => {
	it('answers an unknown path or a wrong method in JSON, in the reader’s language', async () => {
		for (const [method, path, status, code] of [
			['GET', '/api/nexiste-pas', 404, 'not_found'],
			['POST', '/api/public/current', 405, 'method_not_allowed'],
			['DELETE', '/api/ballots', 405, 'method_not_allowed']
		] as const) {
			const response = await fetch(`${app.url}${path}`, { method });
			expect(response.status, path).toBe(status);
			expect(response.headers.get('content-type')).toMatch(/^application\/json/);
			const body = (await response.json()) as { error: string; reason: string };
			expect(body.error).toBe(code);
			expect(body.reason).toMatch(/[a-zé]/);
		}
		const english = await fetch(`${app.url}/api/nexiste-pas`, {
			headers: { 'accept-language': 'en' }
		});
		expect(((await english.json()) as { reason: string }).reason).toBe(
			'This API address does not exist.'
		);
		// Pages keep their HTML error page.
		const page = await fetch(`${app.url}/nexiste-pas`);
		expect(page.headers.get('content-type')).toMatch(/^text\/html/);
	});
});
