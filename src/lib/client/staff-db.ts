import PouchDB from 'pouchdb-core';
import idb from 'pouchdb-adapter-idb';
import http from 'pouchdb-adapter-http';
import replication from 'pouchdb-replication';
import { databaseName } from '../domain/commune.ts';
import type { AttachmentStub, DraftNotice, Notice, NoticeFields } from '../domain/notice.ts';
import type { Poll } from '../domain/poll.ts';
import { type SubmissionDoc } from '../domain/submission.ts';
import { answerFrom, type AnswerDoc } from '../domain/answer.ts';
import { byStart, type CommuneEvent, type EventFields } from '../domain/event.ts';
import type { ParticipationInput, ReadsDoc } from '../domain/participation.ts';
import type { Tally } from '../domain/tally.ts';

/** A poll's own fields, without CouchDB's. */
export type PollFields = Omit<Poll, '_id' | '_rev'>;
import {
	compareStaffItems,
	conflictResolution,
	staffState,
	type StaffLocation,
	type StaffState
} from '../domain/staff-notice.ts';

PouchDB.plugin(idb).plugin(http).plugin(replication);

/**
 * The staff laptop's two-way replicas of <commune>-public and <commune>-mairie.
 * Only this module constructs them. Local names never change between builds:
 * PouchDB hashes them into its replication checkpoints.
 */
export interface StaffDbs {
	commune: string;
	local: Record<StaffLocation, PouchDB.Database>;
	remote: Record<StaffLocation, PouchDB.Database>;
}

const LOCATIONS: StaffLocation[] = ['public', 'mairie'];
const PUSHED_SEQ_ID = '_local/crieur-pushed';

let current: StaffDbs | null = null;

export function openStaffDbs(commune: string): StaffDbs {
	if (current?.commune === commune) return current;
	const origin = window.location.origin;
	current = {
		commune,
		local: {
			public: new PouchDB(`crieur-staff-${commune}-public`),
			mairie: new PouchDB(`crieur-staff-${commune}-mairie`)
		},
		remote: {
			public: new PouchDB(`${origin}/db/${databaseName(commune, 'public')}`, { skip_setup: true }),
			mairie: new PouchDB(`${origin}/db/${databaseName(commune, 'mairie')}`, { skip_setup: true })
		}
	};
	return current;
}

/** Forgets this laptop's staff data (sign-out). */
export async function destroyStaffDbs(dbs: StaffDbs): Promise<void> {
	await Promise.all(LOCATIONS.map((location) => dbs.local[location].destroy()));
	current = null;
}

export interface StaffItem {
	key: string;
	id: string;
	location: StaffLocation;
	doc: Notice | DraftNotice;
	state: StaffState;
	/** Losing revisions of an unresolved conflict. */
	conflicts: string[];
}

export async function readItems(dbs: StaffDbs, now: Date): Promise<StaffItem[]> {
	const items: StaffItem[] = [];
	for (const location of LOCATIONS) {
		const result = await dbs.local[location].allDocs({
			include_docs: true,
			conflicts: true,
			startkey: 'notice:',
			endkey: 'notice:\ufff0'
		});
		for (const row of result.rows) {
			const doc = row.doc as unknown as (Notice | DraftNotice) & { _conflicts?: string[] };
			if (!doc || doc.type !== 'notice') continue;
			items.push({
				key: `${location}/${doc._id.slice('notice:'.length)}`,
				id: doc._id,
				location,
				doc,
				state: staffState(doc, location, now),
				conflicts: doc._conflicts ?? []
			});
		}
	}
	return items.sort(compareStaffItems);
}

export interface SyncOutcome {
	/** Documents CouchDB refused (validate_doc_update), with its reason. */
	refused: { id: string; reason: string }[];
}

export class SyncError extends Error {
	readonly reason: 'unauthorized' | 'offline' | 'timeout' | 'server';
	constructor(reason: SyncError['reason'], message?: string) {
		super(message ?? reason);
		this.reason = reason;
	}
}

/** One two-way pass over both databases; cancelled if it outlasts the watchdog. */
export async function syncOnce(dbs: StaffDbs, watchdogMs: number): Promise<SyncOutcome> {
	const refused: SyncOutcome['refused'] = [];
	for (const location of LOCATIONS) {
		const sync = dbs.local[location].sync(dbs.remote[location], { batch_size: 100 });
		// on() returns the replication itself, a thenable awaited below.
		void sync.on('denied', (error) => {
			const denied = error as { id?: string; reason?: string; message?: string };
			refused.push({ id: denied.id ?? '', reason: denied.reason ?? denied.message ?? '' });
		});
		const watchdog = setTimeout(() => sync.cancel(), watchdogMs);
		try {
			const result = await sync;
			if (result.push?.status === 'cancelled' || result.pull?.status === 'cancelled') {
				throw new SyncError('timeout');
			}
			for (const error of [...(result.push?.errors ?? []), ...(result.pull?.errors ?? [])]) {
				const denied = error as { id?: string; reason?: string; message?: string };
				if (!refused.some((entry) => entry.id === denied.id)) {
					refused.push({ id: denied.id ?? '', reason: denied.reason ?? denied.message ?? '' });
				}
			}
		} catch (error) {
			if (error instanceof SyncError) throw error;
			const status = (error as { status?: number }).status;
			if (status === 401 || status === 403) throw new SyncError('unauthorized');
			if (navigator.onLine === false || status === undefined || status === 0) {
				throw new SyncError('offline');
			}
			throw new SyncError('server', String((error as Error).message ?? error));
		} finally {
			clearTimeout(watchdog);
		}
	}
	await recordPushed(dbs);
	return { refused };
}

async function recordPushed(dbs: StaffDbs): Promise<void> {
	for (const location of LOCATIONS) {
		const db = dbs.local[location];
		const info = await db.info();
		let rev: string | undefined;
		try {
			rev = (await db.get(PUSHED_SEQ_ID))._rev;
		} catch {
			rev = undefined;
		}
		await db.put({ _id: PUSHED_SEQ_ID, _rev: rev, seq: info.update_seq });
	}
}

/** How many documents changed on this laptop since the last complete sync. */
export async function pendingCount(dbs: StaffDbs): Promise<number> {
	let count = 0;
	for (const location of LOCATIONS) {
		const db = dbs.local[location];
		const since = await db
			.get(PUSHED_SEQ_ID)
			.then((doc) => (doc as unknown as { seq: string | number }).seq)
			.catch(() => 0);
		const changes = await db.changes({ since, limit: 1000 });
		count += changes.results.filter((change) => !change.id.startsWith('_')).length;
	}
	return count;
}

async function getOrNull<T>(
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

/** A file chosen in the editor: new ones carry their bytes, kept ones are named only. */
export interface EditorFile {
	name: string;
	content_type: string;
	length: number;
	blob?: Blob;
}

/**
 * Builds `_attachments` for a write into `target`: kept files stay stubs when
 * the notice stays in its database, and are copied as bytes when it moves.
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

export interface SaveRequest {
	id: string;
	/** A notice's or a poll's fields (the document type travels in them). */
	fields: NoticeFields | PollFields | EventFields;
	files: EditorFile[];
	/** Where the notice was before this save (null for a new one). */
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
	const failed = written.find((result) => 'error' in result && result.error);
	if (failed) throw new Error(`save failed: ${JSON.stringify(failed)}`);
	return rev;
}

/**
 * Writes a notice or a poll where the editor action says, and removes it from
 * where it was if it moved: publishing takes a draft out of -mairie,
 * retracting takes it out of -public and keeps it in -mairie. Returns the
 * revision written: the next save from the same form builds on it.
 */
export async function saveNotice(dbs: StaffDbs, request: SaveRequest): Promise<string> {
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

export async function deleteNotice(
	dbs: StaffDbs,
	location: StaffLocation,
	id: string
): Promise<void> {
	const doc = await getOrNull<Notice>(dbs.local[location], id);
	if (doc) await dbs.local[location].remove(id, doc._rev);
}

export interface Version {
	rev: string;
	doc: Notice | DraftNotice;
	winning: boolean;
}

/** Every open version of a conflicted notice, the winner first. */
export async function readVersions(
	dbs: StaffDbs,
	location: StaffLocation,
	id: string
): Promise<Version[]> {
	const db = dbs.local[location];
	const winner = (await db.get(id, { conflicts: true })) as unknown as (Notice | DraftNotice) & {
		_rev: string;
		_conflicts?: string[];
	};
	const versions: Version[] = [{ rev: winner._rev, doc: winner, winning: true }];
	for (const rev of winner._conflicts ?? []) {
		const doc = (await db.get(id, { rev })) as unknown as Notice | DraftNotice;
		versions.push({ rev, doc, winning: false });
	}
	return versions;
}

/**
 * Keeps one version of a conflicted notice (see conflictResolution). Only the
 * versions the panel showed (`shownRevs`) are closed: one a sync brought since
 * stays open, as a conflict still to settle. False when none of them is open
 * any more (settled elsewhere meanwhile): nothing is written.
 */
export async function keepVersion(
	dbs: StaffDbs,
	location: StaffLocation,
	id: string,
	keptRev: string,
	now: Date,
	shownRevs?: readonly string[]
): Promise<boolean> {
	const db = dbs.local[location];
	const versions = await readVersions(dbs, location, id);
	const winner = versions[0];
	const closing = versions
		.map((version) => version.rev)
		.filter((rev) => !shownRevs || shownRevs.includes(rev));
	if (closing.length === 0) return false;
	const kept =
		versions.find((version) => version.rev === keptRev)?.doc ??
		((await db.get(id, { rev: keptRev })) as unknown as Notice | DraftNotice);
	// The winner's branch carries on when the panel showed it; else one the panel showed.
	const branch = closing.includes(winner.rev)
		? winner.rev
		: closing.includes(keptRev)
			? keptRev
			: closing[0];
	const writes = conflictResolution(
		id,
		branch,
		closing,
		{ ...(kept as unknown as Record<string, unknown>), _rev: keptRev },
		now
	);
	const results = await db.bulkDocs(writes as never[]);
	const failed = results.find((result) => 'error' in result && result.error);
	if (failed) throw new Error(`conflict resolution failed: ${JSON.stringify(failed)}`);
	return true;
}

export interface StaffPoll {
	key: string;
	id: string;
	location: StaffLocation;
	doc: Poll & { status?: DraftNotice['status'] };
	conflicts: string[];
}

export async function readStaffPolls(dbs: StaffDbs): Promise<StaffPoll[]> {
	const polls: StaffPoll[] = [];
	for (const location of LOCATIONS) {
		const result = await dbs.local[location].allDocs({
			include_docs: true,
			conflicts: true,
			startkey: 'poll:',
			endkey: 'poll:\ufff0'
		});
		for (const row of result.rows) {
			const doc = row.doc as unknown as StaffPoll['doc'] & { _conflicts?: string[] };
			if (doc?.type !== 'poll') continue;
			polls.push({
				key: `${location}/${doc._id.slice('poll:'.length)}`,
				id: doc._id,
				location,
				doc,
				conflicts: doc._conflicts ?? []
			});
		}
	}
	return polls.sort((a, b) => b.doc.opens_at.localeCompare(a.doc.opens_at));
}

export interface StaffEvent {
	key: string;
	id: string;
	location: StaffLocation;
	doc: CommuneEvent & { status?: DraftNotice['status'] };
	conflicts: string[];
}

/** Drafts (in -mairie) and published events (in -public), soonest first. */
export async function readStaffEvents(dbs: StaffDbs): Promise<StaffEvent[]> {
	const events: StaffEvent[] = [];
	for (const location of LOCATIONS) {
		const result = await dbs.local[location].allDocs({
			include_docs: true,
			conflicts: true,
			startkey: 'event:',
			endkey: 'event:\ufff0'
		});
		for (const row of result.rows) {
			const doc = row.doc as unknown as StaffEvent['doc'] & { _conflicts?: string[] };
			if (doc?.type !== 'event') continue;
			events.push({
				key: `${location}/${doc._id.slice('event:'.length)}`,
				id: doc._id,
				location,
				doc,
				conflicts: doc._conflicts ?? []
			});
		}
	}
	return events.sort((a, b) => byStart(a.doc, b.doc));
}

async function docsWithPrefix<T>(db: PouchDB.Database, prefix: string): Promise<T[]> {
	const result = await db.allDocs({
		include_docs: true,
		startkey: prefix,
		endkey: `${prefix}\ufff0`
	});
	return result.rows.flatMap((row) => (row.doc ? [row.doc as unknown as T] : []));
}

/** Everything the participation report counts, from this laptop's replicas (offline too). */
export async function readParticipationInput(dbs: StaffDbs): Promise<ParticipationInput> {
	const [published, retracted, polls, tallies, reads, residents, submissions] = await Promise.all([
		docsWithPrefix<Notice>(dbs.local.public, 'notice:'),
		docsWithPrefix<DraftNotice>(dbs.local.mairie, 'notice:'),
		docsWithPrefix<Poll>(dbs.local.public, 'poll:'),
		docsWithPrefix<Tally>(dbs.local.public, 'tally:'),
		docsWithPrefix<ReadsDoc>(dbs.local.mairie, 'reads:'),
		docsWithPrefix<ParticipationInput['residents'][number]>(dbs.local.mairie, 'resident:'),
		docsWithPrefix<SubmissionDoc>(dbs.local.mairie, 'submission:')
	]);
	const ballots = new Map(tallies.map((tally) => [tally.poll, tally.total]));
	return {
		// A retracted notice was published: it counts for the period it was out.
		notices: [...published, ...retracted.filter((notice) => notice.status === 'retracted')],
		reads,
		residents,
		polls: polls.map((poll) => ({ ...poll, ballots: ballots.get(poll._id) ?? 0 })),
		submissions
	};
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
	const result = await dbs.local.mairie.allDocs({
		include_docs: true,
		startkey: 'resident:',
		endkey: 'resident:\ufff0'
	});
	return result.rows
		.flatMap((row) => (row.doc ? [row.doc as unknown as StaffResident] : []))
		.sort((a, b) => a.label.localeCompare(b.label, 'fr') || a._id.localeCompare(b._id));
}

export interface StaffKiosk {
	_id: string;
	label: string;
	status: 'active' | 'revoked';
}

export async function readKiosks(dbs: StaffDbs): Promise<StaffKiosk[]> {
	const result = await dbs.local.mairie.allDocs({
		include_docs: true,
		startkey: 'kiosk:',
		endkey: 'kiosk:\ufff0'
	});
	return result.rows.flatMap((row) => (row.doc ? [row.doc as unknown as StaffKiosk] : []));
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
	const result = await dbs.local.mairie.allDocs({
		include_docs: true,
		conflicts: true,
		startkey: 'submission:',
		endkey: 'submission:\ufff0'
	});
	return result.rows
		.flatMap((row) => {
			const doc = row.doc as unknown as (SubmissionDoc & { _conflicts?: string[] }) | undefined;
			if (doc?.type !== 'submission') return [];
			return [
				{
					id: doc._id,
					slug: doc._id.slice('submission:'.length),
					doc,
					conflicts: doc._conflicts ?? []
				}
			];
		})
		.sort((a, b) => b.doc.created_at.localeCompare(a.doc.created_at));
}

/** The fields staff may change; the rest is the resident's and CouchDB refuses changes to it. */
export type ModerationChange = Partial<
	Pick<SubmissionDoc, 'status' | 'answer' | 'decline_reason' | 'merged_into' | 'seen' | 'published'>
>;

/** Applies a moderation change to the latest local revision. */
export async function moderateSubmission(
	dbs: StaffDbs,
	id: string,
	change: ModerationChange,
	now = new Date()
): Promise<SubmissionDoc> {
	const current = (await dbs.local.mairie.get(id)) as unknown as SubmissionDoc;
	const next: SubmissionDoc = { ...current, ...change, updated_at: now.toISOString() };
	// The first response starts nothing over: it measures the time to answer (participation report).
	if (!next.answered_at && (next.status !== 'received' || next.answer.trim())) {
		next.answered_at = now.toISOString();
	}
	const result = await dbs.local.mairie.put(next as never);
	return { ...next, _rev: result.rev };
}

/** A photo the resident attached, from the laptop's copy (works offline). */
export async function submissionPhoto(dbs: StaffDbs, id: string, name: string): Promise<Blob> {
	return (await dbs.local.mairie.getAttachment(id, name)) as Blob;
}

/**
 * Publishes (or updates) the public answer to a submission: its text, status
 * and answer, the name only if the resident gave one, never who they are.
 */
export async function publishAnswer(
	dbs: StaffDbs,
	submission: SubmissionDoc,
	now = new Date()
): Promise<void> {
	const id = `answer:${submission._id.slice('submission:'.length)}`;
	const previous = (await dbs.local.public.get(id).catch(() => null)) as AnswerDoc | null;
	await dbs.local.public.put(answerFrom(submission, now, previous ?? undefined) as never);
	if (submission.published !== id) {
		await moderateSubmission(dbs, submission._id, { published: id }, now);
	}
}

export async function unpublishAnswer(
	dbs: StaffDbs,
	submission: SubmissionDoc,
	now = new Date()
): Promise<void> {
	if (!submission.published) return;
	const previous = await dbs.local.public.get(submission.published).catch(() => null);
	if (previous) await dbs.local.public.remove(previous);
	await moderateSubmission(dbs, submission._id, { published: null }, now);
}
