import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.ts';

export interface TestApp {
	url: string;
	dataDir: string;
	/** The server process, for benchmarks that read its memory. */
	pid: number;
	output: () => string;
	/** The same output as a file, for test files in other processes than the one that started it. */
	logFile: string;
	stop(): Promise<void>;
	/** Kills the process at once (SIGKILL): no cleanup, requests in flight are cut. */
	kill(): Promise<void>;
	/** Starts the process again on the same port, data folder and settings; `buildDir` deploys another build. */
	restart(buildDir?: string): Promise<void>;
}

/**
 * Starts the production build (`node build`) as a villager's phone would meet
 * it. Without COUCHDB_URL it runs on its embedded store, with the demo commune.
 * `buildDir` names another build (the update test's next release).
 */
export async function startApp(
	env: Record<string, string> = {},
	buildDir = 'build'
): Promise<TestApp> {
	if (!fs.existsSync(path.join(buildDir, 'index.js'))) {
		throw new Error(
			`No production build in ${buildDir}/: run \`npm run build\` first (npm test does).`
		);
	}
	const dataDir = env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-app-'));
	const port = env.PORT ? Number(env.PORT) : await freePort();
	const url = `http://127.0.0.1:${port}`;
	let output = '';
	const logFile = path.join(dataDir, 'test-app.log');
	const record = (chunk: Buffer) => {
		const text = chunk.toString();
		output += text;
		fs.appendFileSync(logFile, text);
	};
	let child: ChildProcess;

	async function spawnApp(): Promise<void> {
		// Only this start's output counts: a restart must print "Listening on" again.
		const from = output.length;
		// The flags of `npm run serve`, so tests and benchmarks meet the production process.
		child = spawn(process.execPath, ['--max-semi-space-size=8', buildDir], {
			env: {
				...process.env,
				PORT: String(port),
				HOST: '127.0.0.1',
				DATA_DIR: dataDir,
				BODY_SIZE_LIMIT: '40M',
				// Links the app writes (calendar, posters) name the address tests use.
				ORIGIN: url,
				...env
			},
			stdio: ['ignore', 'pipe', 'pipe']
		});
		const started = child;
		started.stdout?.on('data', record);
		started.stderr?.on('data', record);
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`app did not start:\n${output}`)), 60_000);
			const check = () => {
				if (output.slice(from).includes('Listening on')) {
					clearTimeout(timer);
					resolve();
				}
			};
			started.stdout?.on('data', check);
			started.once('exit', (code) => {
				clearTimeout(timer);
				reject(new Error(`app exited (${code}):\n${output}`));
			});
		});
		// The server answers once init (backend start, provisioning) is done.
		for (let i = 0; i < 120; i++) {
			try {
				if ((await fetch(`${url}/api/public/current`)).ok) break;
			} catch {
				// not yet
			}
			await new Promise((r) => setTimeout(r, 250));
		}
	}

	function exited(): Promise<void> {
		return new Promise<void>((resolve) => {
			if (child.exitCode !== null || child.signalCode !== null) return resolve();
			child.once('exit', () => resolve());
		});
	}

	await spawnApp();
	return {
		url,
		dataDir,
		get pid() {
			return child.pid!;
		},
		output: () => output,
		logFile,
		stop: () => {
			const done = exited();
			// This process, not `child`: a restart within 5 s gives `child` a new one.
			const stopping = child;
			stopping.kill('SIGTERM');
			const timer = setTimeout(() => stopping.kill('SIGKILL'), 5000);
			timer.unref();
			return done.finally(() => clearTimeout(timer));
		},
		kill: () => {
			const done = exited();
			child.kill('SIGKILL');
			return done;
		},
		restart: (next = buildDir) => {
			buildDir = next;
			output += '\n--- restart ---\n';
			return spawnApp();
		}
	};
}

/** The staff login printed on the embedded store's first start. */
export function demoStaffLogin(dataDir: string): { name: string; password: string } {
	const text = fs.readFileSync(path.join(dataDir, 'identifiants-mairie.txt'), 'utf8');
	const name = /Identifiant : (\S+)/.exec(text)?.[1];
	const password = /Mot de passe : (\S+)/.exec(text)?.[1];
	if (!name || !password) throw new Error('staff login not found');
	return { name, password };
}
