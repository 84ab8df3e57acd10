import type { DraftNotice, Notice } from '../../domain/notice.ts';
import type { Poll } from '../../domain/poll.ts';
import type { SubmissionDoc } from '../../domain/submission.ts';
import { byStart, type CommuneEvent } from '../../domain/event.ts';
import {
	compareStaffItems,
	staffState,
	type StaffLocation,
	type StaffState
} from '../../domain/staff-notice.ts';
import { LOCATIONS, type StaffDbs } from './handles.ts';

/** The documents staff write in either database, by their `type` (and id prefix). */
export type StaffKind = 'notice' | 'poll' | 'event';

type Status = { status?: DraftNotice['status'] };

interface EntryBase<K extends StaffKind, D> {
	kind: K;
	key: string;
	id: string;
	/** The part after "<type>:", for addresses. */
	slug: string;
	location: StaffLocation;
	doc: D;
	/** Losing revisions of an unresolved conflict. */
	conflicts: string[];
}

export type StaffItem = EntryBase<'notice', Notice | DraftNotice> & { state: StaffState };
export type StaffPoll = EntryBase<'poll', Poll & Status>;
export type StaffEvent = EntryBase<'event', CommuneEvent & Status>;
export interface StaffEntryOf {
	notice: StaffItem;
	poll: StaffPoll;
	event: StaffEvent;
}
export type StaffEntry = StaffEntryOf[StaffKind];

/** A stored document as PouchDB returns it with `conflicts: true`. */
export type StoredDoc = { _id: string; _rev: string; _conflicts?: string[]; type?: string };

const ORDER: { [K in StaffKind]: (a: StaffEntryOf[K], b: StaffEntryOf[K]) => number } = {
	notice: compareStaffItems,
	poll: (a, b) => b.doc.opens_at.localeCompare(a.doc.opens_at),
	event: (a, b) => byStart(a.doc, b.doc)
};

/**
 * The staff list of one kind, from documents of both databases: notices with
 * their state, each list in the order its screen shows.
 */
export function entriesOf<K extends StaffKind>(
	kind: K,
	docs: Iterable<{ location: StaffLocation; doc: StoredDoc }>,
	now: Date
): StaffEntryOf[K][] {
	const entries: StaffEntryOf[K][] = [];
	for (const { location, doc } of docs) {
		if (doc.type !== kind) continue;
		const slug = doc._id.slice(kind.length + 1);
		const entry = {
			kind,
			key: `${location}/${slug}`,
			id: doc._id,
			slug,
			location,
			doc,
			conflicts: doc._conflicts ?? []
		} as unknown as StaffEntryOf[K];
		if (kind === 'notice') {
			const item = entry as StaffItem;
			item.state = staffState(item.doc, location, now);
		}
		entries.push(entry);
	}
	return entries.sort(ORDER[kind]);
}

/** The documents whose id starts with `prefix`, winners only (with their conflicts if asked). */
export async function docsWithPrefix<T>(
	db: PouchDB.Database,
	prefix: string,
	conflicts = false
): Promise<T[]> {
	const result = await db.allDocs({
		include_docs: true,
		conflicts,
		startkey: prefix,
		endkey: `${prefix}\ufff0`
	});
	return result.rows.flatMap((row) => (row.doc ? [row.doc as unknown as T] : []));
}

/** One reader for notices, polls and events: both databases, with their conflicts. */
export async function readStaffDocs<K extends StaffKind>(
	dbs: StaffDbs,
	kind: K,
	now: Date
): Promise<StaffEntryOf[K][]> {
	const found: { location: StaffLocation; doc: StoredDoc }[] = [];
	for (const location of LOCATIONS) {
		for (const doc of await docsWithPrefix<StoredDoc>(dbs.local[location], `${kind}:`, true)) {
			found.push({ location, doc });
		}
	}
	return entriesOf(kind, found, now);
}

/** The resident register as staff see it (labels and states; codes are never stored). */
export interface StaffResident {
	_id: string;
	label: string;
	status: 'active' | 'revoked';
	issued_at: string;
	updated_at: string;
	code_version: number;
}

export async function readResidents(dbs: StaffDbs): Promise<StaffResident[]> {
	return (await docsWithPrefix<StaffResident>(dbs.local.mairie, 'resident:')).sort(
		(a, b) => a.label.localeCompare(b.label, 'fr') || a._id.localeCompare(b._id)
	);
}

export interface StaffKiosk {
	_id: string;
	label: string;
	status: 'active' | 'revoked';
}

export async function readKiosks(dbs: StaffDbs): Promise<StaffKiosk[]> {
	return docsWithPrefix<StaffKiosk>(dbs.local.mairie, 'kiosk:');
}

/** A resident's suggestion or report, as staff see it on their laptop. */
export interface StaffSubmission {
	id: string;
	/** The part after "submission:", for addresses. */
	slug: string;
	doc: SubmissionDoc;
	conflicts: string[];
}

export async function readSubmissions(dbs: StaffDbs): Promise<StaffSubmission[]> {
	const docs = await docsWithPrefix<SubmissionDoc & { _conflicts?: string[] }>(
		dbs.local.mairie,
		'submission:',
		true
	);
	return docs
		.filter((doc) => doc.type === 'submission')
		.map((doc) => ({
			id: doc._id,
			slug: doc._id.slice('submission:'.length),
			doc,
			conflicts: doc._conflicts ?? []
		}))
		.sort((a, b) => b.doc.created_at.localeCompare(a.doc.created_at));
}
