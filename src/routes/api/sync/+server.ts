import { json } from '@sveltejs/kit';
import { acceptsGzip, gzipShared, jsonError } from '#lib/server/http.ts';
import { NDJSON } from '#lib/domain/feed.ts';
import { FEED_LIMIT_DEFAULT, FEED_LIMIT_MAX, openFeed, readFeed } from '#lib/server/public-feed.ts';
import type { RequestHandler } from './$types';

/**
 * Villagers' pull (see public-feed.ts). The app asks for the streamed feed
 * (NDJSON, one response for everything); a single JSON page is kept for
 * scripts and older clients.
 */
export const GET: RequestHandler = async ({ url, request, locals }) => {
	const since = url.searchParams.get('since') ?? '0';
	const limitParam = url.searchParams.get('limit');
	const limit = limitParam === null ? FEED_LIMIT_DEFAULT : Number(limitParam);
	if (since.length > 500 || !/^[\w-]+$/.test(since)) {
		return jsonError(400, 'bad_request', 'Paramètre « since » invalide.');
	}
	if (!Number.isInteger(limit) || limit < 1 || limit > FEED_LIMIT_MAX) {
		return jsonError(400, 'bad_request', `Paramètre « limit » invalide (1 à ${FEED_LIMIT_MAX}).`);
	}
	const backend = locals.backend;
	if ((request.headers.get('accept') ?? '').includes(NDJSON)) {
		const body = await openFeed(backend, since);
		const headers = new Headers({
			'content-type': `${NDJSON}; charset=utf-8`,
			'cache-control': 'no-store',
			vary: 'Accept, Accept-Encoding'
		});
		if (typeof body !== 'string') return new Response(body, { headers });
		// A one-page answer is usually the same for every phone asking at that
		// moment: gzip it once for all of them, rather than a stream each.
		const gzip = acceptsGzip(request) ? gzipShared(body) : null;
		if (gzip) headers.set('content-encoding', 'gzip');
		const bytes = gzip ?? new TextEncoder().encode(body);
		headers.set('content-length', String(bytes.byteLength));
		return new Response(bytes, { headers });
	}
	const page = await readFeed(backend, since, limit);
	return json(page, { headers: { 'cache-control': 'no-store', vary: 'Accept' } });
};
