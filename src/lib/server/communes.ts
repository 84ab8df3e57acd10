import { COMMUNES_DATABASE, hostOfHeader, type CommuneEntry } from '../domain/commune.ts';
import { communeBackend, type Backend, type Store } from './backend.ts';
import { errorText, logEvent } from './log.ts';

/** How soon a commune provisioned while the app runs is served (issue 15 §2: within 10 s). */
export const DIRECTORY_REFRESH_MS = 4000;

/**
 * The communes this deployment serves, read from `crieur-communes` and read
 * again every few seconds, so that `npm run provision` adds one without a
 * restart. A request's host name chooses its commune. A host no commune
 * claims is served by the process's own commune (COMMUNE) while it is the
 * only one listed or claims no host name itself: a village's own server needs
 * no host name, and a commune provisioned beside it without one does not take
 * its village's address away.
 */
export class CommuneDirectory {
	#store: Store;
	#fallback: Backend | null = null;
	#backends = new Map<string, Backend>();
	#byHost = new Map<string, Backend>();
	#timer: ReturnType<typeof setInterval> | null = null;
	#listeners: ((backend: Backend) => void)[] = [];

	constructor(store: Store) {
		this.#store = store;
	}

	/** Every commune served, in the order they were listed. */
	all(): Backend[] {
		return [...this.#backends.values()];
	}

	/** The commune a request reaches by its host name, or null for a host this deployment does not serve. */
	resolve(hostHeader: string | null): Backend | null {
		return this.#byHost.get(hostOfHeader(hostHeader)) ?? this.#fallback;
	}

	/** Called for every commune served, now and as they are added (jobs start per commune). */
	onCommune(listener: (backend: Backend) => void): void {
		this.#listeners.push(listener);
		for (const backend of this.#backends.values()) listener(backend);
	}

	/** Reads the list again; a failed read keeps what was known. */
	async refresh(): Promise<void> {
		const listed = (await this.#store.couch.use<CommuneEntry>(COMMUNES_DATABASE).list({
			include_docs: true
		})) as { rows: { id: string; doc?: CommuneEntry }[] };
		const byHost = new Map<string, Backend>();
		let ownHosts = 0;
		for (const row of listed.rows) {
			if (row.id.startsWith('_design/') || !row.doc) continue;
			let backend = this.#backends.get(row.id);
			if (!backend) {
				backend = communeBackend(this.#store, row.id);
				this.#backends.set(row.id, backend);
				logEvent('info', 'commune_served', { commune: row.id, hosts: row.doc.hosts.join(' ') });
				for (const listener of this.#listeners) listener(backend);
			}
			for (const host of row.doc.hosts) byHost.set(host, backend);
			if (row.id === this.#store.config.commune) ownHosts = row.doc.hosts.length;
		}
		this.#byHost = byHost;
		const own = this.#backends.get(this.#store.config.commune) ?? null;
		this.#fallback = this.#backends.size === 1 || ownHosts === 0 ? own : null;
	}

	follow(): void {
		this.#timer ??= setInterval(() => {
			this.refresh().catch((error: unknown) =>
				logEvent('warn', 'directory_failed', { error: errorText(error) })
			);
		}, DIRECTORY_REFRESH_MS);
		this.#timer.unref?.();
	}

	stop(): void {
		if (this.#timer) clearInterval(this.#timer);
		this.#timer = null;
	}
}

let current: Promise<CommuneDirectory> | null = null;

/** This process's directory, read once before the first request. */
export function getDirectory(store: Store): Promise<CommuneDirectory> {
	current ??= (async () => {
		const directory = new CommuneDirectory(store);
		await directory.refresh();
		directory.follow();
		return directory;
	})();
	return current;
}
