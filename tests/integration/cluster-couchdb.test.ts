import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoContent } from '../../couch/demo.ts';
import { noticeFactory } from '../factories.ts';
import {
	castBallot,
	freshAddress,
	issueCodes,
	residentCookie,
	staffCookie
} from '../harness/api.ts';
import { startApp, type TestApp } from '../harness/app.ts';
import { provisionDemo, STAFF } from '../harness/couch.ts';
import { apacheCouchScript, startCluster, type TestCluster } from '../harness/store.ts';

/**
 * Issue 15 §3 on a 3-node Apache CouchDB cluster: each app process talks to
 * the node beside it, as a host places them. With a node stopped, its
 * process says so on /healthz (503: the host's proxy sends villagers to the
 * other), and through the other one villagers pull, staff publish and
 * moderate, residents vote and the tally stays exact; the node catches up
 * when it returns. Starts its own cluster, so it runs once, not once per
 * back end.
 */
let cluster: TestCluster;
const apps: TestApp[] = [];
let dataDir = '';

beforeAll(async () => {
	cluster = await startCluster(3);
	await provisionDemo(cluster.adminUrls[0]);
	await seedDemoContent(cluster.adminUrls[0], 'demo');
	dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-grappe-'));
	for (const adminUrl of cluster.adminUrls.slice(0, 2)) {
		apps.push(
			await startApp({
				COUCHDB_URL: adminUrl,
				DATA_DIR: dataDir,
				CRIEUR_JOB_INTERVAL_SECONDS: '1',
				ADDRESS_HEADER: 'x-forwarded-for'
			})
		);
	}
}, 300_000);

afterAll(async () => {
	for (const app of apps) await app.stop();
	await cluster?.stop();
	if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}, 180_000);

async function healthOf(app: TestApp): Promise<number> {
	return (await fetch(`${app.url}/healthz`)).status;
}

async function publicIds(app: TestApp): Promise<string[]> {
	const current = (await (await fetch(`${app.url}/api/public/current`)).json()) as {
		notices: { _id: string }[];
	};
	return current.notices.map((notice) => notice._id);
}

async function marketCounts(app: TestApp): Promise<Record<string, number> | undefined> {
	const poll = (await (await fetch(`${app.url}/api/public/polls/demo-marche`)).json()) as {
		tally?: { counts?: Record<string, number>; ballots?: number };
	};
	return poll.tally?.counts;
}

describe.skipIf(!apacheCouchScript())('a 3-node CouchDB cluster with a node stopped', () => {
	it('keeps serving villagers, staff and voters, and the node catches up', async () => {
		const [beside, other] = apps;
		expect(await healthOf(beside)).toBe(200);
		await cluster.stopNode(2);
		// The process on the stopped node tells the host's proxy to send traffic elsewhere.
		await expect.poll(() => healthOf(other), { timeout: 20_000 }).toBe(503);
		expect(await healthOf(beside)).toBe(200);

		// Staff publish through the process whose node is up…
		const staff = await staffCookie(beside.url, STAFF);
		const notice = noticeFactory({ title: 'Publié pendant la panne d’un nœud' });
		const put = await fetch(`${beside.url}/db/demo-public/${encodeURIComponent(notice._id)}`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json', cookie: staff },
			body: JSON.stringify(notice)
		});
		expect(put.status).toBe(201);
		// …villagers pull it…
		expect(await publicIds(beside)).toContain(notice._id);
		// …and five residents vote: the tally job, taken over by this process, counts each once.
		const codes = await issueCodes(beside.url, staff, ['', '', '', '', '']);
		const choices = ['mercredi', 'samedi', 'samedi', 'mercredi', 'samedi'];
		for (const [index, code] of codes.entries()) {
			const resident = await residentCookie(beside.url, code, freshAddress());
			expect(await castBallot(beside.url, resident, choices[index])).toBe(201);
		}
		// A resident's report comes in, and the mairie moderates it: the resident sees the answer.
		const reporter = await residentCookie(
			beside.url,
			(await issueCodes(beside.url, staff, ['']))[0],
			freshAddress()
		);
		const form = new FormData();
		form.set(
			'payload',
			JSON.stringify({
				outbox_id: 'o-grappe-1',
				kind: 'report',
				title: 'Lampadaire éteint rue du Lavoir',
				body: 'Le lampadaire devant le numéro 12 ne s’allume plus depuis lundi.',
				category: 'eclairage',
				place: null,
				public_name: null
			})
		);
		const sent = await fetch(`${beside.url}/api/submissions`, {
			method: 'POST',
			headers: { cookie: reporter },
			body: form
		});
		expect(sent.status).toBe(201);
		const submissionUrl = `${beside.url}/db/demo-mairie/submission:o-grappe-1`;
		const received = await (await fetch(submissionUrl, { headers: { cookie: staff } })).json();
		const moderated = await fetch(submissionUrl, {
			method: 'PUT',
			headers: { 'content-type': 'application/json', cookie: staff },
			body: JSON.stringify({
				...received,
				status: 'resolved',
				answer: 'Réparé mardi.',
				seen: true,
				updated_at: new Date().toISOString()
			})
		});
		expect(moderated.status).toBe(201);
		const mine = (await (
			await fetch(`${beside.url}/api/submissions/mine`, { headers: { cookie: reporter } })
		).json()) as { submissions: { status: string }[] };
		expect(mine.submissions).toEqual([expect.objectContaining({ status: 'resolved' })]);

		const expected = { mercredi: 2, samedi: 3 };
		await expect.poll(() => marketCounts(beside), { timeout: 30_000 }).toMatchObject(expected);

		// The node returns: it catches up, and its process serves the same.
		await cluster.startNode(2);
		await expect.poll(() => healthOf(other), { timeout: 60_000 }).toBe(200);
		await expect.poll(() => publicIds(other), { timeout: 30_000 }).toContain(notice._id);
		expect(await marketCounts(other)).toMatchObject(expected);
	}, 180_000);
});
