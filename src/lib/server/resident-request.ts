import * as v from 'valibot';
import { m } from '../i18n/index.ts';
import type { Backend } from './backend.ts';
import { jsonError } from './http.ts';
import type { RateLimiter } from './rate-limit.ts';
import { residentSessionOf, sessionOf } from './auth.ts';
import { clearSessionCookie } from './resident-marker.ts';
import { hasWithdrawnCode, isCurrentResidentSession, residentOfUser } from './residents.ts';

export type ResidentRequest =
	{ ok: true; backend: Backend; residentId: string } | { ok: false; response: Response };

/**
 * The preamble of every resident action (ballots, supports, submissions): a
 * resident session, then the per-resident rate limit when the action counts
 * before reading its body, then a code that is still active. Per resident,
 * not per address: a whole village can sit behind one carrier's address.
 */
export async function requireResident(
	backend: Backend,
	request: Request,
	options: { notResident: string; limit?: { limiter: RateLimiter; tooMany: string } },
	/** Asked again of CouchDB, after a held session failed the register: already counted. */
	again = false
): Promise<ResidentRequest> {
	const { user, held } = again
		? { user: await sessionOf(backend, request), held: false }
		: await residentSessionOf(backend, request);
	const residentId = residentOfUser(user, backend.commune);
	if (!residentId) {
		const withdrawn = await hasWithdrawnCode(backend, request);
		return {
			ok: false,
			response: withdrawn
				? codeWithdrawn({ forgetSession: user.name === null })
				: jsonError(401, 'not_resident', options.notResident)
		};
	}
	if (!again && options.limit && !options.limit.limiter.hit(residentId).allowed) {
		return {
			ok: false,
			response: jsonError(429, 'too_many_requests', options.limit.tooMany)
		};
	}
	if (!(await isCurrentResidentSession(backend, residentId, user))) {
		// Answered as CouchDB sees the session now (a dead cookie is dropped).
		if (held) return requireResident(backend, request, options, true);
		return { ok: false, response: codeWithdrawn({ forgetSession: false }) };
	}
	return { ok: true, backend, residentId };
}

/**
 * The mairie revoked or replaced the code this device entered: a refusal that
 * says so (typing the old code again cannot help), and the dead session
 * cookie dropped. A live session of someone else (staff testing on their
 * laptop) is left alone.
 */
export function codeWithdrawn(options: { forgetSession: boolean }): Response {
	const response = jsonError(403, 'code_revoked', m.ballot_refused_code_revoked());
	if (options.forgetSession) response.headers.append('set-cookie', clearSessionCookie());
	return response;
}

/** A JSON body checked against its schema; a 400 with the route's French reason otherwise. */
export async function readJsonBody<T extends v.GenericSchema>(
	request: Request,
	schema: T,
	invalid: string
): Promise<{ ok: true; value: v.InferOutput<T> } | { ok: false; response: Response }> {
	const parsed = v.safeParse(schema, await request.json().catch(() => null));
	return parsed.success
		? { ok: true, value: parsed.output }
		: { ok: false, response: jsonError(400, 'invalid_request', invalid) };
}
