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
			headers: { cookie }
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
