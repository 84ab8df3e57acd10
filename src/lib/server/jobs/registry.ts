import { errorText, logEvent } from '../log.ts';

/** The running jobs of this process, so that a request can wake one (e.g. the tally after a ballot). */
export const jobs: { tally: { poke: () => void } | null } = { tally: null };

/** Set once the shutdown began (SIGTERM): /readyz then sends traffic elsewhere. */
export const lifecycle = { stopping: false };

interface JobHealth {
	intervalMs: number;
	startedAt: number;
	lastOkAt: number | null;
	lastError: string | null;
	/** Whether this process ran it last round, or stood by while another did. */
	runsHere: boolean;
}

const health = new Map<string, JobHealth>();

/**
 * A job's runs as /healthz sees them, and as the log tells them: each failure,
 * and each run that did something (`done` names what).
 */
export function trackJob(name: string, intervalMs: number) {
	const state: JobHealth = {
		intervalMs,
		startedAt: Date.now(),
		lastOkAt: null,
		lastError: null,
		runsHere: false
	};
	health.set(name, state);
	return {
		succeeded(done: string[] = []) {
			state.lastOkAt = Date.now();
			state.lastError = null;
			if (!state.runsHere) logEvent('info', 'job_lease', { job: name, runs_here: true });
			state.runsHere = true;
			if (done.length > 0) logEvent('info', 'job', { job: name, done: done.join(' ') });
		},
		/** Another process holds the job's lease: this one is healthy, and waiting. */
		standingBy() {
			state.lastOkAt = Date.now();
			state.lastError = null;
			if (state.runsHere) logEvent('info', 'job_lease', { job: name, runs_here: false });
			state.runsHere = false;
		},
		failed(error: unknown) {
			state.lastError = errorText(error);
			logEvent('error', 'job_failed', { job: name, error: state.lastError });
		}
	};
}

export interface JobReport {
	alive: boolean;
	runs_here: boolean;
	last_ok_at: string | null;
	last_error: string | null;
}

/**
 * A job is alive while it succeeded within three of its intervals (or has been
 * running less than that): one slow or failed round is not yet a dead job.
 */
export function jobReports(now = Date.now()): Record<string, JobReport> {
	return Object.fromEntries(
		[...health].map(([name, state]) => {
			const since = state.lastOkAt ?? state.startedAt;
			return [
				name,
				{
					alive: now - since <= 3 * state.intervalMs,
					runs_here: state.runsHere,
					last_ok_at: state.lastOkAt === null ? null : new Date(state.lastOkAt).toISOString(),
					last_error: state.lastError
				}
			];
		})
	);
}
