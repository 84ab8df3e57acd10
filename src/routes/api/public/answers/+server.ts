import { json } from '@sveltejs/kit';
import { readAnswers } from '#lib/server/public-read.ts';
import type { RequestHandler } from './$types';

/** Published answers, for the first server-rendered visit of /participer. */
export const GET: RequestHandler = async ({ locals }) => {
	return json(await readAnswers(locals.backend), { headers: { 'cache-control': 'no-store' } });
};
