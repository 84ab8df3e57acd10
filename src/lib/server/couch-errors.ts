import type { DocumentScope } from 'nano';

/** The HTTP status of an error thrown by nano, if it has one. */
export function statusOf(error: unknown): number | undefined {
	return (error as { statusCode?: number }).statusCode;
}

/** A document, or null when CouchDB says 404; other errors are thrown. */
export async function getOrNull<T>(
	db: { get(id: string): Promise<T> },
	id: string
): Promise<T | null> {
	try {
		return await db.get(id);
	} catch (error) {
		if (statusOf(error) === 404) return null;
		throw error;
	}
}

/**
 * Reads a document, builds its next version from it and writes that; read
 * again and rebuilt when another writer got there first (409). `next`
 * returns null to write nothing. Resolves to what was read and what was
 * written, or null when nothing was.
 */
export async function rewrite<T extends { _id: string; _rev?: string }>(
	db: DocumentScope<T>,
	id: string,
	next: (current: T | null) => T | null | Promise<T | null>,
	attempts = 3
): Promise<{ current: T | null; written: T } | null> {
	for (let attempt = 0; attempt < attempts; attempt++) {
		const current = (await getOrNull(db, id)) as T | null;
		const written = await next(current);
		if (!written) return null;
		try {
			await db.insert({ ...written, ...(current?._rev ? { _rev: current._rev } : {}) });
			return { current, written };
		} catch (error) {
			if (statusOf(error) !== 409) throw error;
		}
	}
	throw new Error(`${id}: kept changing while it was written`);
}
