import { ballotRefusalMessage } from '../i18n/error-labels.ts';
import type { BallotOutcome } from './ballots.ts';
import { jsonError } from './http.ts';
import { tallies } from './jobs/registry.ts';

const STATUS_OF_REFUSAL: Record<string, number> = {
	poll_not_open: 409,
	poll_closed: 409,
	already_voted: 409,
	outbox_id_reused: 409,
	unknown_poll: 404
};

/**
 * The answer to a ballot, from a phone or a kiosk: 201 when counted, 200 for a
 * retry already counted, a French refusal otherwise. A new ballot wakes the tally.
 */
export function ballotResponse(commune: string, outcome: BallotOutcome): Response {
	if (outcome.status === 'refused') {
		return jsonError(
			STATUS_OF_REFUSAL[outcome.reason] ?? 422,
			outcome.reason,
			ballotRefusalMessage(outcome.reason)
		);
	}
	if (!outcome.duplicate) tallies.get(commune)?.poke();
	return new Response(
		JSON.stringify({
			status: 'accepted',
			duplicate: outcome.duplicate,
			replaced: outcome.replaced
		}),
		{
			status: outcome.duplicate ? 200 : 201,
			headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }
		}
	);
}
