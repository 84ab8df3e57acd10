import { defineConfig } from 'vitest/config';

/**
 * Integration (real server), end-to-end (Debian's Chromium) and reliability
 * (faults injected) tests, against the production build. Two workers on a
 * 2-core machine, shared by the suites of one run; each suite's files share
 * one app (tests/harness/global-setup.ts), except those that say why not.
 */
const SHARED_APP = ['tests/harness/global-setup.ts'];

export default defineConfig({
	test: {
		maxWorkers: 2,
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
					testTimeout: 150_000,
					hookTimeout: 120_000
				}
			}
		]
	}
});
