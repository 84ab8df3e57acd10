/// <reference types="vitest/config" />
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { paraglideOptions } from './src/lib/i18n/paraglide.options.js';
import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// Kit 3 and vitest 5 need Node ≥ 22.17; the machine's own Node is older. Run
// tools through `npm run` / `npx`, which use the Node pinned in devDependencies.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 17)) {
	throw new Error(
		`Crieur needs Node ≥ 22.17 (found ${process.versions.node}). Run it through "npm run …" or "npx …", which use the Node pinned in package.json.`
	);
}

export default defineConfig({
	plugins: [
		// Compiles the messages (rules in src/lib/i18n/paraglide.options.js).
		// Under vitest `npm run i18n` has compiled them already, and the plugin's
		// watcher would keep the test process alive.
		...(process.env.VITEST ? [] : [paraglideVitePlugin(paraglideOptions)]),
		sveltekit({
			// BUILD_DIR: the update test's second release is built beside build/, never over it.
			adapter: adapter({ precompress: true, out: process.env.BUILD_DIR || 'build' }),
			// workbox-window registers the worker (src/lib/client/pwa.ts), so it can offer updates.
			serviceWorker: { register: false },
			files: { serviceWorker: 'service-worker/index.ts' },
			// The service worker serves one shell page for every URL it has not
			// cached: asset paths must not depend on the page's depth.
			paths: { relative: false },
			// hooks.server.ts checks the Origin itself, so that /db/ and /api/ refuse
			// cross-site writes with a JSON error like every other refusal.
			csrf: { trustedOrigins: ['*'] }
		})
	],
	build: { target: 'es2022' },
	test: {
		include: ['src/**/*.test.ts', 'tests/unit/**/*.test.ts', 'couch/**/*.test.ts'],
		// npm test runs them beside the type checks and a build: the property
		// tests' CPU then takes longer than vitest's 5 s default.
		testTimeout: 30_000
	}
});
