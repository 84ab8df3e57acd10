import { json } from '@sveltejs/kit';
import { readEvents } from '#lib/server/public-read.ts';
import type { RequestHandler } from './$types';

/** The agenda, for the first server-rendered visit of /agenda. */
export const GET: RequestHandler = async ({ locals }) => {
	return json(await readEvents(locals.backend), { headers: { 'cache-control': 'no-store' } });
};
