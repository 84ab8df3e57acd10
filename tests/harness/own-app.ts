import fs from 'node:fs';
import { seedDemoContent } from '../../couch/demo.ts';
import { startApp, type TestApp } from './app.ts';
import { provisionDemo, STAFF } from './couch.ts';
import { startStore, type StoreKind, type TestStore } from './store.ts';

export interface OwnApp {
	url: string;
	staff: { name: string; password: string };
	app: TestApp;
	store: TestStore;
	stop(): Promise<void>;
}

/**
 * A store of the run's kind (startStore) with the demo commune provisioned, and
 * the production build in front of it. global-setup.ts starts the one a suite
 * shares; a test that cannot share starts its own and says why.
 */
export async function startOwnApp(
	options: { demoContent?: boolean; env?: Record<string, string>; store?: StoreKind } = {}
): Promise<OwnApp> {
	let store: TestStore | null = null;
	let app: TestApp | null = null;
	const stop = async () => {
		await app?.stop();
		await store?.stop();
		if (app) fs.rmSync(app.dataDir, { recursive: true, force: true });
	};
	try {
		store = await startStore(options.store);
		await provisionDemo(store.adminUrl);
		if (options.demoContent) await seedDemoContent(store.adminUrl, 'demo');
		app = await startApp({ COUCHDB_URL: store.adminUrl, ...options.env });
	} catch (error) {
		await stop();
		throw error;
	}
	return { url: app.url, staff: STAFF, app, store, stop };
}
