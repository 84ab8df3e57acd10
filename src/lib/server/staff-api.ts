import { m } from '../i18n/index.ts';
import { residentErrorMessage } from '../i18n/error-labels.ts';
import { isStaffUser, sessionOf } from './auth.ts';
import type { Backend } from './backend.ts';
import { jsonError } from './http.ts';
import { ResidentError } from './residents.ts';

/**
 * Null for a staff session of this commune; otherwise a JSON 401 without a session,
 * 403 with someone else's (a resident, a kiosk, another commune's staff), as CouchDB does.
 */
export async function requireStaffSession(
	backend: Backend,
	request: Request
): Promise<Response | null> {
	const user = await sessionOf(backend, request);
	if (isStaffUser(user, backend.commune)) return null;
	return user.name === null
		? jsonError(401, 'unauthorized', m.residents_staff_only())
		: jsonError(403, 'forbidden', m.residents_staff_only());
}

/** Resident register errors as JSON, in French. */
export function residentErrorResponse(error: unknown): Response {
	if (error instanceof ResidentError) {
		const status = error.code === 'not_found' ? 404 : 400;
		return jsonError(status, error.code, residentErrorMessage(error.code));
	}
	throw error;
}
