/**
 * Retries a failed sync after a growing delay (5 s, 10 s, 20 s … up to a
 * cap), so that a device that came back online without an `online` event — or
 * met a server restarting — catches up by itself. A success resets the delay.
 */
export class RetryTimer {
	#delay: number;
	readonly #initial: number;
	readonly #max: number;
	#timer: ReturnType<typeof setTimeout> | null = null;

	constructor(initialMs = 5_000, maxMs = 120_000) {
		this.#initial = initialMs;
		this.#delay = initialMs;
		this.#max = maxMs;
	}

	/** Schedules `run` once after the current delay, then doubles the delay. */
	schedule(run: () => void): void {
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = setTimeout(() => {
			this.#timer = null;
			run();
		}, this.#delay);
		this.#delay = Math.min(this.#delay * 2, this.#max);
	}

	reset(): void {
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = null;
		this.#delay = this.#initial;
	}
}
