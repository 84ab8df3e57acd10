import { createHmac, randomBytes } from 'node:crypto';
import type { Store } from './backend.ts';
import { statusOf } from './couch-errors.ts';
import { errorText, logEvent } from './log.ts';
import { sharedLimiters, type WindowCount } from './rate-limit.ts';
import { LIMITS_DATABASE } from '../domain/commune.ts';
import { ensureAdminOnlyDatabase } from '../../../couch/provision.ts';

/** How often each process publishes its counts and reads the others'. */
export const EXCHANGE_MS = 1000;

/** Keys published at most per limiter: the busiest, when an attack fills the table. */
const MAX_KEYS_PER_LIMITER = 5000;

interface LimitsDoc {
	_id: string;
	_rev?: string;
	type: 'rate-limits';
	updated_at: number;
	/** limiter name → shared key → [count, window end in ms]. */
	limiters: Record<string, Record<string, [number, number]>>;
}

/**
 * Rate limits that hold across the app processes in front of one CouchDB.
 * Each process writes its open windows to its own document of
 * `crieur-limits` (server admins only) about once a second, when a count
 * changed, and reads the others'; a named RateLimiter adds their counts to
 * its own. Keys (addresses, account names, devices, residents) are published
 * as an HMAC under a key derived from the ballot secret, which every process
 * of a deployment shares: the database never holds them in clear.
 *
 * Documents of processes gone for longer than the longest window are deleted
 * by whoever sees them first.
 */
export function startLimitExchange(store: Store): () => Promise<void> {
	const key = createHmac('sha256', store.secrets.ballotSecret)
		.update('crieur rate limits')
		.digest('base64url');
	const sharedKey = (limiter: string) => (value: string) =>
		createHmac('sha256', key).update(`${limiter}\0${value}`).digest('base64url').slice(0, 22);
	const holder = `process:${process.pid}-${randomBytes(6).toString('base64url')}`;
	const db = store.couch.use<LimitsDoc>(LIMITS_DATABASE);
	let rev: string | undefined;
	let published = '';
	let failing = false;
	let stopped = false;
	let running: Promise<void> = Promise.resolve();

	async function publish(now: number): Promise<void> {
		const version = [...sharedLimiters.values()].map((limiter) => limiter.version).join(',');
		if (version === published) return;
		const limiters: LimitsDoc['limiters'] = {};
		for (const [name, limiter] of sharedLimiters) {
			const counts = [...limiter.ownCounts(sharedKey(name), now)]
				.sort(([, a], [, b]) => b.count - a.count)
				.slice(0, MAX_KEYS_PER_LIMITER);
			if (counts.length > 0) {
				limiters[name] = Object.fromEntries(
					counts.map(([shared, window]) => [shared, [window.count, window.resetAt]])
				);
			}
		}
		const doc: LimitsDoc = { _id: holder, type: 'rate-limits', updated_at: now, limiters };
		try {
			rev = (await db.insert(rev ? { ...doc, _rev: rev } : doc)).rev;
		} catch (error) {
			// Another process deleted this one's document as stale (its clock, a long pause): start again.
			if (statusOf(error) !== 409) throw error;
			rev = (await db.get(holder).catch(() => null))?._rev;
			return;
		}
		published = version;
	}

	async function readOthers(now: number): Promise<void> {
		const others = new Map<string, Map<string, WindowCount[]>>();
		const { rows } = await db.list({ include_docs: true });
		// Routes load their limiters on first use, so this is read each round.
		const longestWindow = Math.max(0, ...[...sharedLimiters.values()].map((l) => l.windowMs));
		for (const { doc } of rows) {
			if (!doc || doc._id === holder || doc.type !== 'rate-limits') continue;
			if (doc.updated_at < now - longestWindow - 60_000) {
				await db.destroy(doc._id, doc._rev!).catch(() => undefined);
				continue;
			}
			for (const [name, counts] of Object.entries(doc.limiters)) {
				const byKey = others.get(name) ?? new Map<string, WindowCount[]>();
				others.set(name, byKey);
				for (const [shared, [count, resetAt]] of Object.entries(counts)) {
					if (resetAt <= now) continue;
					byKey.set(shared, [...(byKey.get(shared) ?? []), { count, resetAt }]);
				}
			}
		}
		for (const [name, limiter] of sharedLimiters) {
			limiter.setOthers(others.get(name) ?? new Map(), sharedKey(name));
		}
	}

	let ensured = false;
	async function round(): Promise<void> {
		const now = Date.now();
		try {
			if (!ensured) {
				await ensureAdminOnlyDatabase(store.couch, LIMITS_DATABASE, { revsLimit: 10 });
				ensured = true;
			}
			await publish(now);
			await readOthers(now);
			if (failing) logEvent('info', 'limits_exchange_resumed');
			failing = false;
		} catch (error) {
			// Each process still counts its own attempts meanwhile.
			if (!failing) logEvent('error', 'limits_exchange_failed', { error: errorText(error) });
			failing = true;
		}
	}

	const timer = setInterval(() => {
		running = running.then(async () => {
			if (stopped) return;
			await round();
		});
	}, EXCHANGE_MS);
	timer.unref();

	return async () => {
		stopped = true;
		clearInterval(timer);
		await running;
		if (rev) await db.destroy(holder, rev).catch(() => undefined);
	};
}
