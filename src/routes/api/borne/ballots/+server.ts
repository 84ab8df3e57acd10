import * as v from 'valibot';
import { roles } from '#lib/domain/commune.ts';
import { m } from '#lib/i18n/index.ts';
import { residentErrorMessage } from '#lib/i18n/error-labels.ts';
import { sessionOf } from '#lib/server/auth.ts';
import { getBackend } from '#lib/server/backend.ts';
import { ballotResponse } from '#lib/server/ballot-response.ts';
import { BallotRequestSchema, castBallot } from '#lib/server/ballots.ts';
import { jsonError } from '#lib/server/http.ts';
import { OneAtATime, RateLimiter } from '#lib/server/rate-limit.ts';
import { residentByCode, ResidentError } from '#lib/server/residents.ts';
import type { RequestHandler } from './$types';

// Wrong codes per kiosk: a tablet in a public hall must not become a guessing machine.
const wrongCodes = new RateLimiter(20, 10 * 60_000);
const queue = new OneAtATime();

const KioskBallotSchema = v.object({
	...BallotRequestSchema.entries,
	code: v.pipe(v.string(), v.maxLength(64))
});

/**
 * A ballot typed at a kiosk: the resident's code travels with it, so that the
 * tablet never holds a resident session. The kiosk's own session authenticates
 * the tablet; the code identifies the resident, as on their phone.
 */
export const POST: RequestHandler = async ({ request }) => {
	const backend = await getBackend();
	const user = await sessionOf(backend, request);
	if (!user.name || !user.roles.includes(roles.kiosk(backend.config.commune))) {
		return jsonError(401, 'not_kiosk', m.residents_kiosk_only());
	}
	const kiosk = user.name;
	const parsed = v.safeParse(KioskBallotSchema, await request.json().catch(() => null));
	// One code at a time per kiosk, so that parallel guesses cannot all pass the check
	// before any of them is counted.
	return queue.run(kiosk, async () => {
		const limit = wrongCodes.check(kiosk);
		if (!limit.allowed) {
			return jsonError(
				429,
				'too_many_attempts',
				m.residents_too_many_attempts({ minutes: Math.ceil(limit.retryAfterSeconds / 60) })
			);
		}
		if (!parsed.success) {
			return jsonError(400, 'invalid_request', m.ballot_refused_invalid_request());
		}
		let residentId: string;
		try {
			residentId = (await residentByCode(backend, parsed.output.code))._id;
		} catch (error) {
			if (!(error instanceof ResidentError)) throw error;
			wrongCodes.hit(kiosk);
			const code = error.code === 'invalid_format' ? 'invalid_format' : 'unknown_code';
			return jsonError(code === 'invalid_format' ? 400 : 403, code, residentErrorMessage(code));
		}
		const { code: _code, ...ballot } = parsed.output;
		void _code;
		const outcome = await castBallot(backend, residentId, ballot);
		return ballotResponse(outcome);
	});
};
