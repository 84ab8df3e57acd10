import { json } from '@sveltejs/kit';
import { readCommune } from '#lib/server/public-read.ts';
import type { RequestHandler } from './$types';

/**
 * Which commune this host name serves: a staff laptop or a kiosk signing in
 * checks its account's role for this commune, not for any (one secretary may
 * serve two communes of one deployment).
 */
export const GET: RequestHandler = async ({ locals }) => {
	const { name } = await readCommune(locals.backend);
	return json({ slug: locals.backend.commune, name }, { headers: { 'cache-control': 'no-store' } });
};
