import { json } from '@sveltejs/kit';
import { getBackend } from '#lib/server/backend.ts';
import { readAnswers } from '#lib/server/public-read.ts';
import type { RequestHandler } from './$types';

/** Published answers, for the first server-rendered visit of /participer. */
export const GET: RequestHandler = async () => {
	return json(await readAnswers(await getBackend()), { headers: { 'cache-control': 'no-store' } });
};
