import type { FeedDoc, FeedPage } from '../domain/feed.ts';
import { visiblePolls } from '../domain/poll.ts';
import { tallyId } from '../domain/tally.ts';
import type { Backend } from './backend.ts';
import { followChanges } from './changes.ts';
import { errorText, logEvent } from './log.ts';

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
		...listedPolls.flatMap((id) => [id, tallyId(id)]),
		...comingEvents.map((row) => row.id)
	];
	const docs = await bulkGet(
		backend,
		[...new Set(ids)].map((id) => ({ id }))
	);
	return docs.filter((doc) => !doc._deleted);
}

/** How long an answer is shared while the change follower runs: until the next change. */
const SHARED_FOR_MS = 30_000;
/** Without the follower, answers are still shared for a second (a burst), never longer. */
const SHARED_BLIND_MS = 1000;
const SHARED_MAX = 500;
/** A commune's shared answers, and whether its change follower is up. */
interface SharedFeed {
	pages: Map<string, { until: number; page: Promise<FeedPage> }>;
	followerUp: boolean;
}
const sharedFeeds = new Map<string, SharedFeed>();

/**
 * Follows the public database's changes (one long-poll at a time) and forgets
 * every shared answer as soon as anything changes, so a shared answer is never
 * older than the last change. One follower per commune, started on its first read.
 */
function sharedFeedOf(backend: Backend): SharedFeed {
	const known = sharedFeeds.get(backend.commune);
	if (known) return known;
	const shared: SharedFeed = { pages: new Map(), followerUp: false };
	sharedFeeds.set(backend.commune, shared);
	followChanges(backend, backend.databases.public, {
		changed: () => shared.pages.clear(),
		state(up) {
			shared.followerUp = up;
			if (!up) shared.pages.clear();
		}
	});
	return shared;
}

/**
 * readFeed, shared: a thousand phones asking "anything since X?" at once (an
 * urgent alert, the five-minute rhythm) cost one read of CouchDB, and a phone
 * up to date costs none until something changes.
 */
export function readFeedShared(backend: Backend, since: string, limit: number): Promise<FeedPage> {
	const shared = sharedFeedOf(backend);
	const { pages } = shared;
	const key = `${since} ${limit}`;
	const now = Date.now();
	const hit = pages.get(key);
	if (hit && hit.until > now) return hit.page;
	if (pages.size >= SHARED_MAX) {
		for (const [stale, entry] of pages) if (entry.until <= now) pages.delete(stale);
		if (pages.size >= SHARED_MAX) pages.clear();
	}
	const page = readFeed(backend, since, limit);
	pages.set(key, { until: now + (shared.followerUp ? SHARED_FOR_MS : SHARED_BLIND_MS), page });
	// A failed read is not shared.
	page.catch(() => pages.delete(key));
	return page;
}

/**
 * The feed since `since` as NDJSON, one JSON page per line. A phone up to
 * date or a few changes behind — nearly every request — gets one short line
 * at once. More than a page is streamed in one response: on a 400 ms link,
 * one round trip instead of one per page, while the server reads the next
 * page as the previous one travels. A new device (since 0) first gets what
 * its home page shows, then the history without the documents it already
 * has, without revision histories. The last line's `more` says whether to
 * ask again.
 */
export async function openFeed(
	backend: Backend,
	since: string,
	now = new Date()
): Promise<string | ReadableStream<Uint8Array>> {
	const line = (value: unknown) => JSON.stringify(value) + '\n';
	const sent = new Map<string, string>();
	let first: string;
	let cursor = since;
	let docsSent = 0;
	if (since === '0') {
		const docs = (await readCurrentDocs(backend, now)).map(withoutHistory);
		for (const doc of docs) sent.set(doc._id, doc._rev);
		first = line({ docs, current: true });
	} else {
		const page = await readFeedShared(backend, since, STREAM_PAGE);
		if (!page.more) return line(page);
		first = line(page);
		cursor = page.last_seq;
		docsSent = page.docs.length;
	}
	const encoder = new TextEncoder();
	let started = false;
	return new ReadableStream({
		async pull(controller) {
			if (!started) {
				started = true;
				controller.enqueue(encoder.encode(first));
				return;
			}
			try {
				const page = await readFeed(backend, cursor, STREAM_PAGE, sent);
				if (since === '0') page.docs = page.docs.map(withoutHistory);
				docsSent += page.docs.length;
				cursor = page.last_seq;
				controller.enqueue(encoder.encode(line(page)));
				if (!page.more || docsSent >= STREAM_MAX_DOCS) controller.close();
			} catch (error) {
				// The device keeps the pages it stored and resumes from its checkpoint.
				logEvent('error', 'sync_stream_cut', { since: cursor, error: errorText(error) });
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
function withoutHistory(doc: FeedDoc): FeedDoc {
	// A copy: pages may be shared between requests.
	const { _revisions, ...rest } = doc;
	void _revisions;
	return rest as FeedDoc;
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
