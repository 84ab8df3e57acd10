import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../root.ts';

export interface EmbeddedCouchOptions {
	/** Where LevelDB files and the server's config live. */
	dir: string;
	admin: string;
	password: string;
	/** Signs session cookies; kept so that sessions survive restarts. */
	cookieSecret: string;
	/** 0 picks a free port on first start; restarts reuse the same one. */
	port?: number;
	log?: (message: string) => void;
}

export interface EmbeddedCouch {
	/** Base URL without credentials, e.g. http://127.0.0.1:5984 */
	url: string;
	/** Same URL with the admin credentials, for nano. */
	adminUrl: string;
	stop(): Promise<void>;
	/** Kills the server abruptly (tests of the restart path). */
	kill(): void;
	restarts(): number;
}

const READY_TIMEOUT_MS = 30_000;

/**
 * Where a running embedded store says its port, so that `npm run provision`
 * or `npm run backup` reach it while the app runs: LevelDB takes one process.
 */
export function runningStoreFile(dir: string): string {
	return path.join(dir, 'running.json');
}

/**
 * Starts the embedded CouchDB-protocol server (couch/embedded/server.js) as a
 * child process and restarts it if it dies: a few malformed requests kill the
 * stand-in (couch/README.md), and the app must outlive them.
 */
export async function launchEmbeddedCouch(options: EmbeddedCouchOptions): Promise<EmbeddedCouch> {
	const script = path.join(projectRoot(), 'couch', 'embedded', 'server.js');
	const log = options.log ?? ((message: string) => console.log(message));
	let port = options.port ?? 0;
	let child: ChildProcess | null = null;
	let stopping = false;
	let restartCount = 0;

	function start(): Promise<number> {
		return new Promise((resolve, reject) => {
			const proc = fork(script, [], {
				execPath: process.execPath,
				// A small young generation: under a burst of syncs V8 would otherwise
				// grow it to tens of MB per process (bench/load.ts, budget 300 MB).
				execArgv: [...process.execArgv, '--max-semi-space-size=8'],
				env: {
					...process.env,
					EMBEDDED_COUCH_DIR: options.dir,
					EMBEDDED_COUCH_ADMIN: options.admin,
					EMBEDDED_COUCH_PASSWORD: options.password,
					EMBEDDED_COUCH_SECRET: options.cookieSecret,
					EMBEDDED_COUCH_PORT: String(port)
				},
				stdio: ['ignore', 'inherit', 'inherit', 'ipc']
			});
			child = proc;
			const timer = setTimeout(() => {
				proc.kill('SIGKILL');
				reject(new Error('Le serveur de données intégré ne répond pas.'));
			}, READY_TIMEOUT_MS);
			proc.once('message', (message: { ready?: boolean; port?: number }) => {
				if (message?.ready && message.port) {
					clearTimeout(timer);
					resolve(message.port);
				}
			});
			proc.once('exit', (code, signal) => {
				clearTimeout(timer);
				reject(new Error(`Le serveur de données intégré s'est arrêté (${code ?? signal}).`));
				if (stopping || child !== proc) return;
				restartCount++;
				log(`Serveur de données intégré arrêté (${code ?? signal}) : redémarrage.`);
				setTimeout(() => {
					if (!stopping) start().catch((error) => log(String(error)));
				}, 300);
			});
		});
	}

	port = await start();
	const url = `http://127.0.0.1:${port}`;
	fs.writeFileSync(runningStoreFile(options.dir), JSON.stringify({ port }), { mode: 0o600 });
	const credentials = `${encodeURIComponent(options.admin)}:${encodeURIComponent(options.password)}`;
	return {
		url,
		adminUrl: `http://${credentials}@127.0.0.1:${port}`,
		restarts: () => restartCount,
		kill: () => child?.kill('SIGKILL'),
		stop: () =>
			new Promise<void>((resolve) => {
				stopping = true;
				fs.rmSync(runningStoreFile(options.dir), { force: true });
				const proc = child;
				if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
				proc.once('exit', () => resolve());
				proc.kill('SIGTERM');
				setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
			})
	};
}
