import { m } from '../i18n/index.ts';
import { isDatabaseGone, isQuotaError } from './storage-errors.ts';

/**
 * The one place staff screens turn a failure into words (issue 14 §5): named
 * errors from below (storage, PouchDB, the staff sync and writes) become a
 * French (or English) sentence; PouchDB's English `message` never reaches
 * staff. Anything unknown is logged and told as a generic failure.
 */
export function messageFor(error: unknown): string {
	if (isQuotaError(error)) return m.errors_storageFull();
	if (isDatabaseGone(error)) return m.errors_storageGone();
	const { name, reason, status } = (error ?? {}) as {
		name?: string;
		reason?: string;
		status?: number;
	};
	if (name === 'SyncError') {
		switch (reason) {
			case 'unauthorized':
				return m.staff_sessionExpired();
			case 'offline':
			case 'timeout':
				return m.staff_offline();
			default:
				return m.staff_syncError();
		}
	}
	if (name === 'NotSignedIn') return m.errors_notSignedIn();
	// A write that met a newer revision than the one it built on (PouchDB's 409).
	if (status === 409 || name === 'conflict') return m.errors_changedMeanwhile();
	if (name === 'TypeError' && navigator.onLine === false) return m.staff_offline();
	console.error(error);
	return m.errors_generic();
}
