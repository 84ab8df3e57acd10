import { roles } from '../domain/commune.ts';
import type * as StaffDbModule from './staff/index.ts';
import type {
	StaffDbs,
	StaffItem,
	StaffKiosk,
	StaffPoll,
	StaffEvent,
	StaffResident,
	StaffSubmission
} from './staff/index.ts';
import { deleteSetting, readSetting, writeSetting } from './device-db.ts';
import { RetryTimer } from './retry.ts';
import { onSyncTriggers } from './triggers.ts';

export type StaffSyncStatus = 'idle' | 'syncing' | 'offline' | 'error' | 'unauthorized';

export interface StaffSession {
	name: string;
	commune: string;
}

export type LoginError = 'bad_login' | 'not_staff' | 'offline' | 'refused' | 'too_many';

const SESSION_KEY = 'staff-session';
const WATCHDOG_MS = 90_000;
const PERIODIC_SYNC_MS = 60_000;
const AFTER_WRITE_DELAY_MS = 800;

/**
 * The staff laptop's state: who is signed in, the notices in both local
 * replicas, and the two-way sync. The session is remembered on the device so
 * that staff keep working offline; CouchDB's cookie only matters for syncing.
 */
class StaffStore {
	session = $state.raw<StaffSession | null>(null);
	loaded = $state(false);
	items = $state.raw<StaffItem[]>([]);
	polls = $state.raw<StaffPoll[]>([]);
	events = $state.raw<StaffEvent[]>([]);
	residents = $state.raw<StaffResident[]>([]);
	communeName = $state('');
	/** The commune's time zone: events are typed and shown in it, whatever the laptop's. */
	timeZone = $state('Europe/Paris');
	kiosks = $state.raw<StaffKiosk[]>([]);
	submissions = $state.raw<StaffSubmission[]>([]);
	/** Submissions no staff member has opened yet. */
	newSubmissions = $derived(this.submissions.filter((entry) => !entry.doc.seen).length);
	status = $state<StaffSyncStatus>('idle');
	syncedAt = $state<Date | null>(null);
	pending = $state(0);
	refused = $state.raw<{ id: string; reason: string }[]>([]);

	#module: typeof StaffDbModule | null = null;
	#dbs: StaffDbs | null = null;
	#syncing: Promise<void> | null = null;
	#again = false;
	#afterWrite: ReturnType<typeof setTimeout> | null = null;
	#started = false;
	#retry = new RetryTimer();

	async #load(): Promise<typeof StaffDbModule> {
		this.#module ??= await import('./staff/index.ts');
		return this.#module;
	}

	/** Restores the remembered session and the local data. */
	async init(): Promise<void> {
		if (this.loaded) return;
		const session = await readSetting<StaffSession>(SESSION_KEY);
		if (session) await this.#open(session);
		this.loaded = true;
	}

	async #open(session: StaffSession): Promise<void> {
		const module = await this.#load();
		this.#dbs = module.openStaffDbs(session.commune);
		this.session = session;
		await this.refresh();
		this.#start();
	}

	get dbs(): StaffDbs {
		if (!this.#dbs) throw new Error('not signed in');
		return this.#dbs;
	}

	get db(): typeof StaffDbModule {
		if (!this.#module) throw new Error('not loaded');
		return this.#module;
	}

	async login(name: string, password: string): Promise<LoginError | null> {
		let response: Response;
		try {
			response = await fetch('/db/_session', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ name, password })
			});
		} catch {
			return 'offline';
		}
		if (response.status === 401) return 'bad_login';
		if (response.status === 429) return 'too_many';
		if (!response.ok) return response.status >= 500 ? 'offline' : 'refused';
		const body = (await response.json()) as { name: string; roles: string[] };
		const staffRole = body.roles.find((role) => role.startsWith(roles.staff('')));
		if (!staffRole) {
			await fetch('/db/_session', { method: 'DELETE' }).catch(() => undefined);
			return 'not_staff';
		}
		const session = { name: body.name, commune: staffRole.slice(roles.staff('').length) };
		await writeSetting(SESSION_KEY, session);
		if (this.session && this.status === 'unauthorized') this.status = 'idle';
		await this.#open(session);
		void this.sync();
		return null;
	}

	/** Refuses while local changes wait to be sent: signing out would erase them. */
	async logout(): Promise<'unsynced' | null> {
		if (!this.#dbs) return null;
		await this.sync();
		this.pending = await this.db.pendingCount(this.#dbs);
		if (this.pending > 0) return 'unsynced';
		await fetch('/db/_session', { method: 'DELETE' }).catch(() => undefined);
		await this.db.destroyStaffDbs(this.#dbs);
		await deleteSetting(SESSION_KEY);
		this.#dbs = null;
		this.session = null;
		this.items = [];
		this.submissions = [];
		return null;
	}

	async refresh(): Promise<void> {
		if (!this.#dbs) return;
		const now = new Date();
		this.items = await this.db.readStaffDocs(this.#dbs, 'notice', now);
		this.polls = await this.db.readStaffDocs(this.#dbs, 'poll', now);
		this.events = await this.db.readStaffDocs(this.#dbs, 'event', now);
		this.residents = await this.db.readResidents(this.#dbs);
		this.kiosks = await this.db.readKiosks(this.#dbs);
		this.submissions = await this.db.readSubmissions(this.#dbs);
		const commune = await this.#dbs.local.public
			.get('commune')
			.then((doc) => doc as unknown as { name: string; timezone: string })
			.catch(() => null);
		if (commune) {
			this.communeName = commune.name;
			this.timeZone = commune.timezone;
		}
		this.pending = await this.db.pendingCount(this.#dbs);
	}

	/** Call after every local write: the list updates now, the server soon. */
	async written(): Promise<void> {
		await this.refresh();
		if (this.#afterWrite) clearTimeout(this.#afterWrite);
		this.#afterWrite = setTimeout(() => void this.sync(), AFTER_WRITE_DELAY_MS);
	}

	/** One sync at a time; a request during a sync runs one more pass after it. */
	sync(): Promise<void> {
		if (this.#syncing) {
			this.#again = true;
			return this.#syncing;
		}
		this.#syncing = this.#syncLoop().finally(() => {
			this.#syncing = null;
		});
		return this.#syncing;
	}

	async #syncLoop(): Promise<void> {
		do {
			this.#again = false;
			await this.#syncPass();
		} while (this.#again && this.status === 'idle');
	}

	async #syncPass(): Promise<void> {
		if (!this.#dbs) return;
		if (navigator.onLine === false) {
			this.status = 'offline';
			return;
		}
		this.status = 'syncing';
		try {
			const outcome = await this.db.syncOnce(this.#dbs, WATCHDOG_MS);
			this.refused = outcome.refused;
			this.syncedAt = new Date();
			this.status = 'idle';
			this.#retry.reset();
		} catch (error) {
			const reason = (error as { reason?: string }).reason;
			this.status =
				reason === 'unauthorized' ? 'unauthorized' : reason === 'offline' ? 'offline' : 'error';
			// A session that expired needs the secretary, not a retry.
			if (this.status !== 'unauthorized') this.#retry.schedule(() => void this.sync());
		}
		await this.refresh();
	}

	#start(): void {
		if (this.#started) return;
		this.#started = true;
		onSyncTriggers(() => void this.sync(), {
			periodMs: PERIODIC_SYNC_MS,
			onOffline: () => (this.status = 'offline'),
			// An expired session waits for the secretary to sign in again.
			when: () => this.status !== 'unauthorized'
		});
	}
}

export const staffStore = new StaffStore();
