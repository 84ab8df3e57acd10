import type { StaffLocation } from '../../domain/staff-notice.ts';
import { LIMITS } from '../../domain/limits.ts';
import { LOCATIONS, type StaffDbs } from './handles.ts';

const isServerOnly = (doc: { type?: unknown }) =>
	(LIMITS.serverOnlyTypes as readonly unknown[]).includes(doc.type);

/** Where the last complete sync left each local database: what is newer is not sent yet. */
const PUSHED_SEQ_ID = '_local/crieur-pushed';

export interface SyncOutcome {
	/** Documents CouchDB refused (validate_doc_update), with its reason. */
	refused: { id: string; reason: string }[];
}

export type SyncFailure = 'unauthorized' | 'offline' | 'timeout' | 'server';

export class SyncError extends Error {
	override readonly name = 'SyncError';
	readonly reason: SyncFailure;
	constructor(reason: SyncFailure, message?: string) {
		super(message ?? reason);
		this.reason = reason;
	}
}

/** One two-way pass over both databases; cancelled if it outlasts the watchdog. */
export async function syncOnce(dbs: StaffDbs, watchdogMs: number): Promise<SyncOutcome> {
	const refused: SyncOutcome['refused'] = [];
	for (const location of LOCATIONS) {
		if (location === 'mairie') {
			refused.push(...(await pushModeratedSubmissions(dbs.local.mairie, dbs.remote.mairie)));
		}
		const sync = dbs.local[location].sync(dbs.remote[location], {
			batch_size: 100,
			// What only the server writes (tallies, counts, registers) is never pushed back:
			// a laptop holding a version the server published without its history (issue
			// 13) would push it, and be refused.
			push: { filter: (doc: { type?: unknown }) => !isServerOnly(doc) }
		});
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
				// The denied event above already named each refused document.
				if (!denied.id && !(denied.reason ?? denied.message)) continue;
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

const SUBMISSION_PREFIX = 'submission:';

/**
 * Sends this laptop's moderation of residents' submissions with their photos
 * as stubs, as CouchDB's own replicator does. PouchDB's push re-sends every
 * attachment inline, and CouchDB runs validate_doc_update before it hashes
 * inline data: it could not see that the resident's photos are unchanged, and
 * refused each moderated submission. The server already holds the photos
 * (only the app server writes them), so a stub always finds its file; the
 * push that follows then finds these revisions there and sends nothing more.
 */
async function pushModeratedSubmissions(
	local: PouchDB.Database,
	remote: PouchDB.Database
): Promise<SyncOutcome['refused']> {
	const changes = await local.changes({ since: await pushedSeq(local), style: 'all_docs' });
	const leaves: Record<string, string[]> = {};
	for (const change of changes.results) {
		if (change.id.startsWith(SUBMISSION_PREFIX)) {
			leaves[change.id] = change.changes.map((leaf) => leaf.rev);
		}
	}
	if (Object.keys(leaves).length === 0) return [];
	const missing = await remote.revsDiff(leaves);
	const docs: PouchDB.Core.Document<object>[] = [];
	for (const [id, { missing: revs }] of Object.entries(missing)) {
		for (const rev of revs ?? []) docs.push(await local.get(id, { rev, revs: true }));
	}
	if (docs.length === 0) return [];
	const results = (await remote.bulkDocs(docs, { new_edits: false })) as {
		id?: string;
		error?: unknown;
		reason?: string;
		message?: string;
	}[];
	return results
		.filter((result) => result.error)
		.map((result) => ({
			id: result.id ?? '',
			reason: result.reason ?? result.message ?? String(result.error)
		}));
}

async function pushedSeq(db: PouchDB.Database): Promise<string | number> {
	return db
		.get(PUSHED_SEQ_ID)
		.then((doc) => (doc as unknown as { seq: string | number }).seq)
		.catch(() => 0);
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

/** The documents changed on this laptop since the last complete sync, by database. */
export async function unsentIds(dbs: StaffDbs): Promise<Record<StaffLocation, Set<string>>> {
	const unsent = { public: new Set<string>(), mairie: new Set<string>() };
	for (const location of LOCATIONS) {
		const db = dbs.local[location];
		const changes = await db.changes({ since: await pushedSeq(db), limit: 1000 });
		for (const change of changes.results) {
			if (!change.id.startsWith('_')) unsent[location].add(change.id);
		}
	}
	return unsent;
}

/** How many documents changed on this laptop since the last complete sync. */
export async function pendingCount(dbs: StaffDbs): Promise<number> {
	const unsent = await unsentIds(dbs);
	return unsent.public.size + unsent.mairie.size;
}
