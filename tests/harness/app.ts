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
	stop(): Promise<void>;
}

/**
 * Starts the production build (`node build`) as a villager's phone would meet
 * it. Without COUCHDB_URL it runs on its embedded store, with the demo commune.
 */
export async function startApp(env: Record<string, string> = {}): Promise<TestApp> {
	if (!fs.existsSync('build/index.js')) {
		throw new Error('No production build: run `npm run build` first (npm test does).');
	}
	const dataDir = env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-app-'));
	const port = env.PORT ? Number(env.PORT) : await freePort();
	let output = '';
	// The flags of `npm run serve`, so tests and benchmarks meet the production process.
	const child: ChildProcess = spawn(process.execPath, ['--max-semi-space-size=8', 'build'], {
		env: {
			...process.env,
			PORT: String(port),
			HOST: '127.0.0.1',
			DATA_DIR: dataDir,
			BODY_SIZE_LIMIT: '40M',
			// Links the app writes (calendar, posters) name the address tests use.
			ORIGIN: `http://127.0.0.1:${port}`,
			...env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	child.stdout?.on('data', (chunk) => (output += chunk));
	child.stderr?.on('data', (chunk) => (output += chunk));
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`app did not start:\n${output}`)), 60_000);
		const check = () => {
			if (output.includes('Listening on')) {
				clearTimeout(timer);
				resolve();
			}
		};
		child.stdout?.on('data', check);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`app exited (${code}):\n${output}`));
		});
	});
	const url = `http://127.0.0.1:${port}`;
	// The server answers once init (backend start, provisioning) is done.
	for (let i = 0; i < 120; i++) {
		try {
			if ((await fetch(`${url}/api/public/current`)).ok) break;
		} catch {
			// not yet
		}
		await new Promise((r) => setTimeout(r, 250));
	}
	return {
		url,
		dataDir,
		pid: child.pid!,
		output: () => output,
		stop: () =>
			new Promise<void>((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill('SIGTERM');
				setTimeout(() => child.kill('SIGKILL'), 5000).unref();
			})
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
