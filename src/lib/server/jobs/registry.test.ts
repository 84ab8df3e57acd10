import { afterEach, describe, expect, it, vi } from 'vitest';
import { jobReports, trackJob } from './registry.ts';

afterEach(() => vi.useRealTimers());

describe('job health over several communes', () => {
	it('reports each job once, alive only while alive for every commune', () => {
		vi.useFakeTimers({ now: 1_000_000 });
		const alpha = trackJob('publisher', 'alpha', 1000);
		const beta = trackJob('publisher', 'beta', 1000);
		alpha.succeeded();
		beta.standingBy();
		expect(jobReports()).toEqual({
			publisher: {
				alive: true,
				runs_here: true,
				last_ok_at: new Date(1_000_000).toISOString(),
				last_error: null
			}
		});
		vi.setSystemTime(1_003_500);
		alpha.succeeded();
		beta.failed(new Error('CouchDB ne répond pas'));
		// beta last succeeded 3.5 intervals ago: the job is not alive, though alpha's is.
		expect(jobReports()).toEqual({
			publisher: {
				alive: false,
				runs_here: true,
				last_ok_at: new Date(1_000_000).toISOString(),
				last_error: 'CouchDB ne répond pas'
			}
		});
	});
});
