import { errorText, logEvent } from '../log.ts';

/** The running tally job of each commune, so that a request can wake it after a ballot. */
export const tallies = new Map<string, { poke: () => void }>();

/** Set once the shutdown began (SIGTERM): /readyz then sends traffic elsewhere. */
export const lifecycle = { stopping: false };

interface JobHealth {
	name: string;
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
export function trackJob(name: string, commune: string, intervalMs: number) {
	const state: JobHealth = {
		name,
		intervalMs,
		startedAt: Date.now(),
		lastOkAt: null,
		lastError: null,
		runsHere: false
	};
	health.set(`${name} ${commune}`, state);
	return {
		succeeded(done: string[] = []) {
			state.lastOkAt = Date.now();
			state.lastError = null;
			if (!state.runsHere) logEvent('info', 'job_lease', { job: name, commune, runs_here: true });
			state.runsHere = true;
			if (done.length > 0) logEvent('info', 'job', { job: name, commune, done: done.join(' ') });
		},
		/** Another process holds the job's lease: this one is healthy, and waiting. */
		standingBy() {
			state.lastOkAt = Date.now();
			state.lastError = null;
			if (state.runsHere) logEvent('info', 'job_lease', { job: name, commune, runs_here: false });
			state.runsHere = false;
		},
		failed(error: unknown) {
			state.lastError = errorText(error);
			logEvent('error', 'job_failed', { job: name, commune, error: state.lastError });
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
 * One report per job over every commune (it names none): alive when alive
 * for all, `last_ok_at` the oldest, `runs_here` when this process runs it for any.
 */
export function jobReports(now = Date.now()): Record<string, JobReport> {
	const reports: Record<string, JobReport> = {};
	for (const state of health.values()) {
		const since = state.lastOkAt ?? state.startedAt;
		const lastOk = state.lastOkAt === null ? null : new Date(state.lastOkAt).toISOString();
		const report = (reports[state.name] ??= {
			alive: true,
			runs_here: false,
			last_ok_at: lastOk,
			last_error: null
		});
		report.alive &&= now - since <= 3 * state.intervalMs;
		report.runs_here ||= state.runsHere;
		if (lastOk === null || (report.last_ok_at !== null && lastOk < report.last_ok_at)) {
			report.last_ok_at = lastOk;
		}
		report.last_error ??= state.lastError;
	}
	return reports;
}
