import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nano from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	castBallot,
	freshAddress,
	issueCodes,
	residentCookie,
	staffCookie
} from '../harness/api.ts';
import { startApp, type TestApp } from '../harness/app.ts';
import { provisionDemo, STAFF } from '../harness/couch.ts';
import { seedDemoContent } from '../../couch/demo.ts';
import { startStore, type TestStore } from '../harness/store.ts';
import { closeLaptop, openLaptop } from '../harness/laptop.ts';
import { saveDocument, syncOnce } from '../../src/lib/client/staff/index.ts';
import { startMailServer, type MailServer } from '../harness/mail-server.ts';
import { startPushService, type PushService } from '../harness/push-service.ts';
import { noticeFactory } from '../factories.ts';

/**
 * Issue 15 §3: two app processes in front of one store behave as one. Each
 * job runs in the process holding its lease; a session opened on one works on
 * the other; when the holder dies, the other takes its jobs over. Its own
 * store and two apps, with jobs every second (leases of 3 s).
 */
let store: TestStore;
const apps: TestApp[] = [];
let dataDir: string;
let push: PushService;
let mail: MailServer;

beforeAll(async () => {
	push = await startPushService();
	mail = await startMailServer();
	// Limits per address read it from the tests' x-forwarded-for; alerts go to the loopback push service.
	const APP_ENV = {
		CRIEUR_JOB_INTERVAL_SECONDS: '1',
		ADDRESS_HEADER: 'x-forwarded-for',
		NODE_EXTRA_CA_CERTS: push.caFile,
		CRIEUR_PUSH_SERVICES: push.host,
		SMTP_URL: mail.url
	};
	store = await startStore();
	await provisionDemo(store.adminUrl);
	await seedDemoContent(store.adminUrl, 'demo');
	// One DATA_DIR, so one set of secrets (the ballot key): as a host configures them.
	dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-processus-'));
	for (let i = 0; i < 2; i++) {
		apps.push(await startApp({ COUCHDB_URL: store.adminUrl, DATA_DIR: dataDir, ...APP_ENV }));
	}
});
afterAll(async () => {
	for (const app of apps) await app.stop();
	await store?.stop();
	await push?.stop();
	await mail?.stop();
	if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Health {
	status: string;
	jobs: Record<string, { alive: boolean; runs_here: boolean }>;
}

async function health(app: TestApp): Promise<Health> {
	return (await (await fetch(`${app.url}/healthz`)).json()) as Health;
}

/** Which of the running apps runs each job, once each job runs in exactly one. */
async function holders(running: TestApp[]): Promise<Record<string, number[]>> {
	let found: Record<string, number[]> = {};
	await expect
		.poll(
			async () => {
				const reports = await Promise.all(running.map(health));
				found = {};
				for (const job of ['publisher', 'tally', 'alerts']) {
					found[job] = reports.flatMap((report, index) =>
						report.jobs[job].runs_here ? [index] : []
					);
				}
				return (
					reports.every((report) => report.status === 'ok') &&
					Object.values(found).every((indexes) => indexes.length === 1)
				);
			},
			{ timeout: 20_000, interval: 200 }
		)
		.toBe(true);
	return found;
}

async function publishedTotal(app: TestApp): Promise<number | undefined> {
	const feed = (await (await fetch(`${app.url}/api/sync?since=0&limit=1000`)).json()) as {
		docs: { _id: string; total?: number }[];
	};
	return feed.docs.find((doc) => doc._id === 'tally:demo-marche')?.total;
}

/** A login through one app, from its own address each time: only the per-name limit adds up. */
async function login(app: TestApp, name: string, password: string): Promise<number> {
	const response = await fetch(`${app.url}/db/_session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-forwarded-for': freshAddress() },
		body: JSON.stringify({ name, password })
	});
	await response.body?.cancel();
	return response.status;
}

describe('two app processes in front of one store', () => {
	// First: the other test kills a process.
	it('hold one password limit between them, wherever the guesses land', async () => {
		const name = 'essai-limites';
		const users = nano(store.adminUrl).use<Record<string, unknown>>('_users');
		await users.insert({
			_id: `org.couchdb.user:${name}`,
			name,
			type: 'user',
			roles: [],
			password: 'le-bon-mot'
		});
		// LOGIN_FAILURES_ALLOWED (10) wrong passwords for one name, half on each process.
		for (let i = 0; i < 10; i++) expect(await login(apps[i % 2], name, 'faux')).toBe(401);
		// The right password does not count: each process pauses the name once it
		// has heard of the other's five.
		for (const app of apps) {
			await expect
				.poll(() => login(app, name, 'le-bon-mot'), { timeout: 10_000, interval: 200 })
				.toBe(429);
		}
		expect(await login(apps[0], name, 'faux')).toBe(429);
		// Only hashes reach the shared database: no name, no address.
		const limits = await nano(store.adminUrl).use('crieur-limits').list({ include_docs: true });
		expect(limits.rows.length).toBeGreaterThanOrEqual(2);
		expect(JSON.stringify(limits.rows)).not.toMatch(/essai-limites|10\.\d+\.\d+/);
		const outside = await fetch(`${apps[0].url}/db/crieur-limits/_all_docs`);
		expect(outside.status).toBeGreaterThanOrEqual(400);
		const direct = await fetch(`${store.url}/crieur-limits/_all_docs`);
		expect(direct.status).toBe(401);
	});

	it('send an alert from a laptop that was offline once to each device and address, its sender killed mid-send', async () => {
		const devices = Array.from({ length: 40 }, (_, index) => push.device(`processus-${index}`));
		for (const [index, device] of devices.entries()) {
			const subscribed = await fetch(`${apps[index % 2].url}/api/push`, {
				method: 'PUT',
				headers: { 'content-type': 'application/json', 'x-forwarded-for': freshAddress() },
				body: JSON.stringify({ subscription: device.subscription, categories: ['urgent'] })
			});
			expect(subscribed.status).toBe(201);
		}
		// And addresses that confirmed, which the same sending reaches first.
		const addresses = Array.from({ length: 10 }, (_, index) => `processus-${index}@example.fr`);
		const today = new Date().toISOString().slice(0, 10);
		await nano(store.adminUrl)
			.use<Record<string, unknown>>('demo-reach')
			.bulk({
				docs: addresses.map((address) => ({
					_id: `email:processus-${address}`,
					type: 'email-subscription',
					address,
					categories: ['urgent'],
					zones: [],
					state: 'confirmed',
					confirm: null,
					consent: { channel: 'link', day: today },
					origin: apps[0].url,
					lang: 'fr',
					requested: today,
					since: today,
					mail_day: today,
					mails: 0
				}))
			});
		const { alerts } = await holders(apps);
		const sender = apps[alerts[0]];
		// The push service keeps one device's message unanswered: the sender waits there.
		const held = devices[17].name;
		const reached = push.hold(held);

		// Written on a laptop without network, sent when it syncs.
		const laptopDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-portable-'));
		const laptop = openLaptop(
			apps[1].url,
			'demo',
			await staffCookie(apps[1].url, STAFF),
			laptopDir,
			'portable'
		);
		const storm = noticeFactory({
			title: 'Orages : rentrez les bêtes',
			category: 'alerte',
			urgent: true,
			published_at: new Date().toISOString(),
			expires_at: new Date(Date.now() + 3600_000).toISOString()
		});
		const { _id, ...fields } = storm;
		await saveDocument(laptop, {
			id: _id,
			fields,
			files: [],
			from: null,
			to: 'public',
			baseRev: null
		});
		expect((await syncOnce(laptop, 30_000)).refused).toEqual([]);
		await closeLaptop(laptop);
		fs.rmSync(laptopDir, { recursive: true, force: true });
		await reached;

		// Every other device's message taken and noted, then the sender dies.
		const reach = nano(store.adminUrl).use<{
			done_through: string;
			done_after: string[];
			state: string;
		}>('demo-reach');
		// Every recipient but the held device: the addresses too (sent first, over slower SMTP).
		const ids = (await reach.list({ startkey: 'email:', endkey: 'push:\ufff0' })).rows.map(
			(row) => row.id
		);
		const noted = async () => {
			const progress = await reach.get(`delivery:${storm._id}`);
			return ids.filter((id) => id <= progress.done_through || progress.done_after.includes(id))
				.length;
		};
		await expect.poll(noted, { timeout: 20_000 }).toBe(devices.length - 1 + addresses.length);
		await sender.kill();
		try {
			await push.release();

			// The other process takes the job over and sends only what was missing.
			await expect.poll(() => push.receivedBy(held).length, { timeout: 30_000 }).toBe(1);
			await expect
				.poll(async () => (await reach.get(`delivery:${storm._id}`)).state, { timeout: 20_000 })
				.toBe('done');
			expect(devices.map((device) => push.receivedBy(device.name).length)).toEqual(
				devices.map(() => 1)
			);
			expect(addresses.map((address) => mail.to(address).length)).toEqual(addresses.map(() => 1));
		} finally {
			// Both processes again for the next test.
			await sender.restart();
		}
	});

	it('run each job once, share sessions, and count every ballot exactly', async () => {
		await holders(apps);
		const staff = await staffCookie(apps[0].url, STAFF);
		const codes = await issueCodes(
			apps[1].url,
			staff,
			Array.from({ length: 10 }, () => '')
		);
		// Sessions opened on one process, ballots sent to the other.
		for (const [index, code] of codes.slice(0, 5).entries()) {
			const cookie = await residentCookie(apps[index % 2].url, code, freshAddress());
			expect(
				await castBallot(apps[(index + 1) % 2].url, cookie, ['mercredi', 'samedi'][index % 2])
			).toBe(201);
		}
		await expect.poll(() => publishedTotal(apps[0]), { timeout: 20_000 }).toBe(5);

		// A notice scheduled for now is published once, by whichever process holds the publisher.
		const mairie = nano(store.adminUrl).use<Record<string, unknown>>('demo-mairie');
		const scheduled = (
			await mairie.list({ include_docs: true, startkey: 'notice:', endkey: 'notice:\ufff0' })
		).rows.find((row) => row.doc?.status === 'scheduled')!.doc!;
		const { _rev, ...template } = scheduled;
		void _rev;
		const now = new Date().toISOString();
		await mairie.insert({
			...template,
			_id: 'notice:deux-processus',
			title: 'Publié par un seul des deux',
			published_at: now,
			created_at: now,
			updated_at: now,
			expires_at: null
		});
		const publicDb = nano(store.adminUrl).use('demo-public');
		await expect
			.poll(
				() =>
					publicDb.get('notice:deux-processus').then(
						(doc) => doc._rev,
						() => null
					),
				{
					timeout: 20_000
				}
			)
			.toMatch(/^1-/);

		// The tally's holder dies: the other takes its jobs over and counts on.
		const { tally } = await holders(apps);
		const [dead] = apps.splice(tally[0], 1);
		await dead.kill();
		await holders(apps);
		for (const code of codes.slice(5)) {
			const cookie = await residentCookie(apps[0].url, code, freshAddress());
			expect(await castBallot(apps[0].url, cookie, 'vendredi')).toBe(201);
		}
		await expect.poll(() => publishedTotal(apps[0]), { timeout: 20_000 }).toBe(10);
	});
});
