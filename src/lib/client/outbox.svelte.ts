import { SvelteMap } from 'svelte/reactivity';
import { newId } from '../domain/slug.ts';
import { randomBytes } from './random.ts';
import {
	blockedAlike,
	CODE_REVOKED,
	dueItems,
	releasedByCode,
	UNTIL_A_CODE,
	outcomeOf,
	retryDelayMs,
	type OutboxItem
} from '../domain/outbox.ts';
import type * as DeviceDbModule from './device-db.ts';
import { deviceDbUsed } from './device-hint.ts';
import { m } from '../i18n/index.ts';
import { isQuotaError } from './storage-errors.ts';
import { onSyncTriggers } from './triggers.ts';

/** Dexie is loaded on first use, after the first render; villagers who only read never load it. */
let module: Promise<typeof DeviceDbModule> | null = null;
const load = () => (module ??= import('./device-db.ts'));
const deviceDb = () => load().then((loaded) => loaded.deviceDb());

const PERIODIC_DRAIN_MS = 30_000;
const SEND_TIMEOUT_MS = 30_000;
const BACKGROUND_SYNC_TAG = 'crieur-outbox';

/** Photos take longer on a weak link: allow 20 kB/s on top of the base timeout. */
function sendTimeoutMs(item: OutboxItem): number {
	const bytes = (item.files ?? []).reduce((sum, file) => sum + file.size, 0);
	return SEND_TIMEOUT_MS + bytes / 20;
}

/** JSON, or multipart when photos go with it (the browser sets the boundary). */
function requestBody(item: OutboxItem): { headers: Record<string, string>; body: BodyInit } {
	const payload = JSON.stringify({ ...item.body, outbox_id: item.id });
	if (!item.files?.length) {
		return {
			headers: { 'content-type': 'application/json', accept: 'application/json' },
			body: payload
		};
	}
	const form = new FormData();
	form.set('payload', payload);
	for (const file of item.files) form.append('photo', file);
	return { headers: { accept: 'application/json' }, body: form };
}

/**
 * What to tell the villager when outbox.add failed: nothing was kept, so the
 * form keeps what they entered and they can try again.
 */
export function notKeptMessage(error: unknown): string {
	return isQuotaError(error) ? m.outbox_storageFull() : m.outbox_notKept();
}

/**
 * The device's outbox (ARCHITECTURE §3): every private action is written here
 * first, durably, with a client-made id, then sent when the network allows —
 * on start, on `online`, when the app becomes visible, on a timer, and by
 * Background Sync where the browser has it. Ballots, suggestions and reports
 * (with their photos) all go through it.
 */
class Outbox {
	items = $state.raw<OutboxItem[]>([]);
	/** How ephemeral items ended, kept in memory only (they are gone from the table). */
	settled = new SvelteMap<string, ReturnType<typeof outcomeOf>>();
	#draining: Promise<void> | null = null;
	#again = false;
	#networkReturned = false;
	#started = false;
	#timer: ReturnType<typeof setTimeout> | null = null;
	#codeRevoked = new Set<() => void>();

	/**
	 * Called when the server refuses an item because the mairie revoked or
	 * replaced this device's code: the resident session forgets it.
	 */
	onCodeRevoked(listener: () => void): void {
		this.#codeRevoked.add(listener);
	}

	/**
	 * Watches the table and drains it on the shared triggers. `hinted`: start
	 * only if this device ever stored something (see deviceDbUsed).
	 */
	async start(options: { hinted?: boolean } = {}): Promise<void> {
		if (this.#started) return;
		if (options.hinted && !deviceDbUsed()) return;
		const loaded = await load();
		if (this.#started) return;
		this.#started = true;
		const db = loaded.deviceDb();
		const { liveQuery } = await import('dexie');
		liveQuery(() => db.outbox.orderBy('created_at').toArray()).subscribe({
			next: (items) => (this.items = items),
			error: (error) => console.error('outbox:', error)
		});
		// A send cut by a closed tab stays "sending": make it waiting again; the server is idempotent.
		await db.outbox.where('state').equals('sending').modify({ state: 'waiting' });
		// Registered before the triggers, so that the drain the `online` event starts sees it.
		window.addEventListener('online', () => (this.#networkReturned = true));
		onSyncTriggers(() => void this.drain(), { periodMs: PERIODIC_DRAIN_MS });
		navigator.serviceWorker?.addEventListener('message', (event) => {
			if (event.data?.type === 'drain-outbox') void this.drain();
		});
	}

	/** Keeps an action for sending; it is stored before this resolves. */
	async add(
		entry: Pick<OutboxItem, 'kind' | 'url' | 'body' | 'files' | 'label' | 'subject' | 'ephemeral'>
	): Promise<OutboxItem> {
		const now = new Date();
		const item: OutboxItem = {
			...entry,
			// Plain JSON: it is what gets sent, and IndexedDB cannot store Svelte state proxies.
			body: JSON.parse(JSON.stringify(entry.body)) as Record<string, unknown>,
			id: newId('o', now, randomBytes).replace(':', '-'),
			state: 'waiting',
			attempts: 0,
			next_attempt_at: 0,
			created_at: now.toISOString(),
			updated_at: now.toISOString()
		};
		await (await deviceDb()).outbox.add(item);
		await this.start();
		void this.#requestBackgroundSync();
		void this.drain();
		return item;
	}

	/** A code was just accepted: what waited for one goes now. */
	async release(): Promise<void> {
		const table = (await deviceDb()).outbox;
		const ids = releasedByCode(await table.toArray());
		await table.where('id').anyOf(ids).modify({ next_attempt_at: 0 });
		await this.drain();
	}

	/** The latest item about a subject (e.g. a poll), to show its state beside it. */
	latestFor(subject: string): OutboxItem | undefined {
		return this.items.findLast((item) => item.subject === subject);
	}

	/** One drain at a time; a request during a drain runs one more pass after it. */
	drain(): Promise<void> {
		if (this.#draining) {
			this.#again = true;
			return this.#draining;
		}
		this.#draining = this.#drainLoop().finally(() => (this.#draining = null));
		return this.#draining;
	}

	async #drainLoop(): Promise<void> {
		do {
			this.#again = false;
			let all = await (await deviceDb()).outbox.toArray();
			if (this.#networkReturned) {
				// Back-off is for a server in trouble. Items that only lacked a network go
				// now: after a patchy hour their back-off would hold them minutes more.
				this.#networkReturned = false;
				all = all.map((item) => (item.error ? item : { ...item, next_attempt_at: 0 }));
			}
			const due = dueItems(all, Date.now());
			for (const [index, item] of due.entries()) {
				const result = await this.#send(item);
				if (result === 'next') continue;
				if (result !== 'stop') {
					// Without a working code nothing else can go either: each item says why
					// (else a vote behind a refused support would still claim « au retour du réseau »).
					const table = (await deviceDb()).outbox;
					const updated_at = new Date().toISOString();
					for (const id of blockedAlike(due.slice(index + 1))) {
						await table.update(id, {
							error: result.blocked,
							next_attempt_at: UNTIL_A_CODE,
							updated_at
						});
					}
				}
				break;
			}
		} while (this.#again);
		this.#scheduleNext(await (await deviceDb()).outbox.toArray());
	}

	/**
	 * Sends one item: `next` to go on, `stop` when the network is down, or the
	 * reason the villager must act first (enter a code), which the rest share.
	 */
	async #send(
		item: OutboxItem
	): Promise<'next' | 'stop' | { blocked: { code: string; reason: string } }> {
		const table = (await deviceDb()).outbox;
		await table.update(item.id, { state: 'sending', updated_at: new Date().toISOString() });
		let status: number;
		let body: { error?: string; reason?: string } | null = null;
		try {
			const response = await fetch(item.url, {
				method: 'POST',
				...requestBody(item),
				signal: AbortSignal.timeout(sendTimeoutMs(item))
			});
			status = response.status;
			body = await response.json().catch(() => null);
		} catch {
			status = 0;
		}
		const now = new Date();
		if (status === 0) {
			await table.update(item.id, {
				state: 'waiting',
				// No answer at all: the network, not the server (see #networkReturned).
				error: undefined,
				attempts: item.attempts + 1,
				next_attempt_at: now.getTime() + retryDelayMs(item.attempts + 1),
				updated_at: now.toISOString()
			});
			return 'stop';
		}
		const outcome = outcomeOf(status, body);
		if ('code' in outcome && outcome.code === CODE_REVOKED) {
			for (const listener of this.#codeRevoked) listener();
		}
		if (item.ephemeral && outcome.next !== 'retry') {
			this.settled.set(item.id, outcome);
			await table.delete(item.id);
			return 'next';
		}
		if (outcome.next === 'sent') {
			await table.update(item.id, {
				state: 'sent',
				sent_at: now.toISOString(),
				updated_at: now.toISOString(),
				error: undefined
			});
		} else if (outcome.next === 'refused') {
			await table.update(item.id, {
				state: 'refused',
				error: { code: outcome.code, reason: outcome.reason },
				updated_at: now.toISOString()
			});
		} else {
			await table.update(item.id, {
				state: 'waiting',
				attempts: item.attempts + 1,
				// Blocked items wait for the villager (a new code), not for a timer.
				next_attempt_at: outcome.blocked
					? UNTIL_A_CODE
					: now.getTime() + retryDelayMs(item.attempts + 1),
				error: outcome.code ? { code: outcome.code, reason: outcome.reason ?? '' } : undefined,
				updated_at: now.toISOString()
			});
			if (outcome.blocked) {
				return { blocked: { code: outcome.code ?? '', reason: outcome.reason ?? '' } };
			}
		}
		return 'next';
	}

	/**
	 * Wakes up for the next retry due, so that back-off does not wait for the
	 * periodic timer. Items that fell due during the pass count too: the pass
	 * chose its items when it started.
	 */
	#scheduleNext(items: readonly OutboxItem[]): void {
		if (this.#timer) clearTimeout(this.#timer);
		const next = items
			.filter((item) => item.state === 'waiting' && item.next_attempt_at > 0)
			.reduce((min, item) => Math.min(min, item.next_attempt_at), Infinity);
		if (Number.isFinite(next)) {
			this.#timer = setTimeout(() => void this.drain(), Math.max(500, next - Date.now()));
		}
	}

	async #requestBackgroundSync(): Promise<void> {
		try {
			const registration = await navigator.serviceWorker?.ready;
			const sync = (
				registration as ServiceWorkerRegistration & {
					sync?: { register(tag: string): Promise<void> };
				}
			)?.sync;
			await sync?.register(BACKGROUND_SYNC_TAG);
		} catch {
			// Safari, Firefox and WebView have no Background Sync: the triggers cover them.
		}
	}
}

export const outbox = new Outbox();
