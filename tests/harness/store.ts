import { startCouch } from './couch.ts';

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
	stop(): Promise<void>;
}

export type StoreKind = 'embedded' | 'couchdb';

const starters: Record<StoreKind, () => Promise<TestStore>> = {
	embedded: async () => {
		const couch = await startCouch();
		return { kind: 'embedded', url: couch.url, adminUrl: couch.adminUrl, stop: couch.stop };
	},
	couchdb: () => {
		throw new Error(
			'CRIEUR_TEST_STORE=couchdb is not wired yet: start ../shared/couchdb/start-couchdb here ' +
				'(one node in a fresh --dir, admin from --admin) and stop it with --stop DIR.'
		);
	}
};

export function storeKind(env: NodeJS.ProcessEnv = process.env): StoreKind {
	const kind = env.CRIEUR_TEST_STORE || 'embedded';
	if (!(kind in starters)) {
		throw new Error(`CRIEUR_TEST_STORE must be one of ${Object.keys(starters).join(', ')}`);
	}
	return kind as StoreKind;
}

/** A fresh, empty store of the kind the environment names. */
export function startStore(): Promise<TestStore> {
	return starters[storeKind()]();
}
