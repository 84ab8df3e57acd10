import fs from 'node:fs';
import { inject } from 'vitest';

/**
 * The app a suite's files share (started once by global-setup.ts): the
 * production build in front of one store, with the demo commune and its
 * content. Tests isolate by their own data: fresh ids, unique titles and
 * labels, a fresh device address (freshAddress) where a limit counts per address.
 */
export interface ProvidedApp {
	url: string;
	/** What the app printed so far, kept in a file (app.ts). */
	logFile: string;
	/** The demo commune's staff login. */
	staff: { name: string; password: string };
	store: { url: string; adminUrl: string };
}

declare module 'vitest' {
	export interface ProvidedContext {
		app: ProvidedApp;
	}
}

export interface SharedApp extends ProvidedApp {
	/** Everything the app printed so far, for every file of the suite. */
	output(): string;
}

export function sharedApp(): SharedApp {
	const provided = inject('app');
	return { ...provided, output: () => fs.readFileSync(provided.logFile, 'utf8') };
}
