import { json } from '@sveltejs/kit';
import { getBackend } from '#lib/server/backend.ts';
import { readCurrent } from '#lib/server/public-read.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async () => {
	return json(await readCurrent(await getBackend()), { headers: { 'cache-control': 'no-store' } });
};
