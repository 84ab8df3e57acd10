import type { CommuneEvent } from '../domain/event.ts';
import PouchDB from 'pouchdb-core';
import idb from 'pouchdb-adapter-idb';
import type { Commune, Notice, PollWithTally } from '../domain/notice.ts';
import type { Poll } from '../domain/poll.ts';
import { tallyId, type Tally } from '../domain/tally.ts';
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

/** A document as /api/sync sends it (see src/lib/server/public-feed.ts). */
export interface FeedDoc {
	_id: string;
	_rev: string;
	_deleted?: boolean;
	_revisions: { start: number; ids: string[] };
	[field: string]: unknown;
}

export interface FeedPage {
	docs: FeedDoc[];
	last_seq: string;
	more: boolean;
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
		polls: polls.map((poll) => ({ poll, tally: tallies.get(tallyId(poll._id)) ?? null })),
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

/**
 * Pulls every change since the checkpoint, a page per request, storing each
 * page with its revision history (new_edits: false) as replication would.
 * Returns how many documents arrived.
 */
export async function pull(
	db: PouchDB.Database,
	options: { signal: AbortSignal; onPage?: (received: number) => void }
): Promise<number> {
	const start = await settleWithin(readCheckpoint(db));
	let since = start.since;
	let received = 0;
	for (;;) {
		const response = await fetch(`/api/sync?since=${encodeURIComponent(since)}`, {
			signal: options.signal,
			headers: { accept: 'application/json' }
		});
		if (!response.ok) throw new HttpError(response.status);
		const page = (await response.json()) as FeedPage;
		if (page.docs.length > 0) {
			await settleWithin(db.bulkDocs(page.docs as never[], { new_edits: false }));
			received += page.docs.length;
			options.onPage?.(received);
		}
		since = page.last_seq;
		await settleWithin(
			writeCheckpoint(db, {
				since,
				synced_at: page.more ? start.synced_at : new Date().toISOString()
			})
		);
		if (!page.more) return received;
	}
}
