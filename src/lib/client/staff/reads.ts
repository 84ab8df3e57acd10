import type { DraftNotice, Notice } from '../../domain/notice.ts';
import type { Poll } from '../../domain/poll.ts';
import type { SubmissionDoc } from '../../domain/submission.ts';
import { byStart, type CommuneEvent } from '../../domain/event.ts';
import { labelOrder } from '../../domain/resident-code.ts';
import {
	compareStaffItems,
	staffState,
	type StaffLocation,
	type StaffState
} from '../../domain/staff-notice.ts';
import { slugOf } from '../../domain/slug.ts';

/**
 * What the staff screens list, built from the documents both local databases
 * hold. Pure: the store feeds it from PouchDB's changes feed.
 */

/** The documents staff write in either database, by their `type` (and id prefix). */
export type StaffKind = 'notice' | 'poll' | 'event';

type Status = { status?: DraftNotice['status'] };

interface EntryBase<K extends StaffKind, D> {
	kind: K;
	id: string;
	/** The part after "<type>:": the document's one address. */
	slug: string;
	/** Where the version shown lives (-public first when it is open in both). */
	location: StaffLocation;
	doc: D;
	/** Losing revisions of an unresolved conflict, in `location`. */
	conflicts: string[];
	/**
	 * Also open in the other database: one laptop moved it (published,
	 * retracted) while another edited the copy it left. A conflict as well.
	 */
	elsewhere: StaffLocation | null;
	/** More than one open version: staff must choose. */
	conflicted: boolean;
	/** Changed on this laptop since the last complete sync: not on the server yet. */
	unsent: boolean;
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

/** The documents changed on this laptop since the last complete sync, by database. */
export type UnsentIds = Record<StaffLocation, ReadonlySet<string>>;

const ORDER: { [K in StaffKind]: (a: StaffEntryOf[K], b: StaffEntryOf[K]) => number } = {
	notice: (a, b) =>
		compareStaffItems(
			{ ...a, conflicts: a.conflicted ? ['*'] : [] },
			{ ...b, conflicts: b.conflicted ? ['*'] : [] }
		),
	poll: (a, b) => b.doc.opens_at.localeCompare(a.doc.opens_at),
	event: (a, b) => byStart(a.doc, b.doc)
};

type Located = { location: StaffLocation; doc: StoredDoc };

/**
 * One reader for notices, polls and events: one entry per document, however
 * many databases hold it, notices with their state, in the order its screen
 * shows.
 */
export function entriesOf<K extends StaffKind>(
	kind: K,
	docs: Iterable<Located>,
	unsent: UnsentIds,
	now: Date
): StaffEntryOf[K][] {
	const byId = new Map<string, Located[]>();
	for (const found of docs) {
		if (found.doc.type !== kind) continue;
		const copies = byId.get(found.doc._id) ?? [];
		copies.push(found);
		byId.set(found.doc._id, copies);
	}
	const entries: StaffEntryOf[K][] = [];
	for (const [id, copies] of byId) {
		const shown = copies.find((copy) => copy.location === 'public') ?? copies[0];
		const other = copies.find((copy) => copy !== shown);
		const conflicts = shown.doc._conflicts ?? [];
		const entry = {
			kind,
			id,
			slug: id.slice(kind.length + 1),
			location: shown.location,
			doc: shown.doc,
			conflicts,
			elsewhere: other?.location ?? null,
			conflicted: conflicts.length > 0 || other !== undefined,
			unsent: copies.some((copy) => unsent[copy.location].has(id))
		} as unknown as StaffEntryOf[K];
		if (kind === 'notice') {
			const item = entry as StaffItem;
			item.state = staffState(item.doc, item.location, now);
		}
		entries.push(entry);
	}
	return entries.sort(ORDER[kind]);
}

/** The resident register as staff see it (labels and states; codes are never stored). */
export interface StaffResident {
	_id: string;
	label: string;
	status: 'active' | 'revoked';
	issued_at: string;
	updated_at: string;
	code_version: number;
	/** The commune's day the code was first used (never finer: see residents.ts). */
	first_used_at?: string;
}

export interface StaffKiosk {
	_id: string;
	label: string;
	status: 'active' | 'revoked';
}

/** A resident's suggestion or report, as staff see it on their laptop. */
export interface StaffSubmission {
	id: string;
	/** The part after "submission:", for addresses. */
	slug: string;
	doc: SubmissionDoc;
	conflicts: string[];
	conflicted: boolean;
	unsent: boolean;
}

export interface StaffLists {
	notice: StaffItem[];
	poll: StaffPoll[];
	event: StaffEvent[];
	residents: StaffResident[];
	kiosks: StaffKiosk[];
	submissions: StaffSubmission[];
}

const byLabel = (a: StaffResident, b: StaffResident) =>
	labelOrder.compare(a.label, b.label) || a._id.localeCompare(b._id);

/** Every staff list at once, from what both databases hold. */
export function staffLists(docs: readonly Located[], unsent: UnsentIds, now: Date): StaffLists {
	const mairie = docs.filter((found) => found.location === 'mairie').map((found) => found.doc);
	const ofType = <T>(type: string) => mairie.filter((doc) => doc.type === type) as unknown as T[];
	return {
		notice: entriesOf('notice', docs, unsent, now),
		poll: entriesOf('poll', docs, unsent, now),
		event: entriesOf('event', docs, unsent, now),
		// « Résident 7 » before « Résident 10 » (issue 13 §4).
		residents: ofType<StaffResident>('resident').sort(byLabel),
		kiosks: ofType<StaffKiosk>('kiosk').sort((a, b) => a._id.localeCompare(b._id)),
		submissions: ofType<SubmissionDoc & { _conflicts?: string[] }>('submission')
			.map((doc) => ({
				id: doc._id,
				slug: slugOf(doc._id),
				doc,
				conflicts: doc._conflicts ?? [],
				conflicted: (doc._conflicts?.length ?? 0) > 0,
				unsent: unsent.mairie.has(doc._id)
			}))
			.sort((a, b) => b.doc.created_at.localeCompare(a.doc.created_at))
	};
}
