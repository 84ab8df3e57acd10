import { json } from '@sveltejs/kit';
import { jsonError } from '#lib/server/http.ts';
import { createKiosk, KioskError } from '#lib/server/kiosks.ts';
import { requireStaffSession } from '#lib/server/staff-api.ts';
import type { RequestHandler } from './$types';

/** Adds a kiosk account; its pairing secret is shown once. */
export const POST: RequestHandler = async ({ request, locals }) => {
	const backend = locals.backend;
	const refused = await requireStaffSession(backend, request);
	if (refused) return refused;
	const body = (await request.json().catch(() => null)) as { label?: unknown } | null;
	try {
		// Not String(): an object would become a kiosk named "[object Object]".
		const kiosk = await createKiosk(backend, typeof body?.label === 'string' ? body.label : '');
		return json(
			{ kiosk: { id: kiosk.id, label: kiosk.label, pairing: `${kiosk.name}:${kiosk.password}` } },
			{ status: 201, headers: { 'cache-control': 'no-store' } }
		);
	} catch (error) {
		if (error instanceof KioskError) {
			return jsonError(400, error.code, 'Donnez un nom à la borne (80 caractères au plus).');
		}
		throw error;
	}
};
