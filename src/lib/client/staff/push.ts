import { LIMITS, REQUEST_BYTES_MAX } from '../../domain/limits.ts';
import type { StaffLocation } from '../../domain/staff-notice.ts';
import type { StaffDbs } from './handles.ts';
import { refusalOf, type Refusal } from './refusals.ts';

/**
 * The laptop's push, written out rather than PouchDB's, so that each refusal
 * is known by document and nothing is skipped for good:
 * - PouchDB moves its checkpoint past a refused document, which then never
 *   goes up again; here a refusal is kept, and the document sent again once
 *   it changes (staff fix it, or give the change up) or staff ask;
 * - one document too large for a request made PouchDB's whole batch fail, on
 *   every sync after; here batches are split down to the document, which
 *   alone is refused;
 * - residents' photos go as stubs (see below).
 */

/** A batch's JSON size beyond which it is sent before taking more (the proxy takes 32 MiB). */
const BATCH_BYTES = 8 * 1024 * 1024;
const BATCH_DOCS = 100;
const SUBMISSION_PREFIX = 'submission:';
/** Documents per read of the laptop's changes and per `_revs_diff` (a laptop offline for weeks). */
const PAGE = 500;

type Doc = PouchDB.Core.Document<object> & PouchDB.Core.GetMeta & { type?: unknown };

interface BulkResult {
	id?: string;
	error?: string;
	reason?: string;
}

const isServerOnly = (doc: { type?: unknown }) =>
	(LIMITS.serverOnlyTypes as readonly unknown[]).includes(doc.type);

/** An HTTP failure of a whole request (not a document's refusal). */
function statusOf(error: unknown): number | undefined {
	return (error as { status?: number } | null)?.status;
}

/**
 * Sends every leaf revision the server lacks among the documents changed on
 * the laptop since `since`, and those refused before that changed since.
 * Answers this location's refusals: this push's, and the earlier ones whose
 * document has not changed (not sent again, still waiting on the laptop).
 */
export async function pushChanges(
	location: StaffLocation,
	local: PouchDB.Database,
	remote: PouchDB.Database,
	since: string | number,
	earlier: readonly Refusal[]
): Promise<{ refused: Refusal[]; readTo: string | number }> {
	const { leaves, readTo } = await changedLeaves(local, since);
	const unchanged: Refusal[] = [];
	const before = earlier.filter((refusal) => refusal.location === location);
	for (const [id, revs] of await currentLeaves(
		local,
		before.map((refusal) => refusal.id)
	)) {
		const refusal = before.find((candidate) => candidate.id === id)!;
		if (leaves.has(id) || revs.join() !== refusal.revs.join()) leaves.set(id, revs);
		else unchanged.push(refusal);
	}
	if (leaves.size === 0) return { refused: unchanged, readTo };
	const missing: Record<string, { missing?: string[] }> = {};
	const ids = [...leaves.keys()];
	for (let from = 0; from < ids.length; from += PAGE) {
		const page = ids.slice(from, from + PAGE).map((id) => [id, leaves.get(id)!]);
		Object.assign(missing, await remote.revsDiff(Object.fromEntries(page)));
	}
	const docs: Doc[] = [];
	for (const [id, { missing: revs }] of Object.entries(missing)) {
		for (const rev of revs ?? []) {
			// Residents' photos go as stubs, as CouchDB's replicator sends what the
			// server holds: CouchDB runs validate_doc_update before it hashes inline
			// data, so it could not see that the photos are unchanged (couch/README.md).
			const doc = (await local.get(id, {
				rev,
				revs: true,
				attachments: !id.startsWith(SUBMISSION_PREFIX)
			})) as Doc;
			// What only the server writes is never pushed back: a laptop holding a
			// version the server published without its history (issue 13) would be refused.
			if (!isServerOnly(doc)) docs.push(doc);
		}
	}
	const refused = [...unchanged];
	// One that could never go is refused here: the server would close the
	// connection on it (seen as a network failure, not as a 413).
	const sendable = docs.filter((doc) => {
		if (sizeOf(doc) + ENVELOPE_BYTES <= REQUEST_BYTES_MAX) return true;
		refused.push(refusalOf(location, doc, { error: 'too_large' }, leaves.get(doc._id) ?? []));
		return false;
	});
	for (const batch of batches(sendable)) {
		for (const failure of await send(remote, batch)) {
			if (refused.some((refusal) => refusal.id === failure.doc._id)) continue;
			refused.push(
				refusalOf(location, failure.doc, failure.result, leaves.get(failure.doc._id) ?? [])
			);
		}
	}
	return { refused, readTo };
}

/** Leaf revisions of the documents changed since `since`, read in pages. */
async function changedLeaves(
	local: PouchDB.Database,
	since: string | number
): Promise<{ leaves: Map<string, string[]>; readTo: string | number }> {
	const leaves = new Map<string, string[]>();
	let from = since;
	for (;;) {
		const page = await local.changes({ since: from, style: 'all_docs', limit: PAGE });
		for (const change of page.results) {
			if (!change.id.startsWith('_')) leaves.set(change.id, leafRevs(change));
		}
		from = page.last_seq;
		if (page.results.length < PAGE) break;
	}
	return { leaves, readTo: from };
}

async function currentLeaves(
	local: PouchDB.Database,
	ids: string[]
): Promise<Map<string, string[]>> {
	if (ids.length === 0) return new Map();
	const found = await local.changes({ doc_ids: ids, style: 'all_docs' });
	return new Map(found.results.map((change) => [change.id, leafRevs(change)]));
}

const leafRevs = (change: { changes: { rev: string }[] }) =>
	change.changes.map((leaf) => leaf.rev).sort();

/** Room for the request's own JSON around its documents. */
const ENVELOPE_BYTES = 1024;

const sizeOf = (doc: Doc) => new Blob([JSON.stringify(doc)]).size;

function* batches(docs: Doc[]): Generator<Doc[]> {
	let batch: Doc[] = [];
	let bytes = 0;
	for (const doc of docs) {
		const size = sizeOf(doc);
		if (batch.length > 0 && (bytes + size > BATCH_BYTES || batch.length >= BATCH_DOCS)) {
			yield batch;
			batch = [];
			bytes = 0;
		}
		batch.push(doc);
		bytes += size;
	}
	if (batch.length > 0) yield batch;
}

interface Failure {
	doc: Doc;
	result: BulkResult;
}

async function send(remote: PouchDB.Database, batch: Doc[]): Promise<Failure[]> {
	let results: BulkResult[];
	try {
		results = (await remote.bulkDocs(batch, { new_edits: false })) as BulkResult[];
	} catch (error) {
		if (statusOf(error) !== 413) throw error;
		// Too large together: each alone, and the one still too large is refused.
		if (batch.length > 1) {
			const failures: Failure[] = [];
			for (const doc of batch) failures.push(...(await send(remote, [doc])));
			return failures;
		}
		results = [{ id: batch[0]._id, error: 'too_large' }];
	}
	return results.flatMap((result) => {
		const doc = batch.find((candidate) => candidate._id === result.id);
		return result.error && doc ? [{ doc, result }] : [];
	});
}

/**
 * Gives up the laptop's change to a refused document: the server's version
 * is written over it as a new revision (which the server then takes, being
 * its own), or the document is removed when the server has none.
 */
export async function abandonChange(
	dbs: StaffDbs,
	location: StaffLocation,
	id: string
): Promise<void> {
	const local = dbs.local[location];
	const mine = await local.get(id).catch(() => null);
	if (!mine) return;
	const theirs = await dbs.remote[location]
		.get(id, { attachments: !id.startsWith(SUBMISSION_PREFIX) })
		.catch((error: unknown) => {
			if (statusOf(error) === 404) return null;
			throw error;
		});
	if (!theirs) {
		await local.remove(mine);
		return;
	}
	const { _rev: _theirRev, ...content } = theirs;
	await local.put({ ...content, _rev: mine._rev });
}
