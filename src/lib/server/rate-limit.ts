/** One key's attempts in the current window. */
export interface WindowCount {
	count: number;
	resetAt: number;
}

interface Entry extends WindowCount {
	/** The key as other processes know it (limit-exchange.ts), computed once. */
	shared?: string;
}

/** The limiters that other app processes count with, by name (limit-exchange.ts). */
export const sharedLimiters = new Map<string, RateLimiter>();

/**
 * Fixed-window counters in memory, per key. A named limiter also counts the
 * attempts other app processes in front of the same CouchDB saw, as they
 * publish them about once a second (limit-exchange.ts): behind a load
 * balancer the limit holds for the deployment, give or take one second of
 * attempts. Old windows are dropped as keys are touched.
 */
export class RateLimiter {
	readonly #limit: number;
	readonly #windowMs: number;
	readonly #hits = new Map<string, Entry>();
	#others = new Map<string, WindowCount[]>();
	#sharedKey: ((key: string) => string) | null = null;
	/** Bumped by every change of a count, so the exchange publishes only when one changed. */
	version = 0;

	constructor(limit: number, windowMs: number, name?: string) {
		this.#limit = limit;
		this.#windowMs = windowMs;
		if (name) sharedLimiters.set(name, this);
	}

	get windowMs(): number {
		return this.#windowMs;
	}

	/** Whether the key may try again, without counting an attempt. */
	check(key: string, now = Date.now()): { allowed: boolean; retryAfterSeconds: number } {
		const entry = this.#hits.get(key);
		const { count, retryAfterSeconds } = this.#total(
			key,
			entry && entry.resetAt > now ? entry : null,
			now
		);
		return { allowed: count < this.#limit, retryAfterSeconds };
	}

	/** Counts one attempt; false when the key is over its limit for this window. */
	hit(key: string, now = Date.now()): { allowed: boolean; retryAfterSeconds: number } {
		let entry = this.#hits.get(key);
		if (!entry || entry.resetAt <= now) {
			entry = { count: 0, resetAt: now + this.#windowMs };
			this.#hits.set(key, entry);
			if (this.#hits.size > 10_000) this.#sweep(now);
		}
		entry.count++;
		this.version++;
		const { count, retryAfterSeconds } = this.#total(key, entry, now);
		return { allowed: count <= this.#limit, retryAfterSeconds };
	}

	/** Gives back an attempt counted by hit(), for a reservation that turned out not to count. */
	release(key: string): void {
		const entry = this.#hits.get(key);
		if (entry && entry.count > 0) {
			entry.count--;
			this.version++;
		}
	}

	/** This process's open windows, by shared key, for the other processes. */
	ownCounts(sharedKey: (key: string) => string, now = Date.now()): Map<string, WindowCount> {
		this.#sharedKey = sharedKey;
		const counts = new Map<string, WindowCount>();
		for (const [key, entry] of this.#hits) {
			if (entry.resetAt <= now || entry.count === 0) continue;
			entry.shared ??= sharedKey(key);
			counts.set(entry.shared, { count: entry.count, resetAt: entry.resetAt });
		}
		return counts;
	}

	/** What the other processes counted, by shared key, as they last published it. */
	setOthers(others: Map<string, WindowCount[]>, sharedKey: (key: string) => string): void {
		this.#others = others;
		this.#sharedKey = sharedKey;
	}

	/** This process's open window for the key, if any, and the others' together. */
	#total(key: string, own: WindowCount | null, now: number) {
		const windows = [...(own ? [own] : []), ...this.#othersFor(key, now)];
		const count = windows.reduce((sum, window) => sum + window.count, 0);
		return { count, retryAfterSeconds: retryAfter(windows, now) };
	}

	#othersFor(key: string, now: number): WindowCount[] {
		if (!this.#sharedKey || this.#others.size === 0) return [];
		const entry = this.#hits.get(key);
		const shared = entry?.shared ?? this.#sharedKey(key);
		if (entry) entry.shared = shared;
		return (this.#others.get(shared) ?? []).filter((window) => window.resetAt > now);
	}

	#sweep(now: number): void {
		for (const [key, entry] of this.#hits) if (entry.resetAt <= now) this.#hits.delete(key);
	}
}

function retryAfter(windows: WindowCount[], now: number): number {
	if (windows.length === 0) return 0;
	return Math.ceil((Math.max(...windows.map((window) => window.resetAt)) - now) / 1000);
}

/**
 * Runs tasks for one key one after the other. A limit checked before an await
 * and counted after it lets parallel requests all pass the check: guesses sent
 * at once from one address or one kiosk wait their turn instead.
 */
export class OneAtATime {
	readonly #queues = new Map<string, Promise<unknown>>();

	run<T>(key: string, task: () => Promise<T>): Promise<T> {
		const run = (this.#queues.get(key) ?? Promise.resolve()).then(task);
		const settled = run.catch(() => undefined);
		this.#queues.set(key, settled);
		void settled.then(() => {
			if (this.#queues.get(key) === settled) this.#queues.delete(key);
		});
		return run;
	}
}
