import { m } from '#lib/i18n/index.ts';
import { ballotResponse } from '#lib/server/ballot-response.ts';
import { BallotRequestSchema, castBallot } from '#lib/server/ballots.ts';
import { RateLimiter } from '#lib/server/rate-limit.ts';
import { readJsonBody, requireResident } from '#lib/server/resident-request.ts';
import type { RequestHandler } from './$types';

const perResident = new RateLimiter(30, 60_000, 'ballots');

/**
 * A resident's ballot, sent by the device's outbox. Idempotent on outbox_id:
 * a retry is answered 200 as already accepted.
 */
export const POST: RequestHandler = async ({ request, locals }) => {
	const resident = await requireResident(locals.backend, request, {
		notResident: m.ballot_refused_not_resident(),
		limit: { limiter: perResident, tooMany: m.ballot_refused_too_many_requests() }
	});
	if (!resident.ok) return resident.response;
	const body = await readJsonBody(request, BallotRequestSchema, m.ballot_refused_invalid_request());
	if (!body.ok) return body.response;
	return ballotResponse(
		resident.backend.commune,
		await castBallot(resident.backend, resident.residentId, body.value)
	);
};
