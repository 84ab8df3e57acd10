import { json } from '@sveltejs/kit';
import { getBackend } from '#lib/server/backend.ts';
import { jsonError } from '#lib/server/http.ts';
import { FEED_LIMIT_DEFAULT, FEED_LIMIT_MAX, readFeed } from '#lib/server/public-feed.ts';
import type { RequestHandler } from './$types';

/** Villagers' pull: one page of public changes with their documents (see public-feed.ts). */
export const GET: RequestHandler = async ({ url }) => {
	const since = url.searchParams.get('since') ?? '0';
	const limitParam = url.searchParams.get('limit');
	const limit = limitParam === null ? FEED_LIMIT_DEFAULT : Number(limitParam);
	if (since.length > 500 || !/^[\w-]+$/.test(since)) {
		return jsonError(400, 'bad_request', 'Paramètre « since » invalide.');
	}
	if (!Number.isInteger(limit) || limit < 1 || limit > FEED_LIMIT_MAX) {
		return jsonError(400, 'bad_request', `Paramètre « limit » invalide (1 à ${FEED_LIMIT_MAX}).`);
	}
	const page = await readFeed(await getBackend(), since, limit);
	return json(page, { headers: { 'cache-control': 'no-store' } });
};
