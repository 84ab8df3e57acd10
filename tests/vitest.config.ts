import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { apacheCouchScript } from './harness/store.ts';

/**
 * Integration (real server), end-to-end (Debian's Chromium) and reliability
 * (faults injected) tests, against the production build. Three workers on a
 * 2-core machine, shared by the suites of one run (most of a test's time is
 * waiting on a browser, a server or a timer: a third file fills the gaps); each suite's files share
 * one app (tests/harness/global-setup.ts), except those that say why not.
 */
const SHARED_APP = ['tests/harness/global-setup.ts'];

/**
 * The integration suite again on Apache CouchDB 3.5.2 (issue 15), but for the
 * files about the stand-in itself and those that start their own CouchDB;
 * and the end-to-end files where the back ends were seen to differ.
 */
const onApacheCouch: TestProjectInlineConfiguration[] = apacheCouchScript()
	? [
			{
				test: {
					name: 'integration-couchdb',
					include: ['tests/integration/**/*.test.ts'],
					exclude: [
						'tests/integration/embedded*.test.ts',
						'tests/integration/secrecy-couchdb.test.ts',
						'tests/integration/cluster-couchdb.test.ts'
					],
					env: { CRIEUR_TEST_STORE: 'couchdb' },
					globalSetup: SHARED_APP,
					testTimeout: 60_000,
					hookTimeout: 180_000
				}
			},
			{
				// The browser flows that touch the server beyond the integration suite:
				// a laptop's moderation pushed by replication (where the two back ends
				// answered differently), the agenda, the kiosk. (A revoked code's
				// sessions are proven on CouchDB by integration/revoked-code.test.ts.)
				test: {
					name: 'e2e-couchdb',
					include: [
						'tests/e2e/submissions.test.ts',
						'tests/e2e/agenda.test.ts',
						'tests/e2e/kiosk.test.ts'
					],
					env: { CRIEUR_TEST_STORE: 'couchdb' },
					globalSetup: SHARED_APP,
					testTimeout: 120_000,
					hookTimeout: 180_000
				}
			},
			{
				// The outbox's promise through a flapping network and a killed server.
				test: {
					name: 'reliability-couchdb',
					include: ['tests/reliability/outbox.test.ts'],
					env: { CRIEUR_TEST_STORE: 'couchdb' },
					testTimeout: 150_000,
					hookTimeout: 180_000
				}
			}
		]
	: [];
if (onApacheCouch.length === 0) {
	console.warn(
		'\n⚠ The integration suite on Apache CouchDB did NOT run: no start-couchdb script ' +
			'(set CRIEUR_START_COUCHDB, or put ../shared/couchdb beside the repository).\n'
	);
}

export default defineConfig({
	test: {
		maxWorkers: Number(process.env.TEST_WORKERS ?? 3),
		projects: [
			{
				test: {
					name: 'integration',
					include: ['tests/integration/**/*.test.ts'],
					globalSetup: SHARED_APP,
					testTimeout: 60_000,
					hookTimeout: 120_000
				}
			},
			{
				test: {
					name: 'e2e',
					include: ['tests/e2e/**/*.test.ts'],
					globalSetup: SHARED_APP,
					testTimeout: 120_000,
					hookTimeout: 120_000
				}
			},
			{
				test: {
					name: 'reliability',
					include: ['tests/reliability/**/*.test.ts'],
					// The outbox's faults run on Apache CouchDB, the reference, when it is here.
					exclude: onApacheCouch.length > 0 ? ['tests/reliability/outbox.test.ts'] : [],
					testTimeout: 150_000,
					hookTimeout: 120_000
				}
			},
			...onApacheCouch
		]
	}
});
