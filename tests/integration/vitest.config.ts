import { defineConfig } from 'vitest/config';

// Integration tests talk to real servers: the embedded CouchDB-protocol store
// and the production build. One file at a time on a 2-core machine.
export default defineConfig({
	test: {
		include: ['tests/integration/**/*.test.ts'],
		testTimeout: 60_000,
		hookTimeout: 120_000,
		fileParallelism: false
	}
});
