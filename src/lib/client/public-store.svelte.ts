import type { AnswerDoc } from '../domain/answer.ts';
import type { CommuneEvent } from '../domain/event.ts';
import { nextChange, partitionNotices, type Notice } from '../domain/notice.ts';
import { type Commune } from '../domain/commune.ts';
import { type PollWithTally } from '../domain/snapshot.ts';
import { visiblePolls } from '../domain/poll.ts';
import type * as ReplicaModule from './replica.ts';
import { RetryTimer } from './retry.ts';
import { isDatabaseGone, isQuotaError } from './storage-errors.ts';
import { onSyncTriggers } from './triggers.ts';

export type SyncStatus = 'idle' | 'syncing' | 'offline' | 'error';

/** A pull that receives nothing for this long is abandoned and retried at the next trigger. */
const WATCHDOG_MS = 60_000;
/** While the app is open, pull again every few minutes (ARCHITECTURE §3: no live feed). */
const PERIODIC_SYNC_MS = 5 * 60_000;
const CLOCK_TICK_MS = 30_000;

/** A function, not a property read: the answer changes while a pull awaits. */
function offline(): boolean {
	return navigator.onLine === false;
}

/**
 * Set after a complete pull. Without it an empty replica is a new device; with
 * it, the browser erased the replica (Safari's idle wipe, storage pressure)
 * and the villager is told why the notices are gone.
 */
const FILLED_HINT = 'crieur.replica-filled';

function replicaWasFilled(): boolean {
	try {
		return localStorage.getItem(FILLED_HINT) === '1';
	} catch {
		return false;
	}
}

function markReplicaFilled(): void {
	try {
		localStorage.setItem(FILLED_HINT, '1');
	} catch {
		// Private mode: only the message about an erased replica is lost.
	}
}

/**
 * What villagers see: the local replica of the public database, and how fresh
 * it is. Components read these runes; they never see PouchDB or the network.
 * PouchDB is imported on first use, after the first render.
 */
class PublicStore {
	commune = $state.raw<Commune | null>(null);
	notices = $state.raw<Notice[]>([]);
	/** The replica holds data from at least one pull. */
	ready = $state(false);
	status = $state<SyncStatus>('idle');
	syncedAt = $state<Date | null>(null);
	/** Documents received so far in the running pull, for long first syncs. */
	received = $state(0);
	storageFull = $state(false);
	/** The browser erased the replica this device had; it is being downloaded again. */
	replicaLost = $state(false);
	now = $state(new Date());
	polls = $state.raw<PollWithTally[]>([]);
	answers = $state.raw<AnswerDoc[]>([]);
	supports = $state.raw<Record<string, number>>({});
	events = $state.raw<CommuneEvent[]>([]);
	lists = $derived(partitionNotices(this.notices, this.now));
	visiblePolls = $derived(visiblePolls(this.polls, this.now));

	#replica: Promise<typeof ReplicaModule> | null = null;
	#opening: Promise<void> | null = null;
	#pulling: Promise<void> | null = null;
	#started = false;
	#clock: ReturnType<typeof setTimeout> | null = null;
	#retry = new RetryTimer();

	#module(): Promise<typeof ReplicaModule> {
		this.#replica ??= import('./replica.ts');
		return this.#replica;
	}

	/** Reads the local replica into memory; cheap after the first call. */
	open(): Promise<void> {
		// A failed read is tried again next time, not remembered.
		this.#opening ??= this.#reload().catch((error: unknown) => {
			this.#opening = null;
			throw error;
		});
		return this.#opening;
	}

	async #reload(): Promise<void> {
		const replica = await this.#module();
		const db = replica.openReplica();
		const [docs, checkpoint] = await replica.settleWithin(
			Promise.all([replica.readAll(db), replica.readCheckpoint(db)])
		);
		this.commune = docs.commune;
		this.notices = docs.notices;
		this.polls = docs.polls;
		this.answers = docs.answers;
		this.supports = docs.supports;
		this.events = docs.events;
		this.syncedAt = checkpoint.synced_at ? new Date(checkpoint.synced_at) : null;
		this.ready = docs.commune !== null;
		this.replicaLost = checkpoint.synced_at === null && replicaWasFilled();
		this.#scheduleClock();
	}

	poll(id: string): PollWithTally | undefined {
		return this.polls.find((entry) => entry.poll._id === id);
	}

	notice(id: string): Notice | undefined {
		return this.notices.find((notice) => notice._id === id);
	}

	/** One pull at a time; a call during a pull joins it. */
	sync(): Promise<void> {
		this.#pulling ??= this.#pull().finally(() => {
			this.#pulling = null;
		});
		return this.#pulling;
	}

	async #pull(reopened = false): Promise<void> {
		const replica = await this.#module();
		const controller = new AbortController();
		let watchdog = setTimeout(() => controller.abort(), WATCHDOG_MS);
		try {
			await this.open();
			if (offline()) {
				this.status = 'offline';
				return;
			}
			this.status = 'syncing';
			this.received = 0;
			const received = await replica.pull(replica.openReplica(), {
				signal: controller.signal,
				onPage: (count) => {
					this.received = count;
					// A long first sync that keeps receiving is not hanging.
					clearTimeout(watchdog);
					watchdog = setTimeout(() => controller.abort(), WATCHDOG_MS);
				},
				// A new device shows its home page from the replica before the history arrives.
				// A failed early read is harmless: the pull reads again when it ends.
				onCurrent: () => void this.#reload().catch(() => undefined)
			});
			this.storageFull = false;
			markReplicaFilled();
			if (received > 0 || !this.ready || this.replicaLost) await this.#reload();
			this.syncedAt = new Date();
			this.status = 'idle';
			this.#retry.reset();
			void this.#persist();
		} catch (error) {
			if (!reopened && isDatabaseGone(error)) {
				// Deleted under the running app: start a new replica and fill it now.
				replica.closeReplica();
				this.#opening = null;
				return this.#pull(true);
			}
			if (error instanceof replica.StorageStalled) {
				// The next pull starts a new connection; what is on screen stays.
				replica.closeReplica();
				this.#opening = null;
			}
			if (isQuotaError(error)) {
				this.storageFull = true;
				this.status = 'error';
			} else if (error instanceof replica.HttpError) {
				this.status = 'error';
			} else {
				// fetch rejects with a TypeError when the network is down, an AbortError on watchdog.
				this.status = offline() || error instanceof TypeError ? 'offline' : 'error';
			}
			this.#retry.schedule(() => void this.sync());
		} finally {
			clearTimeout(watchdog);
		}
	}

	async #persist(): Promise<void> {
		try {
			if (navigator.storage?.persist && !(await navigator.storage.persisted?.())) {
				await navigator.storage.persist();
			}
		} catch {
			// Not granted: the replica stays a cache that can be rebuilt.
		}
	}

	/** Wakes at the next moment a notice appears or expires, and at least every 30 s. */
	#scheduleClock(): void {
		if (this.#clock) clearTimeout(this.#clock);
		this.now = new Date();
		const next = nextChange(this.notices, this.now);
		const delay = next ? Math.min(CLOCK_TICK_MS, next.getTime() - Date.now() + 50) : CLOCK_TICK_MS;
		this.#clock = setTimeout(() => this.#scheduleClock(), Math.max(1000, delay));
	}

	/** Opens the replica and pulls on start, on `online`, when visible again, and periodically. */
	start(): void {
		if (this.#started) return;
		this.#started = true;
		onSyncTriggers(() => void this.sync(), {
			periodMs: PERIODIC_SYNC_MS,
			onOffline: () => (this.status = 'offline')
		});
	}
}

export const publicStore = new PublicStore();
