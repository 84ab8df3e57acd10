import type { FileInfo } from '../domain/notice.ts';
import type { Backend } from './backend.ts';

/** A replicated document as a villager device stores it: attachments as metadata only. */
export interface FeedDoc {
	_id: string;
	_rev: string;
	_deleted?: boolean;
	_revisions: { start: number; ids: string[] };
	files?: FileInfo[];
	[field: string]: unknown;
}

export interface FeedPage {
	docs: FeedDoc[];
	last_seq: string;
	/** More changes wait after last_seq: ask again at once. */
	more: boolean;
}

export const FEED_LIMIT_DEFAULT = 500;
export const FEED_LIMIT_MAX = 1000;

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
export async function readFeed(backend: Backend, since: string, limit: number): Promise<FeedPage> {
	const db = backend.databases.public;
	const changes = (await backend.couch.request({
		db,
		path: '_changes',
		qs: { since, limit, style: 'main_only' }
	})) as { results: ChangeRow[]; last_seq: string | number };
	const wanted = changes.results
		.filter((row) => !row.id.startsWith('_design/'))
		.map((row) => ({ id: row.id, rev: row.changes[0].rev }));

	let docs: FeedDoc[] = [];
	if (wanted.length > 0) {
		const fetched = (await backend.couch.request({
			db,
			path: '_bulk_get',
			method: 'POST',
			qs: { revs: true },
			body: { docs: wanted }
		})) as { results: BulkGetResult[] };
		docs = fetched.results.flatMap((result) =>
			result.docs.flatMap((entry) => ('ok' in entry ? [toFeedDoc(entry.ok)] : []))
		);
	}
	return {
		docs,
		last_seq: String(changes.last_seq),
		more: changes.results.length >= limit
	};
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
