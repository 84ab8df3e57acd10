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
