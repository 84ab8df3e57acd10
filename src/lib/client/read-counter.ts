import { createStore, get, update } from 'idb-keyval';
import { onSyncTriggers } from './triggers.ts';

/**
 * Counts a notice as read once per device, without tracking: the device keeps
 * which notices it already counted and sends only new ids — no device id, no
 * session, no time. Offline, they wait here and go with the next connection.
 */
const COUNTED = 'reads-counted';
const PENDING = 'reads-pending';
/** Enough for years of a village's notices; the oldest are forgotten first. */
const REMEMBERED_MAX = 5000;
const BATCH_MAX = 50;

let flushing: Promise<void> | null = null;
let flushAgain = false;
let started = false;
// Its own tiny store rather than the device database: the notice page, opened
// from a shared link, should not download Dexie for two lists of ids.
let store: ReturnType<typeof createStore> | null = null;
const readsStore = () => (store ??= createStore('crieur-reads', 'lists'));

const readList = async (key: string) => (await get<string[]>(key, readsStore())) ?? [];

export async function countRead(noticeId: string): Promise<void> {
	try {
		let isNew = false;
		// update() reads and writes in one transaction: two tabs cannot both count a read.
		await update<string[]>(
			COUNTED,
			(counted = []) => {
				isNew = !counted.includes(noticeId);
				return isNew ? [...counted, noticeId].slice(-REMEMBERED_MAX) : counted;
			},
			readsStore()
		);
		if (!isNew) return;
		await update<string[]>(PENDING, (pending = []) => [...pending, noticeId], readsStore());
		start();
		void flush();
	} catch {
		// Private browsing without IndexedDB: the read simply goes uncounted.
	}
}

function start(): void {
	if (started) return;
	started = true;
	onSyncTriggers(() => void flush(), { periodMs: 10 * 60_000 });
}

export function flush(): Promise<void> {
	// A trigger during a send (the network back while a send made offline still
	// fails) must not be lost in it: it sends again once that one ends.
	if (flushing) {
		flushAgain = true;
		return flushing;
	}
	flushing = send().finally(() => {
		flushing = null;
		if (flushAgain) {
			flushAgain = false;
			void flush();
		}
	});
	return flushing;
}

async function send(): Promise<void> {
	if (navigator.onLine === false) return;
	let pending = await readList(PENDING);
	while (pending.length > 0) {
		const batch = pending.slice(0, BATCH_MAX);
		let response: Response;
		try {
			response = await fetch('/api/reads', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ notices: batch })
			});
		} catch {
			return; // offline: the next trigger tries again
		}
		// A refused batch (e.g. a notice since retracted) is dropped, not retried forever.
		if (!response.ok && response.status !== 400 && response.status !== 404) return;
		await update<string[]>(
			PENDING,
			(now = []) => (pending = now.filter((id) => !batch.includes(id))),
			readsStore()
		);
	}
}
