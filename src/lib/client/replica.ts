import type { CommuneEvent } from '../domain/event.ts';
import { NDJSON, type FeedLine, type FeedPage } from '../domain/feed.ts';
import PouchDB from 'pouchdb-core';
import idb from 'pouchdb-adapter-idb';
import type { Notice } from '../domain/notice.ts';
import type { Commune } from '../domain/commune.ts';
import type { PollWithTally } from '../domain/snapshot.ts';
import type { Poll } from '../domain/poll.ts';
import { tallyFor, tallyId, type Tally } from '../domain/tally.ts';
import { sortAnswers, type AnswerDoc, type SupportsDoc } from '../domain/answer.ts';

PouchDB.plugin(idb);

/**
 * The villager's copy of <commune>-public. Its name must never change between
 * builds: it holds the checkpoint, and a new name would download everything again.
 * One commune per origin, so the name needs no slug.
 */
const REPLICA_NAME = 'crieur-public';
const CHECKPOINT_ID = '_local/crieur-pull';

export interface Checkpoint {
	since: string;
	/** ISO time of the last complete pull. */
	synced_at: string | null;
}

let replica: PouchDB.Database | null = null;

export function openReplica(): PouchDB.Database {
	replica ??= new PouchDB(REPLICA_NAME, { auto_compaction: true });
	return replica;
}

/**
 * Forgets the open replica, after the browser deleted its database under the
 * running app (storage pressure, a user clearing data) or a write stalled:
 * the next open starts a new connection (and a new, empty replica if deleted).
 */
export function closeReplica(): void {
	const closing = replica;
	replica = null;
	// Not awaited: a connection that stalled may never finish closing.
	void closing?.close().catch(() => undefined);
}

export async function readCheckpoint(db: PouchDB.Database): Promise<Checkpoint> {
	try {
		const doc = (await db.get(CHECKPOINT_ID)) as unknown as Checkpoint;
		return { since: doc.since, synced_at: doc.synced_at };
	} catch {
		return { since: '0', synced_at: null };
	}
}

async function writeCheckpoint(db: PouchDB.Database, checkpoint: Checkpoint): Promise<void> {
	let rev: string | undefined;
	try {
		rev = (await db.get(CHECKPOINT_ID))._rev;
	} catch {
		rev = undefined;
	}
	await db.put({ _id: CHECKPOINT_ID, _rev: rev, ...checkpoint });
}

export interface PublicDocs {
	commune: Commune | null;
	notices: Notice[];
	polls: PollWithTally[];
	/** The mairie's published answers to suggestions and reports, newest first. */
	answers: AnswerDoc[];
	/** Supporters per published suggestion, by answer id. */
	supports: Record<string, number>;
	/** The agenda, soonest first. */
	events: CommuneEvent[];
}

export async function readAll(db: PouchDB.Database): Promise<PublicDocs> {
	const result = await db.allDocs({ include_docs: true });
	let commune: Commune | null = null;
	const notices: Notice[] = [];
	const polls: Poll[] = [];
	const tallies = new Map<string, Tally>();
	const answers: AnswerDoc[] = [];
	const supports: Record<string, number> = {};
	const events: CommuneEvent[] = [];
	for (const row of result.rows) {
		const doc = row.doc as unknown as
			Notice | Commune | Poll | Tally | AnswerDoc | SupportsDoc | CommuneEvent | undefined;
		if (!doc) continue;
		if (doc.type === 'commune') commune = doc as Commune;
		else if (doc.type === 'notice') notices.push(doc as Notice);
		else if (doc.type === 'poll') polls.push(doc as Poll);
		else if (doc.type === 'tally') tallies.set(doc._id, doc as Tally);
		else if (doc.type === 'answer') answers.push(doc as AnswerDoc);
		else if (doc.type === 'event') events.push(doc as CommuneEvent);
		else if (doc.type === 'supports')
			supports[(doc as SupportsDoc).answer] = (doc as SupportsDoc).count;
	}
	return {
		commune,
		notices,
		polls: polls.map((poll) => ({ poll, tally: tallyFor(poll, tallies.get(tallyId(poll._id))) })),
		answers: sortAnswers(answers),
		supports,
		// Not event.ts's byStart: importing it would bring the time-zone library into the replica's chunk.
		events: events.sort((a, b) => a.starts_at.localeCompare(b.starts_at))
	};
}

/**
 * A replica read or write that neither succeeded nor failed. PouchDB's idb
 * adapter can lose its callback when IndexedDB aborts a transaction under it
 * (a full disk): without a limit, the pull and every sync after it would wait
 * forever, the fetch watchdog does not cover storage.
 */
export class StorageStalled extends Error {
	constructor() {
		super('replica storage stalled');
	}
}

/** Reading or writing one page takes well under a second even on old phones. */
const STORAGE_STALL_MS = 15_000;

export function settleWithin<T>(storage: Promise<T>): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const stalled = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new StorageStalled()), STORAGE_STALL_MS);
	});
	return Promise.race([storage, stalled]).finally(() => clearTimeout(timer));
}

export class HttpError extends Error {
	readonly status: number;
	constructor(status: number) {
		super(`HTTP ${status}`);
		this.status = status;
	}
}

/** The lines of an NDJSON body, as they arrive. */
async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
	const reader = body.getReader();
	const decoder = new TextDecoder();
	let buffered = '';
	for (;;) {
		const { value, done } = await reader.read();
		if (done) break;
		buffered += decoder.decode(value, { stream: true });
		let end: number;
		while ((end = buffered.indexOf('\n')) >= 0) {
			yield buffered.slice(0, end);
			buffered = buffered.slice(end + 1);
		}
	}
	if (buffered.trim()) yield buffered;
}

/**
 * Pulls every change since the checkpoint in one streamed response (one
 * round trip on a slow link), storing pages with their revision history
 * (new_edits: false) as replication would and checkpointing after each write,
 * so a cut link resumes where it stopped. The network keeps flowing while
 * pages are stored: pages that arrived meanwhile are written together, which
 * IndexedDB does faster than one by one. A new device first receives what its
 * home page shows (`onCurrent`), then the history. Returns how many documents
 * arrived.
 */
export async function pull(
	db: PouchDB.Database,
	options: { signal: AbortSignal; onPage?: (received: number) => void; onCurrent?: () => void }
): Promise<number> {
	const start = await settleWithin(readCheckpoint(db));
	let since = start.since;
	let received = 0;
	for (;;) {
		const controller = new AbortController();
		const stop = () => controller.abort();
		options.signal.addEventListener('abort', stop);
		try {
			const response = await fetch(`/api/sync?since=${encodeURIComponent(since)}`, {
				signal: controller.signal,
				headers: { accept: NDJSON }
			});
			if (!response.ok || !response.body) throw new HttpError(response.status);
			const arrived: FeedLine[] = [];
			let wake = () => {};
			let ended = false;
			let readError: unknown = null;
			const reading = (async () => {
				try {
					for await (const line of lines(response.body!)) {
						arrived.push(JSON.parse(line) as FeedLine);
						wake();
					}
				} catch (error) {
					readError = error;
				} finally {
					ended = true;
					wake();
				}
			})();
			let more: boolean | null = null;
			while (arrived.length > 0 || !ended) {
				if (arrived.length === 0) {
					await new Promise<void>((resolve) => (wake = resolve));
					continue;
				}
				const batch = arrived.splice(0);
				const docs = batch.flatMap((line) => line.docs);
				if (docs.length > 0) {
					await settleWithin(db.bulkDocs(docs as never[], { new_edits: false }));
					received += docs.length;
					options.onPage?.(received);
				}
				if (batch.some((line) => 'current' in line)) options.onCurrent?.();
				const pages = batch.filter((line): line is FeedPage => !('current' in line));
				const last = pages.at(-1);
				if (last) {
					since = last.last_seq;
					more = last.more;
					await settleWithin(
						writeCheckpoint(db, {
							since,
							synced_at: last.more ? start.synced_at : new Date().toISOString()
						})
					);
				}
			}
			await reading;
			if (readError) throw readError;
			// A stream that ends without its last page was cut: what arrived is kept.
			if (more === null) throw new TypeError('feed cut short');
			if (!more) return received;
		} finally {
			// Also stops the download when storing fails (a full disk).
			controller.abort();
			options.signal.removeEventListener('abort', stop);
		}
	}
}
