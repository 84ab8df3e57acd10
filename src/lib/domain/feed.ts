import type { FileInfo } from './notice.ts';

/**
 * The villager's pull (`GET /api/sync`): written by src/lib/server/public-feed.ts,
 * read by src/lib/client/replica.ts. One declaration, so the two cannot drift.
 */

/** A replicated document as a villager device stores it: attachments as metadata only. */
export interface FeedDoc {
	_id: string;
	_rev: string;
	_deleted?: boolean;
	/** Left out for a device that has nothing yet: the revision alone starts its tree. */
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

/** One line of the streamed feed. */
export type FeedLine = FeedPage | CurrentLine;

/** The streamed feed's media type: one JSON page per line. */
export const NDJSON = 'application/x-ndjson';
