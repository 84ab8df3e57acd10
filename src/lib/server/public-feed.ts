import type { FileInfo } from '../domain/notice.ts';
import { visiblePolls } from '../domain/poll.ts';
import type { Backend } from './backend.ts';

/** A replicated document as a villager device stores it: attachments as metadata only. */
export interface FeedDoc {
	_id: string;
	_rev: string;
	_deleted?: boolean;
	_revisions?: { start: number; ids: string[] };
	files?: FileInfo[];
	[field: string]: unknown;
}

export interface FeedPage {
	docs: FeedDoc[];
	last_seq: string;
	/** More changes wait after last_seq: ask again at once. */
	more: boolean;
}

/** The first line a new device receives: what its home page shows, before any history. */
export interface CurrentLine {
	docs: FeedDoc[];
	current: true;
}

export type FeedLine = FeedPage | CurrentLine;

/** The streamed feed's media type: one JSON page per line. */
export const NDJSON = 'application/x-ndjson';
export const FEED_LIMIT_DEFAULT = 500;
export const FEED_LIMIT_MAX = 1000;
/** Pages in a streamed feed: small enough that a device stores and shows progress often. */
const STREAM_PAGE = 200;
/** One response carries at most this many documents; the device then asks again. */
const STREAM_MAX_DOCS = 10_000;

interface ChangeRow {
	id: string;
	seq: string | number;
	deleted?: boolean;
	changes: { rev: string }[];
}

interface BulkGetResult {
	id: string;
	docs: ({ ok: Record<string, unknown> } | { error: unknown })[];
}

/**
 * One page of the public database's changes with the documents and their
 * revision history, in a single response: villagers pull with one request per
 * page (one in all when nothing changed) instead of PouchDB replication's four
 * round trips per batch. Attachments stay on the server and are fetched when opened.
 */
export async function readFeed(
	backend: Backend,
	since: string,
	limit: number,
	alreadySent?: ReadonlyMap<string, string>
): Promise<FeedPage> {
	const changes = (await backend.couch.request({
		db: backend.databases.public,
		path: '_changes',
		qs: { since, limit, style: 'main_only' }
	})) as { results: ChangeRow[]; last_seq: string | number };
	const wanted = changes.results
		.filter((row) => !row.id.startsWith('_design/'))
		.map((row) => ({ id: row.id, rev: row.changes[0].rev }))
		.filter((doc) => alreadySent?.get(doc.id) !== doc.rev);
	return {
		docs: await bulkGet(backend, wanted),
		last_seq: String(changes.last_seq),
		more: changes.results.length >= limit
	};
}

async function bulkGet(
	backend: Backend,
	wanted: { id: string; rev?: string }[]
): Promise<FeedDoc[]> {
	if (wanted.length === 0) return [];
	const fetched = (await backend.couch.request({
		db: backend.databases.public,
		path: '_bulk_get',
		method: 'POST',
		qs: { revs: true },
		body: { docs: wanted }
	})) as { results: BulkGetResult[] };
	return fetched.results.flatMap((result) =>
		result.docs.flatMap((entry) => ('ok' in entry ? [toFeedDoc(entry.ok)] : []))
	);
}

interface IdRow {
	id: string;
	key: unknown;
	doc?: Record<string, unknown>;
}

/**
 * What a home page shows now — the commune, current notices, polls still
 * listed with their tallies, events to come — with revision histories. Found
 * through the expiry view and id ranges, so the history is not read.
 */
export async function readCurrentDocs(backend: Backend, now = new Date()): Promise<FeedDoc[]> {
	const db = backend.couch.use(backend.databases.public);
	const nowIso = now.toISOString();
	const [notices, polls, events] = await Promise.all([
		db.view('crieur', 'by_expiry', { startkey: nowIso }),
		db.list({ startkey: 'poll:', endkey: 'poll:\ufff0', include_docs: true }),
		db.list({ startkey: 'event:', endkey: 'event:\ufff0', include_docs: true })
	]);
	const pollDocs = (polls.rows as IdRow[]).flatMap((row) =>
		row.doc ? [{ poll: row.doc as { _id: string; opens_at: string; closes_at: string } }] : []
	);
	const listedPolls = visiblePolls(pollDocs, now).map((entry) => entry.poll._id);
	const comingEvents = (events.rows as IdRow[]).filter(
		(row) => typeof row.doc?.ends_at === 'string' && row.doc.ends_at >= nowIso
	);
	const ids = [
		'commune',
		...(notices.rows as IdRow[]).map((row) => row.id),
		...listedPolls.flatMap((id) => [id, `tally:${id.slice('poll:'.length)}`]),
		...comingEvents.map((row) => row.id)
	];
	const docs = await bulkGet(
		backend,
		[...new Set(ids)].map((id) => ({ id }))
	);
	return docs.filter((doc) => !doc._deleted);
}

/**
 * The whole feed since `since` in one streamed response, one JSON line per
 * page (NDJSON): on a 400 ms link, one round trip instead of one per page,
 * while the server reads the next page as the previous one travels. A new
 * device (since 0) first gets what its home page shows, then the history
 * without the documents it already has. Ends with a page whose `more` says
 * whether to ask again.
 */
export function streamFeed(backend: Backend, since: string, now = new Date()): ReadableStream {
	const encoder = new TextEncoder();
	const sent = new Map<string, string>();
	let cursor = since;
	let docsSent = 0;
	let startedWithCurrent = since !== '0';
	return new ReadableStream({
		async pull(controller) {
			try {
				if (!startedWithCurrent) {
					startedWithCurrent = true;
					const docs = await readCurrentDocs(backend, now);
					for (const doc of docs) {
						sent.set(doc._id, doc._rev);
						withoutHistory(doc);
					}
					controller.enqueue(encoder.encode(JSON.stringify({ docs, current: true }) + '\n'));
					return;
				}
				const page = await readFeed(backend, cursor, STREAM_PAGE, sent);
				if (since === '0') page.docs.forEach(withoutHistory);
				docsSent += page.docs.length;
				cursor = page.last_seq;
				const last = !page.more || docsSent >= STREAM_MAX_DOCS;
				controller.enqueue(encoder.encode(JSON.stringify(page) + '\n'));
				if (last) controller.close();
			} catch (error) {
				// The device keeps the pages it stored and resumes from its checkpoint.
				controller.error(error);
			}
		}
	});
}

/**
 * A device with nothing yet needs no revision history: PouchDB starts the
 * tree at the revision itself (new_edits: false), and later changes arrive
 * with their full history, which joins it there. The hashes do not compress.
 */
function withoutHistory(doc: FeedDoc): void {
	delete doc._revisions;
}

function toFeedDoc(doc: Record<string, unknown>): FeedDoc {
	const { _attachments, ...rest } = doc as { _attachments?: Record<string, FileStub> };
	const feedDoc = rest as FeedDoc;
	if (_attachments) {
		feedDoc.files = Object.entries(_attachments)
			.map(([name, stub]) => ({ name, content_type: stub.content_type, length: stub.length }))
			.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
	}
	return feedDoc;
}

interface FileStub {
	content_type: string;
	length: number;
}
