import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import nano from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionCommune } from '../../couch/provision.ts';
import { noticeFactory } from '../factories.ts';
import { rawRequest, type RawResponse } from '../harness/api.ts';
import { basic } from '../harness/couch.ts';
import { startOwnApp, type OwnApp } from '../harness/own-app.ts';

const run = promisify(execFile);

/**
 * Issue 15 §2: one deployment, several communes, each reached by its host
 * name. Its own app and store: adding a second commune changes what every
 * other host is answered, which the suite's shared app must not see.
 */
let own: OwnApp;
const VOISINE_STAFF = { name: 'secretariat-voisine', password: 'mot-de-passe-voisine' };

beforeAll(async () => {
	own = await startOwnApp({ demoContent: true, env: { CRIEUR_JOB_INTERVAL_SECONDS: '1' } });
});
afterAll(() => own?.stop());

/** A request as a browser on `host` sends it (fetch cannot set Host). */
async function onHost(
	host: string,
	method: string,
	path: string,
	options: { cookie?: string; json?: unknown; headers?: Record<string, string> } = {}
): Promise<RawResponse & { json: () => Record<string, unknown> }> {
	const headers: Record<string, string> = { host, ...options.headers };
	if (options.cookie) headers.cookie = options.cookie;
	if (options.json !== undefined) headers['content-type'] = 'application/json';
	const body = options.json === undefined ? undefined : JSON.stringify(options.json);
	const response = await rawRequest(own.url, method, path, { headers, body });
	return { ...response, json: () => JSON.parse(response.text) as Record<string, unknown> };
}

async function communeNameOn(host: string): Promise<string | null> {
	const response = await onHost(host, 'GET', '/api/public/current');
	if (response.status !== 200) return null;
	return (response.json().commune as { name: string }).name;
}

async function signIn(host: string, login: { name: string; password: string }): Promise<string> {
	const response = await onHost(host, 'POST', '/db/_session', { json: login });
	expect(response.status).toBe(200);
	const cookies = response.headers['set-cookie'] as string[];
	return cookies[0].split(';')[0];
}

describe('communes chosen by host name', () => {
	it('serves its only commune on any host', async () => {
		for (const host of ['127.0.0.1', 'crieur.example.fr', 'anything.localhost:8080']) {
			expect(await communeNameOn(host)).toBe('Saint-Crieur');
		}
	});

	it('keeps serving its own commune on every other host while that one claims none', async () => {
		await provisionCommune(own.store.adminUrl, {
			slug: 'hameau',
			name: 'Le Hameau',
			hosts: ['hameau.localhost']
		});
		await expect
			.poll(() => communeNameOn('hameau.localhost'), { timeout: 10_000, interval: 200 })
			.toBe('Le Hameau');
		// A commune added beside the village's own server does not take its address away.
		expect(await communeNameOn('127.0.0.1')).toBe('Saint-Crieur');
		expect(await communeNameOn('crieur.example.fr')).toBe('Saint-Crieur');
	});

	it('serves a commune provisioned while it runs within 10 s, on its own host only', async () => {
		await provisionCommune(own.store.adminUrl, {
			slug: 'demo',
			name: 'Saint-Crieur',
			hosts: ['saint-crieur.localhost']
		});
		const { stdout } = await run(
			process.execPath,
			[
				'couch/cli/provision.ts',
				'--commune',
				'voisine',
				'--name',
				'Voisine-sur-Loire',
				'--host',
				'voisine.localhost',
				'--host',
				'mairie-voisine.localhost',
				'--staff',
				VOISINE_STAFF.name
			],
			{
				env: {
					...process.env,
					COUCHDB_URL: own.store.adminUrl,
					STAFF_PASSWORD: VOISINE_STAFF.password
				}
			}
		);
		expect(stdout).toContain(
			'commune voisine servie à voisine.localhost, mairie-voisine.localhost'
		);
		const provisioned = Date.now();
		await expect
			.poll(() => communeNameOn('voisine.localhost:3000'), { timeout: 10_000, interval: 200 })
			.toBe('Voisine-sur-Loire');
		console.log(`voisine served ${Date.now() - provisioned} ms after provisioning`);
		expect(await communeNameOn('mairie-voisine.localhost')).toBe('Voisine-sur-Loire');
		expect(await communeNameOn('SAINT-CRIEUR.localhost')).toBe('Saint-Crieur');

		// Every commune claims its host names now: a host none claims is told so, naming none.
		const api = await onHost('127.0.0.1', 'GET', '/api/public/current');
		expect(api.status).toBe(404);
		expect(api.json()).toMatchObject({ error: 'unknown_host' });
		const page = await onHost('inconnue.example.fr', 'GET', '/');
		expect(page.status).toBe(404);
		expect(page.headers['content-type']).toContain('text/html');
		expect(page.text).toContain('Aucune commune n’est servie à cette adresse');
		for (const answer of [api.text, page.text]) {
			expect(answer).not.toMatch(/Saint-Crieur|Voisine|Hameau|demo|voisine|hameau/);
		}
		// The monitor's checks answer on any host.
		expect((await onHost('127.0.0.1', 'GET', '/readyz')).status).toBe(200);
	});

	it('refuses to give one host name to two communes', async () => {
		await expect(
			provisionCommune(own.store.adminUrl, {
				slug: 'voisine',
				name: 'Voisine-sur-Loire',
				hosts: ['saint-crieur.localhost']
			})
		).rejects.toThrow('L’adresse saint-crieur.localhost sert déjà la commune « demo »');
		await expect(
			provisionCommune(own.store.adminUrl, { slug: 'x1', name: 'X', hosts: ['https://x.fr'] })
		).rejects.toThrow('Nom d’hôte invalide');
	});

	it('runs every job for the new commune too', async () => {
		const due = {
			...noticeFactory({ published_at: new Date(Date.now() - 1000).toISOString() }),
			status: 'scheduled'
		};
		await nano(own.store.adminUrl)
			.use('voisine-mairie')
			.insert(due as never);
		await expect
			.poll(
				async () => {
					const current = (await onHost('voisine.localhost', 'GET', '/api/public/current')).json();
					return (current.notices as { _id: string }[]).map((notice) => notice._id);
				},
				{ timeout: 15_000, interval: 250 }
			)
			.toContain(due._id);
		// …and only there.
		const demo = (await onHost('saint-crieur.localhost', 'GET', '/api/public/current')).json();
		expect((demo.notices as { _id: string }[]).map((notice) => notice._id)).not.toContain(due._id);
		const health = (await onHost('127.0.0.1', 'GET', '/healthz')).json();
		expect(health).toMatchObject({ status: 'ok' });
		expect(Object.keys(health.jobs as object).sort()).toEqual(['alerts', 'publisher', 'tally']);
	});

	it('keeps each commune’s staff, residents and kiosks out of the other’s', async () => {
		const demoStaff = await signIn('saint-crieur.localhost', own.staff);
		const voisineStaff = await signIn('voisine.localhost', VOISINE_STAFF);

		// Through the app: a commune's /db/ names only its own databases…
		expect(
			(await onHost('voisine.localhost', 'GET', '/db/demo-mairie/_all_docs', { cookie: demoStaff }))
				.status
		).toBeGreaterThanOrEqual(403);
		// …and a session is worth nothing on another commune's host.
		for (const [host, cookie, db] of [
			['saint-crieur.localhost', voisineStaff, 'demo-mairie'],
			['voisine.localhost', demoStaff, 'voisine-mairie']
		]) {
			// 401 from the stand-in, 403 from CouchDB: a signed-in non-member (couch/README.md).
			const read = await onHost(host, 'GET', `/db/${db}/_all_docs`, { cookie });
			expect([401, 403], `${host} ${db}`).toContain(read.status);
			const issue = await onHost(host, 'POST', '/api/mairie/habitants', {
				cookie,
				json: { labels: ['Intrus'] }
			});
			expect(issue.status, `${host} codes`).toBe(403);
			const write = await onHost(host, 'POST', `/db/${db}`, {
				cookie,
				json: { ...noticeFactory(), status: 'draft' }
			});
			expect(write.status, `${host} write`).toBeGreaterThanOrEqual(401);
			expect(write.status).toBeLessThan(500);
		}
		// The directory is nobody's to read but the server's.
		expect(
			(
				await onHost('voisine.localhost', 'GET', '/db/crieur-communes/_all_docs', {
					cookie: voisineStaff
				})
			).status
		).toBeGreaterThanOrEqual(403);

		// Directly on CouchDB: each staff account reads only its own commune.
		const direct = (db: string) =>
			fetch(`${own.store.url}/${db}/_all_docs`, { headers: basic(VOISINE_STAFF) });
		expect((await direct('voisine-mairie')).status).toBe(200);
		for (const db of ['demo-mairie', 'demo-ballots', 'voisine-ballots', 'crieur-communes']) {
			expect([401, 403], db).toContain((await direct(db)).status);
		}

		// A resident of Voisine votes in Voisine only.
		const issued = await onHost('voisine.localhost', 'POST', '/api/mairie/habitants', {
			cookie: voisineStaff,
			json: { labels: ['Habitant de Voisine'] }
		});
		expect(issued.status).toBe(201);
		const [{ code }] = issued.json().residents as { code: string }[];
		const session = await onHost('voisine.localhost', 'POST', '/api/habitants/session', {
			json: { code },
			headers: { 'x-forwarded-for': '10.9.9.9' }
		});
		expect(session.status).toBe(200);
		const resident = (session.headers['set-cookie'] as string[])
			.map((cookie) => cookie.split(';')[0])
			.join('; ');
		const ballot = await onHost('saint-crieur.localhost', 'POST', '/api/ballots', {
			cookie: resident,
			json: { outbox_id: 'vote-voisine-1', poll: 'poll:demo-marche', choices: ['oui'] }
		});
		expect(ballot.status).toBe(401);
		expect(ballot.json()).toMatchObject({ error: 'not_resident' });
		// A kiosk of Saint-Crieur is no kiosk on Voisine's host.
		const added = await onHost('saint-crieur.localhost', 'POST', '/api/mairie/bornes', {
			cookie: demoStaff,
			json: { label: 'Borne du hall' }
		});
		const [kioskName, kioskPassword] = (added.json().kiosk as { pairing: string }).pairing.split(
			':'
		);
		const kiosk = await signIn('saint-crieur.localhost', {
			name: kioskName,
			password: kioskPassword
		});
		const atKiosk = (host: string) =>
			onHost(host, 'POST', '/api/borne/code', { cookie: kiosk, json: { code } });
		expect((await atKiosk('saint-crieur.localhost')).status).not.toBe(401);
		const foreign = await atKiosk('voisine.localhost');
		expect(foreign.status).toBe(401);
		expect(foreign.json()).toMatchObject({ error: 'not_kiosk' });

		// Nor does Voisine's code open a session on Saint-Crieur's host.
		const elsewhere = await onHost('saint-crieur.localhost', 'POST', '/api/habitants/session', {
			json: { code },
			headers: { 'x-forwarded-for': '10.9.9.10' }
		});
		expect(elsewhere.status).toBeGreaterThanOrEqual(400);
		expect(elsewhere.status).toBeLessThan(500);
	});
});
