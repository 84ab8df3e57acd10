/**
 * IndexedDB failures, however the library in between wraps them: Dexie keeps
 * the DOMException's name, PouchDB's idb adapter turns it into
 * `{ name: 'indexed_db_went_bad', reason: 'QuotaExceededError' }`.
 */
function namesOf(error: unknown): string[] {
	const { name, reason, inner } = (error ?? {}) as {
		name?: string;
		reason?: string;
		inner?: { name?: string };
	};
	return [name, reason, inner?.name].filter((value): value is string => Boolean(value));
}

export function isQuotaError(error: unknown): boolean {
	return namesOf(error).some((name) => name === 'QuotaExceededError' || name === 'quota_exceeded');
}

/** The database's connection was closed under the app: the browser deleted it. */
export function isDatabaseGone(error: unknown): boolean {
	return namesOf(error).includes('InvalidStateError');
}

/**
 * Any failure of the storage itself, after which PouchDB's idb adapter has
 * closed its connection (`indexed_db_went_bad` is how it reports an aborted
 * transaction): the caller opens a new one.
 */
export function isStorageFailure(error: unknown): boolean {
	return (
		isQuotaError(error) || isDatabaseGone(error) || namesOf(error).includes('indexed_db_went_bad')
	);
}
