import { json } from '@sveltejs/kit';
import { readArchive } from '#lib/server/public-read.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
	return json(await readArchive(locals.backend), { headers: { 'cache-control': 'no-store' } });
};
