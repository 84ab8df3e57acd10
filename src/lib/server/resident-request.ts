import * as v from 'valibot';
import { m } from '../i18n/index.ts';
import { getBackend, type Backend } from './backend.ts';
import { jsonError } from './http.ts';
import type { RateLimiter } from './rate-limit.ts';
import { isActiveResident, residentOfRequest } from './residents.ts';

export type ResidentRequest =
	{ ok: true; backend: Backend; residentId: string } | { ok: false; response: Response };

/**
 * The preamble of every resident action (ballots, supports, submissions): a
 * resident session, then the per-resident rate limit when the action counts
 * before reading its body, then a code that is still active. Per resident,
 * not per address: a whole village can sit behind one carrier's address.
 */
export async function requireResident(
	request: Request,
	options: { notResident: string; limit?: { limiter: RateLimiter; tooMany: string } }
): Promise<ResidentRequest> {
	const backend = await getBackend();
	const residentId = await residentOfRequest(backend, request);
	if (!residentId) {
		return { ok: false, response: jsonError(401, 'not_resident', options.notResident) };
	}
	if (options.limit && !options.limit.limiter.hit(residentId).allowed) {
		return {
			ok: false,
			response: jsonError(429, 'too_many_requests', options.limit.tooMany)
		};
	}
	if (!(await isActiveResident(backend, residentId))) {
		return {
			ok: false,
			response: jsonError(403, 'code_revoked', m.ballot_refused_code_revoked())
		};
	}
	return { ok: true, backend, residentId };
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
