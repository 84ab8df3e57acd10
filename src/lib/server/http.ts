import { gzipSync } from 'node:zlib';
/** A JSON error in CouchDB's own shape ({ error, reason }), with a French reason. */
export function jsonError(status: number, error: string, reason: string): Response {
	return new Response(JSON.stringify({ error, reason }), {
		status,
		headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }
	});
}

/** Whether cookies set for this request must say `Secure`: served over https, or behind an https origin. */
export function isSecureRequest(request: Request, origin: string | null | undefined): boolean {
	return new URL(request.url).protocol === 'https:' || !!origin?.startsWith('https:');
}

export function acceptsGzip(request: Request): boolean {
	return /\bgzip\b/.test(request.headers.get('accept-encoding') ?? '');
}

/** Below this, gzip's header and dictionary cost more than they save. */
const COMPRESS_FROM_BYTES = 512;
const gzipped = new Map<string, Uint8Array<ArrayBuffer>>();

/**
 * The gzip of a small answer many clients receive alike (a burst of phones
 * after an alert), made once; null when too small to be worth it.
 */
export function gzipShared(text: string): Uint8Array<ArrayBuffer> | null {
	if (text.length < COMPRESS_FROM_BYTES) return null;
	let bytes = gzipped.get(text);
	if (!bytes) {
		bytes = new Uint8Array(gzipSync(text));
		if (gzipped.size >= 32) gzipped.delete(gzipped.keys().next().value!);
		gzipped.set(text, bytes);
	}
	return bytes;
}

const COMPRESSIBLE =
	/^(application\/(json|x-ndjson|javascript|manifest\+json|xml)|text\/|image\/svg\+xml)/;

/**
 * Gzips a response when the client accepts it. Neither CouchDB 3 nor adapter-node
 * compress dynamic responses, and on a slow village link bytes are what cost.
 */
export function compress(request: Request, response: Response): Response {
	const type = response.headers.get('content-type') ?? '';
	if (
		!response.body ||
		response.headers.has('content-encoding') ||
		!COMPRESSIBLE.test(type) ||
		!acceptsGzip(request) ||
		request.method === 'HEAD'
	) {
		return response;
	}
	const length = Number(response.headers.get('content-length') ?? NaN);
	if (length < COMPRESS_FROM_BYTES) return response;
	const headers = new Headers(response.headers);
	headers.set('content-encoding', 'gzip');
	headers.delete('content-length');
	headers.append('vary', 'Accept-Encoding');
	return new Response(response.body.pipeThrough(new CompressionStream('gzip')), {
		status: response.status,
		statusText: response.statusText,
		headers
	});
}
