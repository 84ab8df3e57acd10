import type { DraftNotice, DraftStatus, Notice, NoticeCategory, NoticeFields } from './notice.ts';
import { visibility } from './notice.ts';

/** Where a notice lives: published in -public, or kept by the mairie in -mairie. */
export type StaffLocation = 'public' | 'mairie';

/** What staff see of a notice's life. */
export type StaffState = 'published' | 'scheduled' | 'draft' | 'retracted' | 'expired';

export function staffState(
	doc: Notice | DraftNotice,
	location: StaffLocation,
	now: Date
): StaffState {
	if (location === 'mairie') return (doc as DraftNotice).status;
	const state = visibility(doc, now);
	if (state === 'expired') return 'expired';
	// A public notice with a future date (edited after publication) waits like a scheduled one.
	return state === 'scheduled' ? 'scheduled' : 'published';
}

/** Staff list order: conflicts first, then what needs attention, then newest. */
const STATE_ORDER: Record<StaffState, number> = {
	draft: 0,
	scheduled: 1,
	published: 2,
	expired: 3,
	retracted: 4
};

export interface StaffItemLike {
	id: string;
	state: StaffState;
	conflicts: readonly string[];
	doc: Pick<NoticeFields, 'updated_at'>;
}

export function compareStaffItems(a: StaffItemLike, b: StaffItemLike): number {
	if (a.conflicts.length > 0 !== b.conflicts.length > 0) return a.conflicts.length > 0 ? -1 : 1;
	if (a.state !== b.state) return STATE_ORDER[a.state] - STATE_ORDER[b.state];
	const byDate = Date.parse(b.doc.updated_at) - Date.parse(a.doc.updated_at);
	return byDate !== 0 ? byDate : a.id.localeCompare(b.id);
}

/** What the editor form holds. */
export interface NoticeInput {
	title: string;
	body: string;
	category: NoticeCategory;
	urgent: boolean;
	/** ISO, or null for "now". */
	published_at: string | null;
	expires_at: string | null;
	/** The event it announces (`event:<slug>`); null or absent for none. */
	event?: string | null;
	/** The zones it is aimed at; none for the whole commune. */
	zones?: readonly string[];
}

export type EditorAction = 'save-draft' | 'schedule' | 'publish' | 'save-published' | 'retract';

/** The notice fields after an edit; `published_at` null means now. */
export function noticeFields(
	input: NoticeInput,
	previous: Pick<NoticeFields, 'created_at'> | null,
	author: string,
	now: Date
): NoticeFields {
	const at = now.toISOString();
	return {
		type: 'notice',
		title: input.title.trim(),
		body: input.body,
		category: input.category,
		urgent: input.urgent,
		published_at: input.published_at ?? at,
		expires_at: input.expires_at,
		...(input.event ? { event: input.event } : {}),
		...(input.zones && input.zones.length > 0 ? { zones: [...input.zones] } : {}),
		created_at: previous?.created_at ?? at,
		updated_at: at,
		author
	};
}

/**
 * Where an editor action stores the notice. Publishing "now" with a date in the
 * future becomes scheduling, and scheduling a date already past publishes.
 */
export function targetOf(
	action: EditorAction,
	fields: Pick<NoticeFields, 'published_at'>,
	now: Date
): { location: StaffLocation; status?: DraftStatus } {
	const future = Date.parse(fields.published_at) > now.getTime();
	switch (action) {
		case 'save-draft':
			return { location: 'mairie', status: 'draft' };
		case 'retract':
			return { location: 'mairie', status: 'retracted' };
		case 'save-published':
			return { location: 'public' };
		case 'schedule':
		case 'publish':
			return future ? { location: 'mairie', status: 'scheduled' } : { location: 'public' };
	}
}

/** The actions offered for a notice in a given state. */
export function actionsFor(state: StaffState | 'new'): EditorAction[] {
	switch (state) {
		case 'new':
		case 'draft':
		case 'retracted':
			return ['publish', 'save-draft'];
		case 'scheduled':
			return ['schedule', 'publish', 'save-draft'];
		case 'published':
		case 'expired':
			return ['save-published', 'retract'];
	}
}

export interface Revision {
	_rev: string;
	[field: string]: unknown;
}

/**
 * The writes that settle a conflict: the kept version's content becomes a new
 * revision on the winning branch, and every other leaf is closed. Nothing is
 * purged: the other versions stay in the revision history. The person who
 * chose is the last to have saved it (`updated_by`).
 */
export function conflictResolution<T extends Revision>(
	id: string,
	winningRev: string,
	leafRevs: readonly string[],
	kept: T,
	now: Date,
	by?: string
): Array<Record<string, unknown>> {
	const { _rev: _keptRev, _conflicts: _ignored, ...content } = kept as T & { _conflicts?: unknown };
	void _keptRev;
	void _ignored;
	const writes: Array<Record<string, unknown>> = [
		{
			...content,
			_id: id,
			_rev: winningRev,
			updated_at: now.toISOString(),
			...(by ? { updated_by: by } : {})
		}
	];
	for (const rev of leafRevs) {
		if (rev !== winningRev) writes.push(closedLeaf(id, rev));
	}
	return writes;
}

/**
 * Closes one losing revision of a conflict. The mark lets CouchDB tell it from
 * deleting the document: residents' submissions may not be deleted by staff,
 * but a conflict between two laptops' moderation must be settled.
 */
export function closedLeaf(id: string, rev: string): Record<string, unknown> {
	return { _id: id, _rev: rev, _deleted: true, conflict_closed: true };
}
