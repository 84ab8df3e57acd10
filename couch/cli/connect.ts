import fs from 'node:fs';
import path from 'node:path';
import { launchEmbeddedCouch, runningStoreFile } from '../embedded/launch.ts';
import { loadSecrets } from '../../src/lib/server/secrets.ts';

export interface StoreConnection {
	/** CouchDB's address with admin credentials. */
	adminUrl: string;
	stop(): Promise<void>;
}

/**
 * The store a command works on: COUCHDB_URL (admin credentials in it, never in
 * arguments); else the embedded store under DATA_DIR, reached through the
 * running app when it runs (LevelDB takes one process), started for the
 * command otherwise.
 */
export async function connectToStore(
	env: NodeJS.ProcessEnv = process.env
): Promise<StoreConnection> {
	if (env.COUCHDB_URL) return { adminUrl: env.COUCHDB_URL, stop: async () => {} };
	const dataDir = path.resolve(env.DATA_DIR ?? './data');
	const secrets = loadSecrets(dataDir, env);
	const dir = path.join(dataDir, 'couch');
	const credentials = `${encodeURIComponent(secrets.couchAdmin)}:${encodeURIComponent(secrets.couchPassword)}`;
	const running = runningStoreFile(dir);
	if (fs.existsSync(running)) {
		const { port } = JSON.parse(fs.readFileSync(running, 'utf8')) as { port: number };
		try {
			const answer = await fetch(`http://127.0.0.1:${port}/`, {
				signal: AbortSignal.timeout(2000)
			});
			if (answer.ok)
				return { adminUrl: `http://${credentials}@127.0.0.1:${port}`, stop: async () => {} };
		} catch {
			// The app stopped without removing the file (killed): start the store here.
		}
	}
	const embedded = await launchEmbeddedCouch({
		dir,
		admin: secrets.couchAdmin,
		password: secrets.couchPassword,
		cookieSecret: secrets.cookieSecret,
		log: () => {}
	});
	return { adminUrl: embedded.adminUrl, stop: () => embedded.stop() };
}
