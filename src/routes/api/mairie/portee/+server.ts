import { json } from '@sveltejs/kit';
import { readReach } from '#lib/server/reach/report.ts';
import { requireStaffSession } from '#lib/server/staff-api.ts';
import type { RequestHandler } from './$types';

/** How far the alerts went and who asked for what, in counts: staff only, never a device. */
export const GET: RequestHandler = async ({ request, locals }) => {
	const refused = await requireStaffSession(locals.backend, request);
	if (refused) return refused;
	return json(await readReach(locals.backend), { headers: { 'cache-control': 'no-store' } });
};
