import { json } from '@sveltejs/kit';
import { jsonError } from '#lib/server/http.ts';
import { KioskError, revokeKiosk } from '#lib/server/kiosks.ts';
import { requireStaffSession } from '#lib/server/staff-api.ts';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ request, params, locals }) => {
	const backend = locals.backend;
	const refused = await requireStaffSession(backend, request);
	if (refused) return refused;
	try {
		await revokeKiosk(backend, params.id);
		return json({ ok: true });
	} catch (error) {
		if (error instanceof KioskError) return jsonError(404, 'not_found', 'Borne introuvable.');
		throw error;
	}
};
