import type { TestProject } from 'vitest/node';
import { startOwnApp } from './own-app.ts';
import { storeKind } from './store.ts';
import './shared-app.ts';

/**
 * One store and one app for a whole suite, provided to its files (as kit's
 * test/utils.js shares one web server and cht-core's wdio.conf.js prepares
 * its services once). The browser tests walk the demo commune's content;
 * integration tests write their own. The address header lets each simulated
 * device count as its own address for the per-address limits. The store is
 * the project's kind (its env names it; tests/vitest.config.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
	const shared = await startOwnApp({
		demoContent: project.name.startsWith('e2e'),
		// Jobs every 5 s, not 15–30 s: a poll's closing is counted within moments.
		// Not less: each tally round lists every poll of the suite and writes a checkpoint.
		env: { ADDRESS_HEADER: 'x-forwarded-for', CRIEUR_JOB_INTERVAL_SECONDS: '5' },
		store: storeKind({ ...process.env, ...project.config.env })
	});
	project.provide('app', {
		url: shared.url,
		logFile: shared.app.logFile,
		staff: shared.staff,
		store: { url: shared.store.url, adminUrl: shared.store.adminUrl }
	});
	return shared.stop;
}
