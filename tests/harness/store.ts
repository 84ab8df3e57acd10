import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../couch/root.ts';
import { startCouch } from './couch.ts';
import { freePortRange } from './ports.ts';

const run = promisify(execFile);

/**
 * The CouchDB-protocol store a test run talks to, started through this one
 * seam so that a whole run can be pointed at another back end by the
 * environment: CRIEUR_TEST_STORE=embedded (the default) is the express-pouchdb
 * stand-in the app embeds; `couchdb` is meant for Apache CouchDB 3.5.2
 * (../shared/couchdb/start-couchdb, which prints the base URL and stops with
 * `--stop DIR`), which production runs and the next issue adds here.
 */
export interface TestStore {
	kind: StoreKind;
	/** Base URL without credentials. */
	url: string;
	/** Same URL with the admin credentials, for nano and COUCHDB_URL. */
	adminUrl: string;
	/** Its folder: its processes name it (benchmarks read their memory). */
	dir: string;
	stop(): Promise<void>;
}

export type StoreKind = 'embedded' | 'couchdb';

const starters: Record<StoreKind, () => Promise<TestStore>> = {
	embedded: async () => {
		const couch = await startCouch();
		return {
			kind: 'embedded',
			url: couch.url,
			adminUrl: couch.adminUrl,
			dir: couch.dir,
			stop: couch.stop
		};
	},
	couchdb: startApacheCouch
};

/**
 * Apache CouchDB's start script: CRIEUR_START_COUCHDB, or the prebuilt 3.5.2
 * in ../shared/couchdb beside the repository; null when neither is there.
 */
export function apacheCouchScript(env: NodeJS.ProcessEnv = process.env): string | null {
	const script =
		env.CRIEUR_START_COUCHDB ||
		path.resolve(projectRoot(), '..', 'shared', 'couchdb', 'start-couchdb');
	return fs.existsSync(script) ? script : null;
}

/**
 * Starts a node in a fresh folder. start-couchdb can fail on a busy machine
 * (« creating _users … failed (HTTP 500) »: the node creates its own system
 * databases at the same moment), leaving the node running: it is stopped,
 * removed and started again, three times at most (also when its port was taken meanwhile).
 */
async function startNode(script: string): Promise<{ dir: string; url: string }> {
	for (let attempt = 1; ; attempt++) {
		const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-couchdb-')), 'node');
		try {
			const port = String(await freePortRange(2));
			const { stdout } = await run(
				script,
				['--dir', dir, '--admin', 'admin:admin-password', '--port', port],
				{ timeout: 180_000 }
			);
			return { dir, url: stdout.trim().split('\n')[0].replace(/\/$/, '') };
		} catch (error) {
			await run(script, ['--stop', dir], { timeout: 90_000 }).catch(() => undefined);
			fs.rmSync(path.dirname(dir), { recursive: true, force: true });
			if (attempt === 3) throw error;
		}
	}
}

/** One fresh Apache CouchDB node in a folder of its own, stopped and removed by stop(). */
async function startApacheCouch(): Promise<TestStore> {
	const script = apacheCouchScript();
	if (!script) {
		throw new Error(
			'CRIEUR_TEST_STORE=couchdb needs Apache CouchDB: set CRIEUR_START_COUCHDB to a ' +
				'start-couchdb script, or put ../shared/couchdb beside the repository.'
		);
	}
	const { dir, url } = await startNode(script);
	const adminUrl = url.replace('://', '://admin:admin-password@');
	// bench/ measures the production setting.
	await fewerIterations(url);
	return {
		kind: 'couchdb',
		url,
		adminUrl,
		dir,
		stop: async () => {
			await run(script, ['--stop', dir], { timeout: 90_000 }).catch(() => undefined);
			fs.rmSync(path.dirname(dir), { recursive: true, force: true });
		}
	};
}

/** Test users only: 600,000 pbkdf2 iterations per code would make « 200 ballots » take minutes. */
async function fewerIterations(url: string): Promise<void> {
	const iterations = await fetch(`${url}/_node/_local/_config/chttpd_auth/iterations`, {
		method: 'PUT',
		headers: { authorization: `Basic ${Buffer.from('admin:admin-password').toString('base64')}` },
		body: JSON.stringify('1000')
	});
	if (!iterations.ok) throw new Error(`CouchDB config: ${iterations.status}`);
}

export interface TestCluster {
	/** Each node's base URL without credentials, node 1 first. */
	urls: string[];
	/** The same with the admin credentials. */
	adminUrls: string[];
	dir: string;
	/** Stops node k (1-based) cleanly, or starts it again on its data and port. */
	stopNode(node: number): Promise<void>;
	startNode(node: number): Promise<void>;
	stop(): Promise<void>;
}

/**
 * An Apache CouchDB cluster of `nodes` nodes on loopback, joined (start-couchdb
 * --nodes), in a folder of its own. `production` keeps CouchDB's own password
 * hashing (benchmarks); tests lower it as for a single node.
 */
export async function startCluster(
	nodes = 3,
	options: { production?: boolean } = {}
): Promise<TestCluster> {
	const script = apacheCouchScript();
	if (!script)
		throw new Error('A cluster needs ../shared/couchdb/start-couchdb or CRIEUR_START_COUCHDB.');
	const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-cluster-')), 'nodes');
	const { stdout } = await run(
		script,
		[
			...['--nodes', String(nodes), '--dir', dir, '--admin', 'admin:admin-password'],
			...['--port', String(await freePortRange(2 * nodes))]
		],
		{ timeout: 300_000 }
	);
	const urls = stdout
		.trim()
		.split('\n')
		.map((url) => url.replace(/\/$/, ''));
	if (!options.production) for (const url of urls) await fewerIterations(url);
	const node = (k: number) => ['--node', String(k)];
	return {
		urls,
		adminUrls: urls.map((url) => url.replace('://', '://admin:admin-password@')),
		dir,
		stopNode: async (k) => {
			await run(script, ['--stop', dir, ...node(k)], { timeout: 120_000 });
		},
		startNode: async (k) => {
			await run(script, ['--start', dir, ...node(k)], { timeout: 180_000 });
			if (!options.production) await fewerIterations(urls[k - 1]);
		},
		stop: async () => {
			await run(script, ['--stop', dir], { timeout: 120_000 }).catch(() => undefined);
			fs.rmSync(path.dirname(dir), { recursive: true, force: true });
		}
	};
}

export function storeKind(env: NodeJS.ProcessEnv = process.env): StoreKind {
	const kind = env.CRIEUR_TEST_STORE || 'embedded';
	if (!(kind in starters)) {
		throw new Error(`CRIEUR_TEST_STORE must be one of ${Object.keys(starters).join(', ')}`);
	}
	return kind as StoreKind;
}

/** A fresh, empty store of the kind the environment names. */
export function startStore(kind: StoreKind = storeKind()): Promise<TestStore> {
	return starters[kind]();
}
