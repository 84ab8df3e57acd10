// `npm test`: every check and every suite, in phases whose steps run side by
// side. A step only starts once what it reads is final: the build compiles the
// messages (its Paraglide plugin rewrites src/lib/i18n/paraglide/runtime.js) and
// syncs .svelte-kit, so whatever reads them comes after it; the next release
// (build-next/, for the update test) finds them unchanged and writes nothing
// they read. A failed phase stops the run; each step's output is printed whole
// when it ends, so that parallel steps never interleave.
import { spawn } from 'node:child_process';

interface Step {
	name: string;
	command: string;
	env?: Record<string, string>;
	/** Prints as it goes (the last phase runs alone). */
	live?: boolean;
}

const phases: Step[][] = [
	[{ name: 'Chromium installed', command: 'node tests/ensure-chromium.ts' }],
	[
		{ name: 'Prettier', command: 'prettier --check .' },
		{ name: 'build', command: 'vite build' }
	],
	[
		{ name: 'ESLint', command: 'eslint --max-warnings 0 .' },
		{
			name: 'svelte-check, service worker tsc',
			command:
				'svelte-check --tsconfig ./tsconfig.json --fail-on-warnings && tsc -p service-worker/tsconfig.json'
		},
		{ name: 'unit tests', command: 'vitest run' },
		{ name: 'next release (build-next/)', command: 'vite build', env: { BUILD_DIR: 'build-next' } }
	],
	[
		{
			name: 'integration, end-to-end and fault tests (embedded and Apache CouchDB)',
			command:
				'vitest run --config tests/vitest.config.ts --project integration --project e2e --project reliability --project integration-couchdb --project e2e-couchdb --project reliability-couchdb',
			live: true
		}
	]
];

interface Outcome {
	step: Step;
	ok: boolean;
	seconds: number;
}

function run(step: Step): Promise<Outcome> {
	const started = performance.now();
	return new Promise((resolve) => {
		const child = spawn(step.command, {
			shell: true,
			env: { ...process.env, ...step.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '1' },
			stdio: step.live ? 'inherit' : ['ignore', 'pipe', 'pipe']
		});
		let output = '';
		child.stdout?.on('data', (chunk) => (output += chunk));
		child.stderr?.on('data', (chunk) => (output += chunk));
		child.on('close', (code) => {
			const seconds = (performance.now() - started) / 1000;
			const ok = code === 0;
			if (!step.live) process.stdout.write(`\n── ${step.name} ──\n${output}`);
			console.log(`${ok ? '✔' : '✘'} ${step.name} (${seconds.toFixed(1)} s)`);
			resolve({ step, ok, seconds });
		});
	});
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1).padStart(6);
const started = performance.now();
const summary: string[] = [];
let failed = false;
for (const [index, phase] of phases.entries()) {
	const phaseStarted = performance.now();
	const results = await Promise.all(phase.map(run));
	summary.push(`  phase ${index + 1}: ${seconds(phaseStarted)} s`);
	for (const { step, ok, seconds: taken } of results) {
		summary.push(`    ${ok ? '✔' : '✘'} ${taken.toFixed(1).padStart(6)} s  ${step.name}`);
	}
	if (results.some((result) => !result.ok)) {
		failed = true;
		break;
	}
}
console.log(`\nnpm test ${failed ? 'failed' : 'passed'}:\n${summary.join('\n')}`);
console.log(`  in all:  ${seconds(started)} s`);
process.exit(failed ? 1 : 0);
