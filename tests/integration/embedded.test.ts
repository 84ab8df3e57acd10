import { execFile } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import nano from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoStaffLogin, startApp, type TestApp } from '../harness/app.ts';
import { startCouch } from '../harness/couch.ts';

/**
 * The app on its embedded default, as `npm start` runs it on a fresh machine:
 * its own app, since the shared one runs on the run's store, and a test here
 * restarts it.
 */
let app: TestApp;
const run = promisify(execFile);

beforeAll(async () => {
	app = await startApp();
});
afterAll(async () => {
	await app?.stop();
	if (app) fs.rmSync(app.dataDir, { recursive: true, force: true });
});

/** A request whose path is sent byte for byte, without fetch's normalisation. */
function rawRequest(
	url: string,
	method: string,
	path: string
): Promise<{ status: number; body: string }> {
	return new Promise((resolve, reject) => {
		const request = http.request(`${url}${path}`, { method, path }, (response) => {
			let body = '';
			response.on('data', (chunk) => (body += chunk));
			response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
		});
		request.on('error', reject);
		request.end();
	});
}

async function currentTitles(): Promise<string[]> {
	const snapshot = await (await fetch(`${app.url}/api/public/current`)).json();
	return snapshot.notices.map((notice: { title: string }) => notice.title);
}

describe('embedded default', () => {
	it('provisions the demo commune with realistic content and prints the staff login', async () => {
		expect(app.output()).toMatch(/Espace mairie : \/mairie — identifiant « secretariat »/);
		const snapshot = await (await fetch(`${app.url}/api/public/current`)).json();
		expect(snapshot.commune).toMatchObject({ slug: 'demo', name: 'Saint-Crieur' });
		expect(snapshot.notices.length).toBeGreaterThanOrEqual(12);
		expect(snapshot.notices.filter((n: { urgent: boolean }) => n.urgent)).toHaveLength(1);
		const categories = new Set(snapshot.notices.map((n: { category: string }) => n.category));
		expect([...categories].sort()).toEqual(['agenda', 'alerte', 'arrete', 'avis', 'compte-rendu']);
		const archive = await (await fetch(`${app.url}/api/public/archive`)).json();
		expect(archive.notices.length).toBeGreaterThanOrEqual(3);
	});

	it('survives the requests that kill the stand-in', async () => {
		const hostile: [string, string][] = [
			['PUT', '/db/newdb'],
			['GET', '/db/demo-public/_changes?filter=_selector'],
			['GET', '/db/demo-public/_changes?feed=longpoll&since=now'],
			['GET', '/db/demo-public/%2E%2E/_all_dbs'],
			['GET', '/db/demo-public/..%2F_users']
		];
		for (const [method, path] of hostile) {
			const response = await rawRequest(app.url, method, path);
			expect(response.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
			expect(JSON.parse(response.body).reason).toBeTruthy();
		}
		// The stand-in dies on a _bulk_get naming an unknown revision with latest=true.
		const bulkGet = await fetch(`${app.url}/db/demo-public/_bulk_get?revs=true&latest=true`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				docs: [{ id: 'notice:demo-coupure-eau', rev: '9-ffffffffffffffffffffffffffffffff' }]
			})
		});
		expect(bulkGet.status).toBeLessThan(500);
		expect((await currentTitles()).length).toBeGreaterThanOrEqual(12);
	});

	it('keeps every notice and the same login across a restart', async () => {
		const before = await currentTitles();
		const login = demoStaffLogin(app.dataDir);
		await app.stop();
		app = await startApp({ DATA_DIR: app.dataDir });
		expect(app.output()).not.toMatch(/créée/);
		expect(await currentTitles()).toEqual(before);
		const session = await fetch(`${app.url}/db/_session`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(login)
		});
		expect(session.status).toBe(200);
	});

	it('lets the commands reach its store while it runs (LevelDB takes one process)', async () => {
		const env = { ...process.env, DATA_DIR: app.dataDir, COUCHDB_URL: '' };
		const out = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-sauvegarde-'));
		try {
			const backup = await run(process.execPath, ['couch/cli/backup.ts', '--out', out], { env });
			expect(backup.stdout).toMatch(/^demo : public \d+ documents, [1-9]\d* fichiers/m);
			const provision = await run(
				process.execPath,
				['couch/cli/provision.ts', '--commune', 'autre-commune', '--name', 'Autre-Commune'],
				{ env }
			);
			expect(provision.stdout).toContain('base autre-commune-public créée');
			// Still serving, on the same store.
			expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
			expect((await currentTitles()).length).toBeGreaterThanOrEqual(12);
		} finally {
			fs.rmSync(out, { recursive: true, force: true });
		}
	});
});

describe('embedded server supervision', () => {
	it('restarts a killed server with its data', async () => {
		const server = await startCouch();
		try {
			const couch = nano(server.adminUrl);
			await couch.db.create('survivor');
			await couch.use('survivor').insert({ _id: 'kept', value: 1 } as never);
			server.couch.kill();
			let doc: unknown = null;
			for (let i = 0; i < 60 && !doc; i++) {
				await new Promise((r) => setTimeout(r, 250));
				doc = await couch
					.use('survivor')
					.get('kept')
					.catch(() => null);
			}
			expect(doc).toMatchObject({ _id: 'kept', value: 1 });
			expect(server.couch.restarts()).toBe(1);
		} finally {
			await server.stop();
		}
	});
});
