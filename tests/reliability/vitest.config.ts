import { defineConfig } from 'vitest/config';

// Reliability suites: real browser, real servers, the network cut for real (issue 7).
// Kept out of `npm test`: run with `npm run test:reliability`.
export default defineConfig({
	test: {
		include: ['tests/reliability/**/*.test.ts'],
		testTimeout: 150_000,
		hookTimeout: 120_000,
		fileParallelism: false
	}
});
