import { json } from '@sveltejs/kit';
import { getBackend } from '#lib/server/backend.ts';
import { jsonError } from '#lib/server/http.ts';
import {
	FEED_LIMIT_DEFAULT,
	FEED_LIMIT_MAX,
	NDJSON,
	readFeed,
	streamFeed
} from '#lib/server/public-feed.ts';
import type { RequestHandler } from './$types';

/**
 * Villagers' pull (see public-feed.ts). The app asks for the streamed feed
 * (NDJSON, one response for everything); a single JSON page is kept for
 * scripts and older clients.
 */
export const GET: RequestHandler = async ({ url, request }) => {
	const since = url.searchParams.get('since') ?? '0';
	const limitParam = url.searchParams.get('limit');
	const limit = limitParam === null ? FEED_LIMIT_DEFAULT : Number(limitParam);
	if (since.length > 500 || !/^[\w-]+$/.test(since)) {
		return jsonError(400, 'bad_request', 'Paramètre « since » invalide.');
	}
	if (!Number.isInteger(limit) || limit < 1 || limit > FEED_LIMIT_MAX) {
		return jsonError(400, 'bad_request', `Paramètre « limit » invalide (1 à ${FEED_LIMIT_MAX}).`);
	}
	const backend = await getBackend();
	if ((request.headers.get('accept') ?? '').includes(NDJSON)) {
		return new Response(streamFeed(backend, since), {
			headers: {
				'content-type': `${NDJSON}; charset=utf-8`,
				'cache-control': 'no-store',
				vary: 'Accept'
			}
		});
	}
	const page = await readFeed(backend, since, limit);
	return json(page, { headers: { 'cache-control': 'no-store', vary: 'Accept' } });
};
