import type { AttachmentStub, DraftNotice, Notice, NoticeFields } from '../../domain/notice.ts';
import type { Poll } from '../../domain/poll.ts';
import type { CommuneEvent, EventFields } from '../../domain/event.ts';
import type { SubmissionDoc } from '../../domain/submission.ts';
import type { Commune } from '../../domain/commune.ts';
import { closedLeaf, conflictResolution, type StaffLocation } from '../../domain/staff-notice.ts';
import { LOCATIONS, type StaffDbs } from './handles.ts';

/** A poll's own fields, without CouchDB's. */
export type PollFields = Omit<Poll, '_id' | '_rev'>;

export async function getOrNull<T>(
	db: PouchDB.Database,
	id: string
): Promise<(T & { _rev: string }) | null> {
	try {
		return (await db.get(id)) as unknown as T & { _rev: string };
	} catch (error) {
		if ((error as { status?: number }).status === 404) return null;
		throw error;
	}
}

/**
 * A write PouchDB refused, per document (bulkDocs answers each one apart).
 * Named, so that the UI can tell it from storage errors.
 */
export class StaffWriteError extends Error {
	override readonly name = 'StaffWriteError';
	readonly status: number | undefined;
	constructor(result: { id?: string; error?: unknown; reason?: string; status?: number }) {
		super(`${result.id ?? ''}: ${String(result.reason ?? result.error)}`);
		this.status = result.status;
	}
}

function throwIfFailed(results: (PouchDB.Core.Response | PouchDB.Core.Error)[]): void {
	const failed = results.find((result) => 'error' in result && result.error);
	if (failed) throw new StaffWriteError(failed as PouchDB.Core.Error);
}

/** A file chosen in the editor: new ones carry their bytes, kept ones are named only. */
export interface EditorFile {
	name: string;
	content_type: string;
	length: number;
	blob?: Blob;
	/** A picture's short description (its alternative text), kept in the notice's `files_alt`. */
	alt?: string;
}

/**
 * Builds `_attachments` for a write into `target`: kept files stay stubs when
 * the document stays in its database, and are copied as bytes when it moves.
 */
async function attachmentsFor(
	dbs: StaffDbs,
	id: string,
	files: EditorFile[],
	from: StaffLocation | null,
	target: StaffLocation
): Promise<Record<string, AttachmentStub> | undefined> {
	if (files.length === 0) return undefined;
	const source = from
		? await getOrNull<{ _attachments?: Record<string, AttachmentStub> }>(dbs.local[from], id)
		: null;
	const result: Record<string, AttachmentStub> = {};
	for (const file of files) {
		if (file.blob) {
			result[file.name] = { content_type: file.content_type, data: file.blob };
		} else if (from === target && source?._attachments?.[file.name]) {
			result[file.name] = source._attachments[file.name];
		} else if (from) {
			const data = (await dbs.local[from].getAttachment(id, file.name)) as Blob;
			result[file.name] = { content_type: file.content_type, data };
		}
	}
	return result;
}

/** The commune's document as staff save it (its zones): signed and dated like the others. */
export type CommuneFields = Omit<Commune, '_id' | '_rev'> & {
	updated_at: string;
	updated_by?: string;
};

export interface SaveRequest {
	id: string;
	/** A notice's, a poll's, an event's or the commune's fields (the document type travels in them). */
	fields: NoticeFields | PollFields | EventFields | CommuneFields;
	files: EditorFile[];
	/** Where the document was before this save (null for a new one). */
	from: StaffLocation | null;
	to: StaffLocation;
	status?: DraftNotice['status'];
	/**
	 * The revision the editor's form was filled from (null for a new one). A sync
	 * may have brought a newer revision since, from another laptop: the save then
	 * branches from the form's revision, and the other edit stays beside it as a
	 * conflict instead of being overwritten unseen.
	 */
	baseRev?: string | null;
}

/** The open versions of a document: the winner first. */
async function leafRevs(db: PouchDB.Database, id: string): Promise<string[]> {
	const doc = (await db.get(id, { conflicts: true })) as { _rev: string; _conflicts?: string[] };
	return [doc._rev, ...(doc._conflicts ?? [])];
}

/** A revision id as PouchDB makes them; getRandomValues works on a plain-http LAN too. */
function newRevHash(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(16));
	return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Writes `doc` as the child of `baseRev`, even when a newer revision has
 * followed it: the same revision tree an offline laptop's edit makes, which
 * replication then shows as a conflict.
 */
async function writeFrom(
	db: PouchDB.Database,
	doc: Record<string, unknown> & { _id: string },
	baseRev: string,
	winnerRev: string
): Promise<string> {
	if ((await leafRevs(db, doc._id)).includes(baseRev)) {
		return (await db.put({ ...doc, _rev: baseRev })).rev;
	}
	const base = (await db.get(doc._id, { rev: baseRev, revs: true }).catch(() => null)) as {
		_revisions?: { start: number; ids: string[] };
	} | null;
	if (!base?._revisions) {
		// The form's revision is gone from this laptop (compacted): write over the winner.
		return (await db.put({ ...doc, _rev: winnerRev })).rev;
	}
	const hash = newRevHash();
	const start = base._revisions.start + 1;
	const rev = `${start}-${hash}`;
	const written = await db.bulkDocs(
		[{ ...doc, _rev: rev, _revisions: { start, ids: [hash, ...base._revisions.ids] } }],
		{ new_edits: false }
	);
	throwIfFailed(written);
	return rev;
}

/**
 * Writes a notice, a poll or an event where the editor action says, and
 * removes it from where it was if it moved: publishing takes a draft out of
 * -mairie, retracting takes it out of -public and keeps it in -mairie. Returns
 * the revision written: the next save from the same form builds on it.
 */
export async function saveDocument(dbs: StaffDbs, request: SaveRequest): Promise<string> {
	const { id, fields, files, from, to, status, baseRev } = request;
	const target = dbs.local[to];
	const existing = await getOrNull<Notice>(target, id);
	const doc: Record<string, unknown> & { _id: string } = { ...fields, _id: id };
	if (to === 'mairie') doc.status = status ?? 'draft';
	const attachments = await attachmentsFor(dbs, id, files, from, to);
	if (attachments) doc._attachments = attachments;
	let rev: string;
	if (existing && from === to && baseRev && baseRev !== existing._rev) {
		rev = await writeFrom(target, doc, baseRev, existing._rev);
	} else {
		if (existing) doc._rev = existing._rev;
		rev = (await target.put(doc)).rev;
	}
	if (from && from !== to) {
		const source = dbs.local[from];
		const previous = await getOrNull<Notice>(source, id);
		// Only the version the form showed leaves; one a sync brought since stays in view.
		const leaving = baseRev ?? previous?._rev;
		if (previous && leaving && (await leafRevs(source, id)).includes(leaving)) {
			await source.remove(id, leaving);
		}
	}
	return rev;
}

/** Deletes a document's winning revision (a draft staff throw away). */
export async function deleteDocument(
	dbs: StaffDbs,
	location: StaffLocation,
	id: string
): Promise<void> {
	const doc = await getOrNull<Notice>(dbs.local[location], id);
	if (doc) await dbs.local[location].remove(id, doc._rev);
}

/** What staff see in both databases: notices, polls, events, and residents' submissions. */
export type StaffDocument =
	| Notice
	| DraftNotice
	| ((Poll | CommuneEvent) & { status?: DraftNotice['status'] })
	| SubmissionDoc;

/** One open revision of a document, in one of the two databases. */
export interface VersionRef {
	location: StaffLocation;
	rev: string;
}

export interface Version<D extends StaffDocument = StaffDocument> extends VersionRef {
	doc: D & { _rev: string };
	/** The version the editor shows (and the list): the winner where the document lives. */
	winning: boolean;
}

async function winnerWithConflicts(
	db: PouchDB.Database,
	id: string
): Promise<(StaffDocument & { _rev: string; _conflicts?: string[] }) | null> {
	try {
		return (await db.get(id, { conflicts: true })) as never;
	} catch (error) {
		if ((error as { status?: number }).status === 404) return null;
		throw error;
	}
}

/**
 * Every open version of a document, the one shown first. A document may be
 * open in both databases: a laptop published (or retracted) it while another
 * edited the copy it moved away from. That is a conflict as well, shown and
 * settled like the others; -public comes first, as villagers see it.
 */
export async function readVersions(
	dbs: StaffDbs,
	id: string,
	locations: readonly StaffLocation[] = LOCATIONS
): Promise<Version[]> {
	const versions: Version[] = [];
	for (const location of locations) {
		const db = dbs.local[location];
		const winner = await winnerWithConflicts(db, id);
		if (!winner) continue;
		versions.push({ location, rev: winner._rev, doc: winner, winning: versions.length === 0 });
		for (const rev of winner._conflicts ?? []) {
			const doc = (await db.get(id, { rev })) as never;
			versions.push({ location, rev, doc, winning: false });
		}
	}
	return versions;
}

const sameRef = (a: VersionRef) => (b: VersionRef) => a.location === b.location && a.rev === b.rev;

/**
 * Keeps one version of a conflicted document (see conflictResolution). Only
 * the versions the panel showed (`shown`) are closed: one a sync brought since
 * stays open, as a conflict still to settle. The kept content is written in
 * its own database; the shown versions in the other one are closed. False
 * when none of the shown versions is open any more where the kept one lives
 * (settled elsewhere meanwhile): nothing is written.
 */
export async function keepVersion(
	dbs: StaffDbs,
	id: string,
	kept: VersionRef,
	shown: readonly VersionRef[],
	now: Date,
	by?: string
): Promise<boolean> {
	const versions = await readVersions(dbs, id);
	const open = versions.filter((version) => shown.some(sameRef(version)));
	const closing = open
		.filter((version) => version.location === kept.location)
		.map((version) => version.rev);
	if (closing.length === 0) return false;
	const db = dbs.local[kept.location];
	const winner = versions.find((version) => version.location === kept.location)!;
	const keptDoc =
		versions.find(sameRef(kept))?.doc ??
		((await db.get(id, { rev: kept.rev })) as unknown as StaffDocument);
	// The winner's branch carries on when the panel showed it; else one the panel showed.
	const branch = closing.includes(winner.rev)
		? winner.rev
		: closing.includes(kept.rev)
			? kept.rev
			: closing[0];
	const writes = conflictResolution(
		id,
		branch,
		closing,
		{ ...(keptDoc as unknown as Record<string, unknown>), _rev: kept.rev },
		now,
		by
	);
	throwIfFailed(await db.bulkDocs(writes as never[]));
	for (const location of LOCATIONS) {
		if (location === kept.location) continue;
		const elsewhere = open.filter((version) => version.location === location);
		if (elsewhere.length === 0) continue;
		throwIfFailed(
			await dbs.local[location].bulkDocs(
				elsewhere.map((version) => closedLeaf(id, version.rev)) as never[]
			)
		);
	}
	return true;
}
