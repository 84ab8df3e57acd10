import { LIMITS, type DraftStatus, type NoticeCategory } from './limits.ts';

export type { NoticeCategory, DraftStatus };
export const CATEGORIES: readonly NoticeCategory[] = LIMITS.categories;

/** Attachment metadata as the villager replica keeps it (the bytes stay on the server). */
export interface FileInfo {
	name: string;
	content_type: string;
	length: number;
}

/** The fields a notice has wherever it is stored. CouchDB field names are snake_case. */
export interface NoticeFields {
	type: 'notice';
	title: string;
	body: string;
	category: NoticeCategory;
	urgent: boolean;
	published_at: string;
	expires_at: string | null;
	created_at: string;
	updated_at: string;
	author: string;
	/** The staff member who saved this revision: conflicting versions say whose they are. */
	updated_by?: string;
	/**
	 * The event this notice announces (`event:<slug>`): its page shows the
	 * event's date and place from that one document, never a copy of them.
	 */
	event?: string | null;
	/** The zones (ids of the commune's) an alert is aimed at; absent or empty, everyone. */
	zones?: string[];
	/** A short description of each picture attached, by file name: its alternative text. */
	files_alt?: Record<string, string>;
}

/** A notice in `<commune>-public`: visible to all between published_at and expires_at. */
export interface Notice extends NoticeFields {
	_id: string;
	_rev?: string;
	_attachments?: Record<string, AttachmentStub>;
	/** Filled in by the villager replica, which keeps attachment metadata only. */
	files?: FileInfo[];
}

/** A notice in `<commune>-mairie`: a draft, a scheduled notice, or a retracted one kept for the record. */
export interface DraftNotice extends NoticeFields {
	_id: string;
	_rev?: string;
	_attachments?: Record<string, AttachmentStub>;
	status: DraftStatus;
}

export interface AttachmentStub {
	content_type: string;
	length?: number;
	digest?: string;
	stub?: boolean;
	data?: string | Blob;
}

export type Visibility = 'scheduled' | 'current' | 'expired';

/** Where a published notice stands at `now`: before its window, in it, or after. */
export function visibility(
	notice: Pick<NoticeFields, 'published_at' | 'expires_at'>,
	now: Date
): Visibility {
	const t = now.getTime();
	if (Date.parse(notice.published_at) > t) return 'scheduled';
	if (notice.expires_at !== null && Date.parse(notice.expires_at) <= t) return 'expired';
	return 'current';
}

/** Urgent first, then newest first; ties broken by id so that the order is stable. */
export function compareNotices(
	a: Pick<Notice, '_id' | 'urgent' | 'published_at'>,
	b: Pick<Notice, '_id' | 'urgent' | 'published_at'>
): number {
	if (a.urgent !== b.urgent) return a.urgent ? -1 : 1;
	const byDate = Date.parse(b.published_at) - Date.parse(a.published_at);
	if (byDate !== 0) return byDate;
	return a._id < b._id ? -1 : a._id > b._id ? 1 : 0;
}

export interface NoticeLists<T> {
	current: T[];
	past: T[];
}

/**
 * Splits public notices into what a villager sees now and the archive. Urgent
 * only counts while current: an expired alert is history, sorted by date.
 */
export function partitionNotices<T extends Notice>(
	notices: Iterable<T>,
	now: Date
): NoticeLists<T> {
	const current: T[] = [];
	const past: T[] = [];
	for (const notice of notices) {
		const state = visibility(notice, now);
		if (state === 'current') current.push(notice);
		else if (state === 'expired') past.push(notice);
	}
	current.sort(compareNotices);
	past.sort((a, b) => compareNotices({ ...a, urgent: false }, { ...b, urgent: false }));
	return { current, past };
}

/** The next moment a list changes by itself (a scheduled notice appears or one expires). */
export function nextChange(notices: Iterable<Notice>, now: Date): Date | null {
	let next = Infinity;
	const t = now.getTime();
	for (const notice of notices) {
		const published = Date.parse(notice.published_at);
		if (published > t) next = Math.min(next, published);
		if (notice.expires_at !== null) {
			const expires = Date.parse(notice.expires_at);
			if (expires > t) next = Math.min(next, expires);
		}
	}
	return Number.isFinite(next) ? new Date(next) : null;
}

/** Attachment metadata from a CouchDB document, sorted by name. */
export function filesOf(doc: Pick<Notice, '_attachments' | 'files'>): FileInfo[] {
	if (doc.files) return doc.files;
	return Object.entries(doc._attachments ?? {})
		.map(([name, stub]) => ({ name, content_type: stub.content_type, length: stub.length ?? 0 }))
		.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}
