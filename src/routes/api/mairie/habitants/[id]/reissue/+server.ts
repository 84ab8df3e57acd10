import { json } from '@sveltejs/kit';
import { reissueCode } from '#lib/server/residents.ts';
import { requireStaffSession, residentErrorResponse } from '#lib/server/staff-api.ts';
import type { RequestHandler } from './$types';

/** A new code for the same resident (lost letter): the old code stops working at once. */
export const POST: RequestHandler = async ({ request, params, locals }) => {
	const backend = locals.backend;
	const refused = await requireStaffSession(backend, request);
	if (refused) return refused;
	try {
		return json(
			{ resident: await reissueCode(backend, params.id) },
			{ headers: { 'cache-control': 'no-store' } }
		);
	} catch (error) {
		return residentErrorResponse(error);
	}
};
