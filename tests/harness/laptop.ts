import { createRequire } from 'node:module';
import path from 'node:path';
import PouchDB from 'pouchdb-core';
import type { StaffDbs } from '../../src/lib/client/staff/index.ts';
import { databaseName } from '../../src/lib/domain/commune.ts';
import type { StaffLocation } from '../../src/lib/domain/staff-notice.ts';

// In Node a laptop's IndexedDB is LevelDB in a folder (the only local PouchDB
// adapter installed: the embedded store's, untyped CommonJS); replication and
// HTTP are PouchDB 9's, as in the browser (client/staff/handles.ts plugs them).
PouchDB.plugin(createRequire(import.meta.url)('pouchdb7-adapter-leveldb') as PouchDB.Plugin);

/**
 * A browser sends a request again when the kept-alive connection it picked had
 * just been closed by the server; Node's fetch does not for a POST (PouchDB's
 * _revs_diff and _bulk_docs, which new_edits:false makes safe to repeat). Once,
 * saying why: a convergence run on a busy machine failed on such a drop.
 */
async function fetchAsABrowserDoes(url: string | URL | Request, init?: RequestInit) {
	try {
		return await fetch(url, init);
	} catch (error) {
		const cause = (error as { cause?: unknown }).cause ?? error;
		console.warn(`[laptop] ${init?.method ?? 'GET'} ${String(url)}: ${String(cause)}; sent again`);
		return fetch(url, init);
	}
}

/** A staff laptop's two replicas, in `dir`, syncing through the app's /db/ proxy with `cookie`. */
export function openLaptop(
	appUrl: string,
	commune: string,
	cookie: string,
	dir: string,
	name: string
): StaffDbs {
	const local = (location: StaffLocation) =>
		new PouchDB(path.join(dir, `${name}-${location}`), { adapter: 'leveldb' });
	// As openStaffDbs does in the browser, where the cookie travels by itself.
	const remote = (location: StaffLocation) =>
		new PouchDB(`${appUrl}/db/${databaseName(commune, location)}`, {
			skip_setup: true,
			headers: { cookie },
			fetch: fetchAsABrowserDoes
		} as PouchDB.Configuration.RemoteDatabaseConfiguration);
	return {
		commune,
		local: { public: local('public'), mairie: local('mairie') },
		remote: { public: remote('public'), mairie: remote('mairie') }
	};
}

export async function closeLaptop(dbs: StaffDbs): Promise<void> {
	for (const db of [...Object.values(dbs.local), ...Object.values(dbs.remote)]) await db.close();
}
