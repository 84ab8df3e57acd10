import fs from 'node:fs';
import path from 'node:path';
import nano from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionCommune } from '../../couch/provision.ts';
import { startApp, type TestApp } from '../harness/app.ts';
import { provisionDemo, STAFF } from '../harness/couch.ts';
import { startStore, storeKind, type TestStore } from '../harness/store.ts';

// Its own store: provisioning starts from an empty one and places the demo commune's centre.
let server: TestStore;

beforeAll(async () => {
	server = await startStore();
});
afterAll(() => server?.stop());

async function snapshot(adminUrl: string) {
	const couch = nano(adminUrl);
	const out: Record<string, unknown> = {};
	for (const db of ['demo-public', 'demo-mairie', 'demo-ballots']) {
		out[`${db}/_security`] = await couch.request({ db, path: '_security' });
		out[`${db}/info`] = (await couch.db.get(db)).update_seq;
	}
	out.ddocPublic = (await couch.use('demo-public').get('_design/crieur'))._rev;
	out.ddocMairie = (await couch.use('demo-mairie').get('_design/crieur'))._rev;
	out.commune = (await couch.use('demo-public').get('commune'))._rev;
	out.user = (await couch.use('_users').get(`org.couchdb.user:${STAFF.name}`))._rev;
	return out;
}

describe('provisioning a commune', () => {
	it('creates everything the first time and changes nothing the second', async () => {
		const first = await provisionDemo(server.adminUrl);
		expect(first.changes).toEqual(
			expect.arrayContaining([
				'base demo-public créée',
				'base demo-mairie créée',
				'base demo-ballots créée'
			])
		);
		expect(first.staffCreated).toBe(true);
		const before = await snapshot(server.adminUrl);

		const second = await provisionCommune(server.adminUrl, {
			slug: 'demo',
			name: 'Saint-Crieur',
			staff: { name: STAFF.name, password: 'un-autre-mot-de-passe' }
		});
		expect(second).toEqual({ changes: [], staffCreated: false });
		expect(await snapshot(server.adminUrl)).toEqual(before);

		// The password was not reset by the second run.
		const session = await fetch(`${server.url}/_session`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(STAFF)
		});
		expect(session.status).toBe(200);
	});

	it('sets _security so that only staff read the mairie and only admins the ballots', async () => {
		const couch = nano(server.adminUrl);
		expect(await couch.request({ db: 'demo-mairie', path: '_security' })).toEqual({
			admins: { names: [], roles: [] },
			members: { names: [], roles: ['mairie:demo'] }
		});
		expect(await couch.request({ db: 'demo-ballots', path: '_security' })).toEqual({
			admins: { names: [], roles: [] },
			members: { names: [], roles: ['_admin'] }
		});
	});

	// Only CouchDB shards; the stand-in has one store per database and no _shards.
	it.runIf(storeKind() === 'couchdb')(
		'creates each database with one shard, as many small databases want',
		async () => {
			const couch = nano(server.adminUrl);
			for (const db of ['demo-public', 'demo-mairie', 'demo-ballots']) {
				const shards = (await couch.request({ db, path: '_shards' })) as {
					shards: Record<string, string[]>;
				};
				expect(Object.keys(shards.shards)).toHaveLength(1);
			}
		}
	);

	it('places the commune centre for the report map, once, and CouchDB refuses a bad one', async () => {
		const centre = { lat: 46.3167, lng: 4.8333 };
		const placed = await provisionCommune(server.adminUrl, {
			slug: 'demo',
			name: 'Saint-Crieur',
			centre
		});
		expect(placed.changes).toEqual(['centre de la commune placé en 46.3167, 4.8333']);
		const publicDb = nano(server.adminUrl).use<{ centre?: unknown }>('demo-public');
		const commune = await publicDb.get('commune');
		expect(commune.centre).toEqual(centre);

		const again = await provisionCommune(server.adminUrl, {
			slug: 'demo',
			name: 'Saint-Crieur',
			centre
		});
		expect(again.changes).toEqual([]);

		for (const bad of [{ lat: 120, lng: 4 }, { lat: '46', lng: 4 }, 'ici']) {
			await expect(publicDb.insert({ ...commune, centre: bad } as never)).rejects.toMatchObject({
				statusCode: 403
			});
		}
		expect((await publicDb.get('commune')).centre).toEqual(centre);
	});

	it('refuses a bad commune identifier before touching the server', async () => {
		await expect(
			provisionCommune(server.adminUrl, { slug: '../_users', name: 'x' })
		).rejects.toThrow(/Identifiant de commune invalide/);
	});
});

describe('a first start on an empty store with CRIEUR_DEMO=1', () => {
	it('provisions the demo commune, its content and a staff login, as the embedded store does', async () => {
		const store = await startStore();
		let app: TestApp | null = null;
		try {
			app = await startApp({ COUCHDB_URL: store.adminUrl, CRIEUR_DEMO: '1' });
			const file = fs.readFileSync(path.join(app.dataDir, 'identifiants-mairie.txt'), 'utf8');
			const name = /Identifiant : (\S+)/.exec(file)?.[1];
			const password = /Mot de passe : (\S+)/.exec(file)?.[1];
			expect(app.output()).toContain(`mot de passe « ${password} »`);
			const login = await fetch(`${app.url}/db/_session`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ name, password })
			});
			expect(login.status).toBe(200);
			const feed = (await (await fetch(`${app.url}/api/sync?since=0&limit=1000`)).json()) as {
				docs: { _id: string }[];
			};
			expect(feed.docs.map((doc) => doc._id)).toContain('notice:demo-horaires-hiver');
		} finally {
			await app?.stop();
			if (app) fs.rmSync(app.dataDir, { recursive: true, force: true });
			await store.stop();
		}
	});
});
