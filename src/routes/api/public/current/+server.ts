import { json } from '@sveltejs/kit';
import { readCurrent } from '#lib/server/public-read.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
	return json(await readCurrent(locals.backend), { headers: { 'cache-control': 'no-store' } });
};
