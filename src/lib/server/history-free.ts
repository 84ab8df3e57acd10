import { randomBytes } from 'node:crypto';
import type nano from 'nano';
import { statusOf } from './couch-errors.ts';

/**
 * Documents the server rewrites with no earlier version left to read: tallies
 * and support counts (each version would otherwise stay readable through
 * `?rev=`, `open_revs`, `_bulk_get`…), and resident records whose times were
 * too fine. A new version is written by purging the document (CouchDB 3's
 * `_purge`, which couch/embedded/server.js adds to the stand-in) and inserting
 * it again with `new_edits: false` and the ids of its ancestors in
 * `_revisions`: the server keeps those ancestors as bare ids without bodies,
 * and phones and laptops that hold one of them take the new version as its
 * descendant, without a conflict. Ancestor ids reveal nothing: Crieur gives
 * its versions random ids, where both back ends would derive them from the
 * body (CouchDB: MD5 of the body; the stand-in, PouchDB 7: MD5 of its JSON).
 */

/** A revision chosen before it is written, so that a run that died can finish it as it was. */
export interface PlannedVersion {
	id: string;
	rev: string;
	revisions: { start: number; ids: string[] };
	/** The document without `_id` and `_rev`. */
	body: Record<string, unknown>;
}

export interface Leaf {
	rev: string;
	deleted: boolean;
	revisions: { start: number; ids: string[] };
	body: Record<string, unknown>;
}

/** CouchDB keeps 1,000 ancestors by default; a device this far behind takes a conflict instead. */
const REVS_KEPT = 1000;

/** Every leaf of a document (none if it does not exist), each with its path of ancestor ids. */
export async function readLeaves(couch: nano.ServerScope, db: string, id: string): Promise<Leaf[]> {
	let rows: ({ ok: Record<string, unknown> } | { missing: string })[];
	try {
		rows = (await couch.request({
			db,
			doc: id,
			qs: { open_revs: 'all', revs: true }
		})) as typeof rows;
	} catch (error) {
		if (statusOf(error) === 404) return [];
		throw error;
	}
	return rows.flatMap((row) => {
		if (!('ok' in row)) return [];
		const { _id, _rev, _revisions, _deleted, ...body } = row.ok as {
			_id: string;
			_rev: string;
			_revisions: Leaf['revisions'];
			_deleted?: boolean;
		};
		void _id;
		return [{ rev: _rev, deleted: _deleted === true, revisions: _revisions, body }];
	});
}

/** The leaf CouchDB shows: not deleted first, then the longest branch, then the highest id. */
export function winnerOf(leaves: readonly Leaf[]): Leaf | null {
	const generation = (rev: string) => Number.parseInt(rev, 10);
	return (
		[...leaves].sort(
			(a, b) =>
				Number(a.deleted) - Number(b.deleted) ||
				generation(b.rev) - generation(a.rev) ||
				(a.rev < b.rev ? 1 : a.rev > b.rev ? -1 : 0)
		)[0] ?? null
	);
}

/** The next version of `id` after `parent` (null: the document's first). */
export function planVersion(
	id: string,
	body: Record<string, unknown>,
	parent: Pick<Leaf, 'revisions'> | null
): PlannedVersion {
	const hash = randomBytes(16).toString('hex');
	const start = (parent?.revisions.start ?? 0) + 1;
	return {
		id,
		rev: `${start}-${hash}`,
		revisions: { start, ids: [hash, ...(parent?.revisions.ids ?? [])].slice(0, REVS_KEPT) },
		body
	};
}

/**
 * Revision ids written by CouchDB or the stand-in are digests of their bodies,
 * so an ancestor's id lets one test guesses of an earlier version. A document
 * rewritten for the first time keeps only the id of the version it replaces:
 * the one devices up to date hold (its body was shown to them anyway); a
 * device further behind takes the new version as a conflict it wins.
 */
export function lastIdOnly(leaf: Pick<Leaf, 'revisions'>): Pick<Leaf, 'revisions'> {
	return { revisions: { start: leaf.revisions.start, ids: leaf.revisions.ids.slice(0, 1) } };
}

/** Whether the server can still give a body of any revision of `id` before its current one. */
export async function hasEarlierBodies(
	couch: nano.ServerScope,
	db: string,
	id: string
): Promise<boolean> {
	const leaves = await readLeaves(couch, db, id);
	if (leaves.length > 1) return true;
	if (leaves.length === 0) return false;
	const doc = (await couch.request({ db, doc: id, qs: { revs_info: true } })) as {
		_revs_info?: { rev: string; status: string }[];
	};
	return (doc._revs_info ?? []).slice(1).some((info) => info.status === 'available');
}

/**
 * Makes `planned` the document's only version the server can give: purges
 * every other leaf (with the bodies of its ancestors), inserts the planned
 * revision with its ancestors' ids, and checks. Idempotent, so a run that
 * died anywhere in here is finished by the next one. With `onlyOver`, it
 * gives up (false) if the document has a leaf other than that revision.
 */
export async function writeSoleVersion(
	couch: nano.ServerScope,
	db: string,
	planned: PlannedVersion,
	options: { onlyOver?: string } = {}
): Promise<boolean> {
	let inserted = false;
	for (let attempt = 0; attempt < 5; attempt++) {
		const leaves = await readLeaves(couch, db, planned.id);
		const present = leaves.some((leaf) => leaf.rev === planned.rev);
		const others = leaves.filter((leaf) => leaf.rev !== planned.rev).map((leaf) => leaf.rev);
		// A document others write too: never purge a version this plan was not made from.
		if (options.onlyOver !== undefined && others.some((rev) => rev !== options.onlyOver)) {
			return false;
		}
		if (present && others.length === 0) {
			// After our own insert, make sure no ancestor kept its body (a write in between).
			if (!inserted || !(await hasEarlierBodies(couch, db, planned.id))) return true;
			others.push(planned.rev);
		}
		if (others.length > 0) {
			await couch.request({
				db,
				path: '_purge',
				method: 'POST',
				body: { [planned.id]: others }
			});
			if (others.includes(planned.rev)) continue;
		}
		if (!present) {
			const results = (await couch.request({
				db,
				path: '_bulk_docs',
				method: 'POST',
				body: {
					new_edits: false,
					docs: [
						{
							...planned.body,
							_id: planned.id,
							_rev: planned.rev,
							_revisions: planned.revisions
						}
					]
				}
			})) as { error?: string; reason?: string }[];
			// CouchDB answers 201 with the refusals inside.
			const refused = results.find((result) => result.error);
			if (refused) throw new Error(`${planned.id}: ${refused.error} ${refused.reason ?? ''}`);
			inserted = true;
		}
	}
	throw new Error(`${planned.id}: kept changing while it was rewritten`);
}
