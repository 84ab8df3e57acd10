import { randomBytes } from 'node:crypto';
import type { Backend } from '../backend.ts';
import { getOrNull, statusOf } from '../couch-errors.ts';

interface LeaseDoc {
	_id: string;
	_rev?: string;
	holder: string;
	expires_at: number;
}

/** This process, among the app processes in front of one CouchDB. */
const HOLDER = `${process.pid}-${randomBytes(6).toString('base64url')}`;

/**
 * Who runs a job when several app processes serve one commune: the process
 * holding its lease, a `_local/` document of <commune>-ballots (never
 * replicated, admins only), taken with its `_rev` so that two processes never
 * both win. The holder renews it each round; when it dies, another takes it
 * once it has expired. Expiry reads each process's clock: hosts keep them in
 * time (NTP), and a lease outlives many rounds.
 */
export function jobLease(backend: Backend, job: string, ttlMs: number) {
	const db = backend.couch.use<LeaseDoc>(backend.databases.ballots);
	const id = `_local/lease:${job}`;
	return {
		/** Takes or renews the lease; false while another process holds it. */
		async acquire(now = Date.now()): Promise<boolean> {
			const current = await getOrNull(db, id);
			if (current && current.holder !== HOLDER && current.expires_at > now) return false;
			try {
				await db.insert(
					{
						_id: id,
						...(current?._rev ? { _rev: current._rev } : {}),
						holder: HOLDER,
						expires_at: now + ttlMs
					},
					id
				);
				return true;
			} catch (error) {
				if (statusOf(error) === 409) return false;
				throw error;
			}
		},
		/** At shutdown: another process takes the job at its next round, not after expiry. */
		async release(): Promise<void> {
			const current = await getOrNull(db, id).catch(() => null);
			if (current?.holder !== HOLDER || !current._rev) return;
			await db.destroy(id, current._rev).catch(() => undefined);
		}
	};
}

export type JobLease = ReturnType<typeof jobLease>;

/**
 * A job's round: its own interval, or CRIEUR_JOB_INTERVAL_SECONDS for every job
 * (tests of several processes shorten it).
 */
export function jobInterval(defaultMs: number, env: NodeJS.ProcessEnv = process.env): number {
	const seconds = Number(env.CRIEUR_JOB_INTERVAL_SECONDS);
	return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : defaultMs;
}

/** A lease outlives three rounds: one slow round does not hand the job over. */
export const leaseFor = (intervalMs: number) => 3 * intervalMs;
