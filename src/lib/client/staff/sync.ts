import type { StaffLocation } from '../../domain/staff-notice.ts';
import { LOCATIONS, type StaffDbs } from './handles.ts';
import { pushChanges } from './push.ts';
import type { Refusal } from './refusals.ts';

/** Where the last complete sync left each local database: what is newer is shown as not sent. */
const PUSHED_SEQ_ID = '_local/crieur-pushed';
/**
 * Where the last complete sync's push read each local database: the next push
 * compares what changed after it (a change made during a sync included).
 */
const PUSH_FROM_ID = '_local/crieur-push-from';

/**
 * PouchDB's word when `_bulk_get` finds a revision the changes feed listed gone
 * meanwhile: the tally job republishes a tally without its history (purged,
 * then written again), so a pull that read the feed just before asks for it.
 */
const VANISHED_REVISION = 'There was a problem getting docs.';
const PULL_ATTEMPTS = 3;

export interface SyncOutcome {
	/** Documents the server refused, kept on the laptop until it takes them. */
	refused: Refusal[];
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

/**
 * One two-way pass over both databases: the laptop's changes go up first (see
 * push.ts), then the server's come down; cancelled if it outlasts the
 * watchdog. `earlier` are the refusals kept from the last pass; the outcome
 * names every document still refused.
 */
export async function syncOnce(
	dbs: StaffDbs,
	watchdogMs: number,
	earlier: readonly Refusal[] = []
): Promise<SyncOutcome> {
	const refused: Refusal[] = [];
	const pushedTo: Partial<Record<StaffLocation, string | number>> = {};
	for (const location of LOCATIONS) {
		const local = dbs.local[location];
		const remote = dbs.remote[location];
		let pull: PouchDB.Replication.Replication<object> | null = null;
		let timedOut = false;
		const watchdog = setTimeout(() => {
			timedOut = true;
			pull?.cancel();
		}, watchdogMs);
		try {
			// The push's requests cannot be cancelled: the pass stops waiting for them.
			let pushTimer: ReturnType<typeof setTimeout> | undefined;
			const pushed = await Promise.race([
				pushChanges(location, local, remote, await readMark(local, PUSH_FROM_ID), earlier),
				new Promise<never>((_, reject) => {
					pushTimer = setTimeout(() => reject(new SyncError('timeout')), watchdogMs);
				})
			]).finally(() => clearTimeout(pushTimer));
			refused.push(...pushed.refused);
			pushedTo[location] = pushed.readTo;
			if (timedOut) throw new SyncError('timeout');
			for (let attempt = 1; ; attempt++) {
				pull = local.replicate.from(remote, { batch_size: 100 });
				try {
					const result = await pull;
					if (timedOut || result.status === 'cancelled') throw new SyncError('timeout');
					break;
				} catch (error) {
					// Its checkpoint kept, the next pull reads the feed on past the revision gone.
					const vanished = (error as Error | undefined)?.message === VANISHED_REVISION;
					if (!vanished || timedOut || attempt === PULL_ATTEMPTS) throw error;
				}
			}
		} catch (error) {
			if (error instanceof SyncError) throw error;
			const status = (error as { status?: number }).status;
			if (status === 401 || status === 403) throw new SyncError('unauthorized');
			if (navigator.onLine === false || status === undefined || status === 0) {
				// Why the request failed, for whoever reads the error (a test, the console).
				throw new SyncError('offline', `offline: ${String((error as Error).message ?? error)}`);
			}
			throw new SyncError('server', String((error as Error).message ?? error));
		} finally {
			clearTimeout(watchdog);
		}
	}
	// Only once both went through: the caller keeps this pass's refusals.
	for (const location of LOCATIONS) {
		const db = dbs.local[location];
		await writeMark(db, PUSH_FROM_ID, pushedTo[location] ?? 0);
		await writeMark(db, PUSHED_SEQ_ID, (await db.info()).update_seq);
	}
	return { refused };
}

async function readMark(db: PouchDB.Database, id: string): Promise<string | number> {
	return db
		.get(id)
		.then((doc) => (doc as unknown as { seq: string | number }).seq)
		.catch(() => 0);
}

async function writeMark(db: PouchDB.Database, id: string, seq: string | number): Promise<void> {
	const rev = await db.get(id).then(
		(doc) => doc._rev,
		() => undefined
	);
	await db.put({ _id: id, _rev: rev, seq });
}

/**
 * The documents changed on this laptop since the last complete sync, and
 * those the server refused (still waiting on the laptop), by database.
 */
export async function unsentIds(
	dbs: StaffDbs,
	refused: readonly Refusal[] = []
): Promise<Record<StaffLocation, Set<string>>> {
	const unsent = { public: new Set<string>(), mairie: new Set<string>() };
	for (const location of LOCATIONS) {
		const db = dbs.local[location];
		const changes = await db.changes({ since: await readMark(db, PUSHED_SEQ_ID), limit: 1000 });
		for (const change of changes.results) {
			if (!change.id.startsWith('_')) unsent[location].add(change.id);
		}
	}
	for (const refusal of refused) unsent[refusal.location].add(refusal.id);
	return unsent;
}

/** How many documents wait to be sent, refused ones included. */
export async function pendingCount(
	dbs: StaffDbs,
	refused: readonly Refusal[] = []
): Promise<number> {
	const unsent = await unsentIds(dbs, refused);
	return unsent.public.size + unsent.mairie.size;
}
