import { json } from '@sveltejs/kit';
import { revokeCode } from '#lib/server/residents.ts';
import { requireStaffSession, residentErrorResponse } from '#lib/server/staff-api.ts';
import type { RequestHandler } from './$types';

/** The code stops working at once, on every device. */
export const POST: RequestHandler = async ({ request, params, locals }) => {
	const backend = locals.backend;
	const refused = await requireStaffSession(backend, request);
	if (refused) return refused;
	try {
		await revokeCode(backend, params.id);
		return json({ ok: true });
	} catch (error) {
		return residentErrorResponse(error);
	}
};
