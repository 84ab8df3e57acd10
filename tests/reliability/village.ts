import fs from 'node:fs';
import http from 'node:http';
import type { BrowserContext, Page } from 'playwright-core';
import nano from 'nano';
import { expect } from 'vitest';
import type { OutboxItem } from '../../src/lib/domain/outbox.ts';
import { noticeFactory, pollFactory } from '../factories.ts';
import { issueCodes, staffCookie } from '../harness/api.ts';
import { startApp, type TestApp } from '../harness/app.ts';
import { provisionDemo, STAFF } from '../harness/couch.ts';
import { startStore, type TestStore } from '../harness/store.ts';
import { freePort } from '../harness/ports.ts';
import {
	openDevice,
	waitForServiceWorker,
	waitForVillagerSync,
	type Device
} from '../e2e/browser.ts';
import { tallyId } from '../../src/lib/domain/tally.ts';
import { slugOf } from '../../src/lib/domain/slug.ts';

/**
 * A commune for reliability tests: a real CouchDB-protocol server, the
 * production build in front of it, and between the two a pass-through proxy
 * the test can slow down or use to kill the app at an exact moment of a write.
 */
export interface Village {
	app: TestApp;
	couch: TestStore;
	staff: string;
	/** Every ballot or submission write CouchDB answered, in order. */
	writes: CountedWrite[];
	/** Called when CouchDB stored a write whose answer is then lost (verdict `answer-lost`). */
	afterStored: (() => void) | null;
	/** Called for every request the app sends to CouchDB, before it is forwarded. */
	onCouchRequest: ((request: CouchRequest) => Promise<CouchVerdict> | CouchVerdict) | null;
	stop(): Promise<void>;
}

export interface CouchRequest {
	method: string;
	/** Decoded path, e.g. /demo-ballots/ballot:abc:xyz */
	path: string;
	/** The document's id when a JSON body names one (nano's insert POSTs the whole document). */
	docId: string | null;
}

export interface CountedWrite {
	id: string;
	/** CouchDB's answer: 201 stored, 409 already there. */
	status: number;
	verdict: CouchVerdict;
}

/** `drop`: never reaches CouchDB; `answer-lost`: stored, but the answer never comes back. */
export type CouchVerdict = 'pass' | 'drop' | 'answer-lost';

/** A ballot or a submission being stored: the write that counts. */
export function isCountedWrite(request: CouchRequest): boolean {
	return request.method !== 'GET' && /^(ballot|submission):/.test(request.docId ?? '');
}

function docIdOf(body: Buffer): string | null {
	try {
		const id = (JSON.parse(body.toString('utf8')) as { _id?: unknown })._id;
		return typeof id === 'string' ? id : null;
	} catch {
		return null;
	}
}

async function startCouchProxy(
	target: URL,
	village: () => Village | null,
	writes: CountedWrite[]
): Promise<{ port: number; close(): Promise<void> }> {
	const server = http.createServer((incoming, outgoing) => {
		void (async () => {
			const chunks: Uint8Array[] = [];
			for await (const chunk of incoming) chunks.push(chunk as Uint8Array);
			const body = Buffer.concat(chunks);
			const request = {
				method: incoming.method ?? 'GET',
				path: decodeURIComponent((incoming.url ?? '/').split('?')[0]),
				docId: docIdOf(body)
			};
			const verdict = (await village()?.onCouchRequest?.(request)) ?? 'pass';
			if (verdict === 'drop') return incoming.socket.destroy();
			const upstream = http.request(
				{
					host: target.hostname,
					port: target.port,
					method: incoming.method,
					path: incoming.url,
					headers: incoming.headers
				},
				(answer) => {
					if (isCountedWrite(request)) {
						writes.push({ id: request.docId!, status: answer.statusCode ?? 0, verdict });
					}
					if (verdict === 'answer-lost') {
						answer.resume();
						answer.on('end', () => {
							village()?.afterStored?.();
							incoming.socket.destroy();
						});
						return;
					}
					outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(outgoing);
				}
			);
			upstream.on('error', () => incoming.socket.destroy());
			upstream.end(body);
		})();
	});
	const port = await freePort();
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	return {
		port,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	};
}

export async function startVillage(): Promise<Village> {
	const couch = await startStore();
	await provisionDemo(couch.adminUrl);
	let village: Village | null = null;
	const writes: CountedWrite[] = [];
	const proxy = await startCouchProxy(new URL(couch.url), () => village, writes);
	const proxied = new URL(couch.adminUrl);
	proxied.port = String(proxy.port);
	// Jobs every 2 s: a closed poll is counted within moments, not at the next 15 s round.
	const app = await startApp({
		COUCHDB_URL: proxied.href.replace(/\/$/, ''),
		CRIEUR_JOB_INTERVAL_SECONDS: '2'
	});
	village = {
		app,
		couch,
		staff: await staffCookie(app.url, STAFF),
		writes,
		afterStored: null,
		onCouchRequest: null,
		stop: async () => {
			await app.stop();
			await proxy.close();
			await couch.stop();
			fs.rmSync(app.dataDir, { recursive: true, force: true });
		}
	};
	return village;
}

/** Publishes through the /db proxy with the staff cookie, as a staff laptop's sync would. */
async function publish(village: Village, doc: { _id: string }): Promise<void> {
	const response = await fetch(`${village.app.url}/db/demo-public/${encodeURIComponent(doc._id)}`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json', cookie: village.staff },
		body: JSON.stringify(doc)
	});
	expect(response.status, await response.clone().text()).toBe(201);
}

export async function publishPolls(village: Village, count: number, tag: string) {
	const now = Date.now();
	const polls = [];
	for (let i = 1; i <= count; i++) {
		const poll = pollFactory({
			_id: `poll:${tag}-${i}`,
			question: `Question ${tag} ${i} : faut-il repeindre le lavoir ?`,
			opens_at: new Date(now - 3_600_000).toISOString(),
			closes_at: new Date(now + 7 * 86_400_000).toISOString()
		});
		await publish(village, poll);
		polls.push(poll);
	}
	return polls;
}

export async function publishNotices(village: Village, count: number, tag: string) {
	const notices = [];
	for (let i = 1; i <= count; i++) {
		const notice = noticeFactory({
			_id: `notice:${tag}-${i}`,
			title: `Avis ${tag} ${i} : coupure d’eau rue du Four`,
			published_at: new Date(Date.now() - 60_000).toISOString()
		});
		await publish(village, notice);
		notices.push(notice);
	}
	return notices;
}

/** A phone whose resident entered a fresh code, with the replica synced. */
export async function residentPhone(village: Village, label: string): Promise<Device> {
	const [code] = await issueCodes(village.app.url, village.staff, [label]);
	// Offline and reloads mid-send: the service worker serves the app shell.
	const phone = await openDevice(undefined, { serviceWorker: true });
	const { page } = phone;
	await page.goto(`${village.app.url}/habitant#${code.replace(/-/g, '')}`);
	await waitForServiceWorker(page);
	await page.getByRole('button', { name: 'Valider mon code' }).click();
	await page.getByText('Vous êtes reconnu comme habitant').first().waitFor();
	await page.goto(`${village.app.url}/sondages`);
	await waitForVillagerSync(page);
	return phone;
}

/** Votes "Oui" on a poll's page and waits until the ballot is in the outbox. */
export async function vote(page: Page, baseUrl: string, pollId: string): Promise<void> {
	await page.goto(`${baseUrl}/sondages/${slugOf(pollId)}`);
	await page.getByLabel('Oui').check();
	await page.getByRole('button', { name: 'Voter' }).click();
	await page.locator('[data-outbox-state]').waitFor();
}

/** Files a suggestion from the form of /participer (the page must be open). */
export async function suggest(page: Page, title: string): Promise<void> {
	await page.getByLabel('Proposer une idée').check();
	await page.getByLabel('Titre').fill(title);
	await page.getByLabel('Description').fill(`${title} : la place du village le mérite.`);
	await page.getByLabel('Catégorie').selectOption({ index: 1 });
	await page.getByRole('button', { name: 'Envoyer à la mairie' }).click();
	await expect.poll(() => page.getByLabel('Titre').inputValue()).toBe('');
}

/** The device's outbox as stored in IndexedDB (Dexie's table), read without the app. */
export async function storedOutbox(page: Page): Promise<OutboxItem[]> {
	return page.evaluate(async () => {
		const open = indexedDB.open('crieur-device');
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error);
		});
		try {
			const all = db.transaction('outbox').objectStore('outbox').getAll();
			return await new Promise<OutboxItem[]>((resolve, reject) => {
				all.onsuccess = () => resolve(all.result as OutboxItem[]);
				all.onerror = () => reject(all.error);
			});
		} finally {
			db.close();
		}
	});
}

/**
 * Closes a poll in a second, as staff would: a live tally is republished only
 * every five ballots (the secret-ballot rule), and always at closing, which
 * the tally job's next run (every 15 s) sees as crossed since its last.
 */
export async function closePoll(village: Village, pollId: string) {
	const polls = nano(village.couch.adminUrl).use<{ closes_at: string }>('demo-public');
	const poll = await polls.get(pollId);
	await polls.insert({ ...poll, closes_at: new Date(Date.now() + 1_000).toISOString() });
}

/** What the server's databases hold, read with admin access. */
export async function serverCounts(village: Village, pollIds: string[], outboxIds: string[]) {
	const couch = nano(village.couch.adminUrl);
	const ballotsPerPoll: Record<string, number> = {};
	const talliedPerPoll: Record<string, number | null> = {};
	for (const pollId of pollIds) {
		const prefix = `ballot:${slugOf(pollId)}:`;
		const rows = await couch
			.use('demo-ballots')
			.list({ startkey: prefix, endkey: `${prefix}\ufff0` });
		ballotsPerPoll[pollId] = rows.rows.length;
		try {
			const tally = (await couch.use('demo-public').get(tallyId(pollId))) as unknown as {
				total: number;
			};
			talliedPerPoll[pollId] = tally.total;
		} catch {
			talliedPerPoll[pollId] = null;
		}
	}
	const submissions = await couch
		.use('demo-mairie')
		.list({ startkey: 'submission:', endkey: 'submission:\ufff0' });
	const stored = new Set(submissions.rows.map((row) => row.id));
	return {
		ballotsPerPoll,
		talliedPerPoll,
		submissionsTotal: submissions.rows.length,
		submissionsFromOutbox: outboxIds.filter((id) => stored.has(`submission:${id}`)).length
	};
}

/** Counts what the phone's API requests got back, by status. */
export function watchApiAnswers(context: BrowserContext): Record<string, number> {
	const answers: Record<string, number> = {};
	context.on('requestfinished', (request) => {
		void request.response().then((response) => {
			const path = new URL(request.url()).pathname;
			if (!/^\/api\/(ballots|submissions)$/.test(path)) return;
			const key = `${path} ${response?.status() ?? 'none'}`;
			answers[key] = (answers[key] ?? 0) + 1;
		});
	});
	context.on('requestfailed', (request) => {
		const path = new URL(request.url()).pathname;
		if (!/^\/api\/(ballots|submissions)$/.test(path)) return;
		answers[`${path} failed`] = (answers[`${path} failed`] ?? 0) + 1;
	});
	return answers;
}

/** A small seeded generator (mulberry32): the same flaps on every run. */
export function seeded(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
