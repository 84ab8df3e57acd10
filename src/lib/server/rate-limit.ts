/**
 * Fixed-window counters in memory, per key. Per app server: behind a load
 * balancer each instance counts on its own, which still bounds guessing to
 * instances × limit. Old windows are dropped as keys are touched.
 */
export class RateLimiter {
	readonly #limit: number;
	readonly #windowMs: number;
	readonly #hits = new Map<string, { count: number; resetAt: number }>();

	constructor(limit: number, windowMs: number) {
		this.#limit = limit;
		this.#windowMs = windowMs;
	}

	/** Whether the key may try again, without counting an attempt. */
	check(key: string, now = Date.now()): { allowed: boolean; retryAfterSeconds: number } {
		const entry = this.#hits.get(key);
		if (!entry || entry.resetAt <= now) return { allowed: true, retryAfterSeconds: 0 };
		return {
			allowed: entry.count < this.#limit,
			retryAfterSeconds: Math.ceil((entry.resetAt - now) / 1000)
		};
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
		return {
			allowed: entry.count <= this.#limit,
			retryAfterSeconds: Math.ceil((entry.resetAt - now) / 1000)
		};
	}

	/** Gives back an attempt counted by hit(), for a reservation that turned out not to count. */
	release(key: string): void {
		const entry = this.#hits.get(key);
		if (entry && entry.count > 0) entry.count--;
	}

	#sweep(now: number): void {
		for (const [key, entry] of this.#hits) if (entry.resetAt <= now) this.#hits.delete(key);
	}
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
