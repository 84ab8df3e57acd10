import { LIMITS } from '../domain/limits.ts';

const KB = 1024;
const MB = 1024 * KB;

/** Ballots, codes, read batches, labels: every JSON body of the API is far below this. */
export const JSON_BODY_MAX = 64 * KB;

/**
 * The largest body each API route reads. A route not named here takes small
 * JSON: a wrong guess fails loudly (413) instead of buffering megabytes.
 */
export function apiBodyLimit(pathname: string, contentType: string): number {
	if (pathname === '/api/submissions' && contentType.startsWith('multipart/form-data')) {
		// The photos the server accepts, plus the form's own fields and boundaries.
		return LIMITS.photosMax * LIMITS.photoBytesMax + 256 * KB;
	}
	// 500 labels of 160 characters, up to 4 bytes each in UTF-8, as JSON.
	if (pathname === '/api/mairie/habitants') return 512 * KB;
	// A name and a password.
	if (pathname === '/api/borne/unlock') return 4 * KB;
	// An endpoint of at most 1 KB, two keys and a few categories.
	if (pathname === '/api/push') return 4 * KB;
	// An address, a few categories and zones, or a link's token.
	if (pathname.startsWith('/api/email') || pathname === '/api/mairie/email') return 4 * KB;
	return JSON_BODY_MAX;
}

export type BodyRead =
	{ ok: true; bytes: Uint8Array<ArrayBuffer> } | { ok: false; reason: 'too_large' | 'unreadable' };

/**
 * Reads a request body, stopping as soon as it passes `limit` bytes. A body
 * the adapter itself cut off (BODY_SIZE_LIMIT) counts as too large too: its
 * stream fails with a 413 error that routes would otherwise see as no body.
 */
export async function readBodyWithin(request: Request, limit: number): Promise<BodyRead> {
	const declared = Number(request.headers.get('content-length') ?? NaN);
	if (declared > limit) return { ok: false, reason: 'too_large' };
	if (!request.body) return { ok: true, bytes: new Uint8Array(0) };
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			size += value.byteLength;
			if (size > limit) {
				// Not cancel(): that destroys the socket, and the client, still sending, never
				// reads the 413. Released, the rest is drained by Node once the answer is sent.
				reader.releaseLock();
				return { ok: false, reason: 'too_large' };
			}
			chunks.push(value);
		}
	} catch (error) {
		const status = (error as { status?: unknown }).status;
		return { ok: false, reason: status === 413 ? 'too_large' : 'unreadable' };
	}
	const bytes = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}
	return { ok: true, bytes };
}

/** "64 Ko" in French, "64 kB" in English: a size as the reader writes it. */
export function sizeLabel(bytes: number, locale: 'fr' | 'en' = 'fr'): string {
	const [unit, amount] = bytes >= MB ? ['M', bytes / MB] : ['k', bytes / KB];
	const rounded = Math.round(amount);
	if (locale === 'en') return `${rounded} ${unit === 'M' ? 'MB' : 'kB'}`;
	return `${rounded} ${unit === 'M' ? 'Mo' : 'Ko'}`;
}
