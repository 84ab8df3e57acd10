import type { Backend } from '../backend.ts';
import { jobLease, leaseFor, type JobLease } from './lease.ts';
import { trackJob } from './registry.ts';

export interface RunningJob {
	/** Runs a round now, or right after the one under way. */
	poke(): void;
	stop(): Promise<void>;
}

/**
 * A commune's job: a round every interval and whenever poked, never two at
 * once, in the one app process holding the job's lease (several may serve
 * one commune; another takes over once the holder stops renewing). `round`
 * returns what it did, for the log; `standingBy` runs while another holds it.
 */
export function startJob(
	backend: Backend,
	name: string,
	intervalMs: number,
	round: (lease: JobLease) => Promise<string[]>,
	standingBy: () => void = () => {}
): RunningJob {
	const health = trackJob(name, backend.commune, intervalMs);
	const lease = jobLease(backend, name, leaseFor(intervalMs));
	let running: Promise<void> | null = null;
	let again = false;
	let stopped = false;
	const run = async () => {
		if (!(await lease.acquire())) {
			standingBy();
			return health.standingBy();
		}
		health.succeeded(await round(lease));
	};
	const poke = () => {
		if (stopped) return;
		if (running) {
			again = true;
			return;
		}
		running = run()
			.catch((error) => health.failed(error))
			.finally(() => {
				running = null;
				if (again) {
					again = false;
					poke();
				}
			});
	};
	poke();
	const timer = setInterval(poke, intervalMs);
	timer.unref();
	return {
		poke,
		stop: async () => {
			stopped = true;
			clearInterval(timer);
			await running;
			await lease.release();
		}
	};
}
