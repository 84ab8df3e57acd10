import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import nano from 'nano';
import { afterAll, describe, expect, it } from 'vitest';
import { seedDemoContent } from '../../couch/demo.ts';
import {
	castBallot,
	freshAddress,
	issueCodes,
	residentCookie,
	staffCookie
} from '../harness/api.ts';
import { startApp, type TestApp } from '../harness/app.ts';
import { provisionCommune } from '../../couch/provision.ts';
import { provisionDemo, STAFF } from '../harness/couch.ts';
import { startStore, type TestStore } from '../harness/store.ts';

/**
 * Issue 15 §4: `npm run backup`, the store wiped, `npm run restore` into a
 * fresh one: the app serves the same notices, files and tallies, and the
 * codes and logins made before still work. Its own stores and apps: the test
 * is the wipe.
 */
const run = promisify(execFile);
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
});

async function command(script: string, args: string[], couchUrl: string) {
	const { stdout } = await run(process.execPath, [`couch/cli/${script}.ts`, ...args], {
		env: { ...process.env, COUCHDB_URL: couchUrl }
	});
	return stdout;
}

async function publicState(url: string) {
	const feed = (await (await fetch(`${url}/api/sync?since=0&limit=1000`)).json()) as {
		docs: { _id: string; counts?: unknown; title?: string }[];
	};
	return feed.docs
		.map(({ _id, counts, title }) => ({ _id, counts, title }))
		.sort((a, b) => a._id.localeCompare(b._id));
}

function withConflicts(adminUrl: string, db: string, id: string) {
	return nano(adminUrl).use(db).get(id, { conflicts: true });
}

describe('a backup restored into a fresh store', () => {
	it('serves the same notices, files and tallies, and codes and logins still work', async () => {
		const first: TestStore = await startStore();
		cleanups.push(() => first.stop());
		await provisionDemo(first.adminUrl);
		await provisionCommune(first.adminUrl, {
			slug: 'demo',
			name: 'Saint-Crieur',
			hosts: ['saint-crieur.example.fr']
		});
		await seedDemoContent(first.adminUrl, 'demo');
		const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-sauvegarde-'));
		cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
		let app: TestApp = await startApp({ COUCHDB_URL: first.adminUrl, DATA_DIR: dataDir });
		cleanups.push(() => app.stop());

		// Five ballots: the live tally publishes its first batch.
		const staff = await staffCookie(app.url, STAFF);
		const codes = await issueCodes(app.url, staff, ['', '', '', '', '', '']);
		const residents: string[] = [];
		for (const code of codes.slice(0, 5)) {
			residents.push(await residentCookie(app.url, code, freshAddress()));
		}
		for (const [index, cookie] of residents.entries()) {
			expect(await castBallot(app.url, cookie, ['mercredi', 'samedi'][index % 2])).toBe(201);
		}
		await expect
			.poll(
				async () =>
					(await publicState(app.url)).find((doc) => doc._id === 'tally:demo-marche')?.counts,
				{
					timeout: 30_000
				}
			)
			.toBeTruthy();
		// Two laptops' edits of one draft, still to settle, and a deleted draft.
		const mairie = nano(first.adminUrl).use<Record<string, unknown>>('demo-mairie');
		const drafts = await mairie.list({
			include_docs: true,
			startkey: 'notice:',
			endkey: 'notice:\ufff0'
		});
		const { _rev, ...template } = drafts.rows[0].doc!;
		void _rev;
		const draft = { ...template, _id: 'notice:sauvegarde-conflit', status: 'draft' };
		await mairie.bulk({
			docs: [
				{ ...draft, title: 'Version du premier portable', _rev: '1-aaaa' },
				{ ...draft, title: 'Version du second portable', _rev: '1-bbbb' }
			],
			new_edits: false
		} as never);
		const gone = await mairie.insert({ ...template, _id: 'notice:sauvegarde-supprime' });
		await mairie.destroy('notice:sauvegarde-supprime', gone.rev);

		// Who asked for alerts, and the keys their subscriptions were made with.
		const pushKey = ((await (await fetch(`${app.url}/api/push`)).json()) as { public_key: string })
			.public_key;
		await nano(first.adminUrl)
			.use<Record<string, unknown>>('demo-reach')
			.insert({ _id: 'email:sauvegarde', type: 'email-subscription', state: 'confirmed' });

		const before = await publicState(app.url);
		const pdfBefore = await fetch(
			`${app.url}/fichiers/demo-arrete-circulation-forge/arrete-2026-041.pdf`
		);
		const backupDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-sauvegardes-'));
		cleanups.push(() => fs.rmSync(backupDir, { recursive: true, force: true }));
		const printed = await command('backup', ['--out', backupDir], first.adminUrl);
		expect(printed).toMatch(/demo : public \d+ documents, [1-9]\d* fichiers/);
		const [folder] = fs.readdirSync(backupDir);

		// The wipe: app and store gone; a new store, the backup restored, the app back.
		await app.stop();
		await first.stop();
		const second = await startStore();
		cleanups.push(() => second.stop());
		expect(
			await command('restore', ['--from', path.join(backupDir, folder)], second.adminUrl)
		).toContain('demo restaurée');
		// Listed again with its host names: a deployment of several communes serves it.
		expect(await nano(second.adminUrl).use('crieur-communes').get('demo')).toMatchObject({
			hosts: ['saint-crieur.example.fr']
		});
		app = await startApp({ COUCHDB_URL: second.adminUrl, DATA_DIR: dataDir });
		// Subscribed devices and addresses still get alerts: same keys, same list.
		expect(await (await fetch(`${app.url}/api/push`)).json()).toEqual({ public_key: pushKey });
		expect(await nano(second.adminUrl).use('demo-reach').get('email:sauvegarde')).toMatchObject({
			state: 'confirmed'
		});

		// Its first tally run recounts (batch marks are the server's _local
		// documents, which no backup carries) and publishes the same figures again.
		await expect.poll(() => publicState(app.url), { timeout: 30_000 }).toEqual(before);
		const pdfAfter = await fetch(
			`${app.url}/fichiers/demo-arrete-circulation-forge/arrete-2026-041.pdf`
		);
		expect(pdfAfter.status).toBe(200);
		expect(Buffer.from(await pdfAfter.arrayBuffer())).toEqual(
			Buffer.from(await pdfBefore.arrayBuffer())
		);
		expect(
			await withConflicts(second.adminUrl, 'demo-mairie', 'notice:sauvegarde-conflit')
		).toMatchObject({
			_conflicts: [expect.stringMatching(/^1-/)]
		});
		// The deletion itself, so that a laptop's old copy cannot come back.
		const deleted = (await nano(second.adminUrl).request({
			db: 'demo-mairie',
			doc: 'notice:sauvegarde-supprime',
			qs: { open_revs: 'all' }
		})) as { ok?: { _deleted?: boolean } }[];
		expect(deleted).toEqual([{ ok: expect.objectContaining({ _deleted: true }) }]);

		// A second restore into the same store is refused, and changes nothing.
		const again = await command(
			'restore',
			['--from', path.join(backupDir, folder)],
			second.adminUrl
		).catch((error: { code: number; stderr: string }) => error);
		expect(again).toMatchObject({
			code: 1,
			stderr: expect.stringContaining('La base demo-public existe déjà et contient des documents')
		});
		const missing = await command(
			'restore',
			['--from', path.join(backupDir, 'nulle-part')],
			second.adminUrl
		).catch((error: { code: number; stderr: string }) => error);
		expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('n’existe pas') });
		expect(await publicState(app.url)).toEqual(before);

		// Logins and codes made before the backup.
		const staffAgain = await fetch(`${app.url}/db/_session`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(STAFF)
		});
		expect(staffAgain.status).toBe(200);
		const unused = await residentCookie(app.url, codes[5], freshAddress());
		expect(await castBallot(app.url, unused, 'vendredi')).toBe(201);
		// A resident who voted before votes once still: the ballot replaces theirs.
		const voter = await residentCookie(app.url, codes[0], freshAddress());
		expect(await castBallot(app.url, voter, 'vendredi')).toBeLessThan(300);
		const ballots = await nano(second.adminUrl)
			.use('demo-ballots')
			.list({ startkey: 'ballot:demo-marche:', endkey: 'ballot:demo-marche:\ufff0' });
		expect(ballots.rows).toHaveLength(6);
	});
});
