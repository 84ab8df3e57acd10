import { json } from '@sveltejs/kit';
import { issueCodes } from '#lib/server/residents.ts';
import { requireStaffSession, residentErrorResponse } from '#lib/server/staff-api.ts';
import type { RequestHandler } from './$types';

/** Staff issue codes: one per label. The codes come back once, to print the letters. */
export const POST: RequestHandler = async ({ request, locals }) => {
	const backend = locals.backend;
	const refused = await requireStaffSession(backend, request);
	if (refused) return refused;
	const body = (await request.json().catch(() => null)) as { labels?: unknown } | null;
	const labels = Array.isArray(body?.labels) ? (body.labels as string[]) : [];
	try {
		const issued = await issueCodes(backend, labels);
		return json({ residents: issued }, { status: 201, headers: { 'cache-control': 'no-store' } });
	} catch (error) {
		return residentErrorResponse(error);
	}
};
