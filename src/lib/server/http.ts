/** A JSON error in CouchDB's own shape ({ error, reason }), with a French reason. */
export function jsonError(status: number, error: string, reason: string): Response {
	return new Response(JSON.stringify({ error, reason }), {
		status,
		headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }
	});
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
		!/\bgzip\b/.test(request.headers.get('accept-encoding') ?? '') ||
		request.method === 'HEAD'
	) {
		return response;
	}
	const length = Number(response.headers.get('content-length') ?? NaN);
	if (length < 512) return response;
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
