import PouchDB from 'pouchdb-core';
import idb from 'pouchdb-adapter-idb';
import http from 'pouchdb-adapter-http';
import replication from 'pouchdb-replication';
import { databaseName } from '../../domain/commune.ts';
import type { StaffLocation } from '../../domain/staff-notice.ts';

PouchDB.plugin(idb).plugin(http).plugin(replication);

/**
 * The staff laptop's two-way replicas of <commune>-public and <commune>-mairie.
 * Only this module constructs them. Local names never change between builds:
 * PouchDB hashes them into its replication checkpoints.
 */
export interface StaffDbs {
	commune: string;
	local: Record<StaffLocation, PouchDB.Database>;
	remote: Record<StaffLocation, PouchDB.Database>;
}

export const LOCATIONS: readonly StaffLocation[] = ['public', 'mairie'];

let current: StaffDbs | null = null;

const localName = (commune: string, location: StaffLocation) =>
	`crieur-staff-${commune}-${location}`;

export function openStaffDbs(commune: string): StaffDbs {
	if (current?.commune === commune) return current;
	const origin = window.location.origin;
	current = {
		commune,
		local: {
			public: new PouchDB(localName(commune, 'public')),
			mairie: new PouchDB(localName(commune, 'mairie'))
		},
		remote: {
			public: new PouchDB(`${origin}/db/${databaseName(commune, 'public')}`, { skip_setup: true }),
			mairie: new PouchDB(`${origin}/db/${databaseName(commune, 'mairie')}`, { skip_setup: true })
		}
	};
	return current;
}

/**
 * Opens new local connections in place of ones a storage failure closed: an
 * aborted IndexedDB transaction (a full disk) makes PouchDB's idb adapter close
 * its connection for good, and every later call on it never settles. The old
 * instances are dropped, not closed: closing would forget the new connection.
 */
export function reopenLocal(dbs: StaffDbs): void {
	for (const location of LOCATIONS) {
		dbs.local[location] = new PouchDB(localName(dbs.commune, location));
	}
}

/** Forgets this laptop's staff data (sign-out). */
export async function destroyStaffDbs(dbs: StaffDbs): Promise<void> {
	await Promise.all(LOCATIONS.map((location) => dbs.local[location].destroy()));
	current = null;
}
