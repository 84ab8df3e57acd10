import * as v from 'valibot';
import { m } from '#lib/i18n/index.ts';
import { ballotResponse } from '#lib/server/ballot-response.ts';
import { BallotRequestSchema, castBallot } from '#lib/server/ballots.ts';
import { jsonError } from '#lib/server/http.ts';
import {
	kioskCodeQueue,
	kioskOfRequest,
	kioskThrottled,
	kioskWrongCodes,
	wrongKioskCode
} from '#lib/server/kiosks.ts';
import { residentByCode, ResidentError } from '#lib/server/residents.ts';
import type { RequestHandler } from './$types';

const KioskBallotSchema = v.object({
	...BallotRequestSchema.entries,
	code: v.pipe(v.string(), v.maxLength(64))
});

/**
 * A ballot typed at a kiosk: the resident's code travels with it, so that the
 * tablet never holds a resident session. The kiosk's own session authenticates
 * the tablet; the code identifies the resident, as on their phone.
 */
export const POST: RequestHandler = async ({ request, locals }) => {
	const backend = locals.backend;
	const kiosk = await kioskOfRequest(backend, request);
	if (!kiosk) return jsonError(401, 'not_kiosk', m.residents_kiosk_only());
	const parsed = v.safeParse(KioskBallotSchema, await request.json().catch(() => null));
	// Shares the early code check's limit and queue (see kiosks.ts).
	return kioskCodeQueue.run(kiosk, async () => {
		const limit = kioskWrongCodes.check(kiosk);
		if (!limit.allowed) return kioskThrottled(limit.retryAfterSeconds);
		if (!parsed.success) {
			return jsonError(400, 'invalid_request', m.ballot_refused_invalid_request());
		}
		let residentId: string;
		try {
			residentId = (await residentByCode(backend, parsed.output.code))._id;
		} catch (error) {
			if (!(error instanceof ResidentError)) throw error;
			return wrongKioskCode(
				kiosk,
				error.code === 'invalid_format' ? 'invalid_format' : 'unknown_code'
			);
		}
		const { code: _code, ...ballot } = parsed.output;
		void _code;
		const outcome = await castBallot(backend, residentId, ballot);
		return ballotResponse(backend.commune, outcome);
	});
};
