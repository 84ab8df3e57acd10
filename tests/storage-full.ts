import type { Page } from 'playwright-core';

/**
 * Makes IndexedDB refuse writes as a full disk does, while the page sets
 * `window.__storageFull`: the transaction of a put or add aborts, and its
 * error is a QuotaExceededError (Chromium reports a full quota so, when the
 * transaction commits). The patch runs in the page, before the app.
 */
export function fillStorageWhenAsked() {
	const full = () => (window as unknown as { __storageFull?: boolean }).__storageFull === true;
	const refused = new WeakSet<IDBTransaction>();
	for (const method of ['put', 'add'] as const) {
		const original = IDBObjectStore.prototype[method] as (
			this: IDBObjectStore,
			...args: unknown[]
		) => IDBRequest;
		IDBObjectStore.prototype[method] = function (this: IDBObjectStore, ...args: unknown[]) {
			const request = original.apply(this, args);
			const transaction = this.transaction;
			if (full() && !refused.has(transaction)) {
				refused.add(transaction);
				// Right after the write is asked for: a refusal at commit time (as Chromium
				// does it) leaves PouchDB's _local writes waiting for a 'complete' that
				// never comes, until the app's 15 s storage limit; this one is reported
				// at once, and keeps the test short.
				queueMicrotask(() => {
					try {
						transaction.abort();
					} catch {
						// Already finished.
					}
				});
			}
			return request;
		} as never;
	}
	for (const prototype of [IDBTransaction.prototype, IDBRequest.prototype]) {
		const error = Object.getOwnPropertyDescriptor(prototype, 'error')!;
		Object.defineProperty(prototype, 'error', {
			configurable: true,
			get(this: IDBTransaction | IDBRequest) {
				const transaction = this instanceof IDBTransaction ? this : this.transaction;
				return transaction && refused.has(transaction)
					? new DOMException('The quota has been exceeded.', 'QuotaExceededError')
					: error.get!.call(this);
			}
		});
	}
}

export const setStorageFull = (page: Page, full: boolean) =>
	page.evaluate((value) => {
		(window as unknown as { __storageFull?: boolean }).__storageFull = value;
	}, full);
