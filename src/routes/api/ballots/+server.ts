import * as v from 'valibot';
import { m } from '#lib/i18n/index.ts';
import { getBackend } from '#lib/server/backend.ts';
import { ballotResponse } from '#lib/server/ballot-response.ts';
import { BallotRequestSchema, castBallot } from '#lib/server/ballots.ts';
import { jsonError } from '#lib/server/http.ts';
import { RateLimiter } from '#lib/server/rate-limit.ts';
import { isActiveResident, residentOfRequest } from '#lib/server/residents.ts';
import type { RequestHandler } from './$types';

// Per resident, not per address: a whole village can sit behind one mobile carrier's address.
const perResident = new RateLimiter(30, 60_000);

/**
 * A resident's ballot, sent by the device's outbox. Idempotent on outbox_id:
 * a retry is answered 200 as already accepted.
 */
export const POST: RequestHandler = async ({ request }) => {
	const backend = await getBackend();
	const residentId = await residentOfRequest(backend, request);
	if (!residentId) {
		return jsonError(401, 'not_resident', m.ballot_refused_not_resident());
	}
	if (!perResident.hit(residentId).allowed) {
		return jsonError(429, 'too_many_requests', m.ballot_refused_too_many_requests());
	}
	if (!(await isActiveResident(backend, residentId))) {
		return jsonError(403, 'code_revoked', m.ballot_refused_code_revoked());
	}
	const parsed = v.safeParse(BallotRequestSchema, await request.json().catch(() => null));
	if (!parsed.success) return jsonError(400, 'invalid_request', m.ballot_refused_invalid_request());

	const outcome = await castBallot(backend, residentId, parsed.output);
	return ballotResponse(outcome);
};
