import { json } from '@sveltejs/kit';
import { getBackend } from '#lib/server/backend.ts';
import { readEvents } from '#lib/server/public-read.ts';
import type { RequestHandler } from './$types';

/** The agenda, for the first server-rendered visit of /agenda. */
export const GET: RequestHandler = async () => {
	return json(await readEvents(await getBackend()), { headers: { 'cache-control': 'no-store' } });
};
