import * as v from 'valibot';
import { m } from '#lib/i18n/index.ts';
import { clientAddress } from '#lib/server/auth.ts';
import { jsonError } from '#lib/server/http.ts';
import { RateLimiter } from '#lib/server/rate-limit.ts';
import { ReadsRequestSchema, recordReads } from '#lib/server/reads.ts';
import type { RequestHandler } from './$types';

// A household behind one address opens tens of notices a day, not thousands.
const perAddress = new RateLimiter(120, 60 * 60_000, 'reads');

/** Notices a device opened for the first time; counted per day, tied to nobody. */
export const POST: RequestHandler = async ({ request, getClientAddress, locals }) => {
	if (!perAddress.hit(clientAddress(getClientAddress)).allowed) {
		return jsonError(429, 'too_many_requests', m.reads_too_many());
	}
	const parsed = v.safeParse(ReadsRequestSchema, await request.json().catch(() => null));
	if (!parsed.success) return jsonError(400, 'invalid_request', m.reads_invalid());
	const counted = await recordReads(locals.backend, parsed.output.notices);
	return new Response(JSON.stringify({ counted }), {
		status: 200,
		headers: { 'content-type': 'application/json; charset=utf-8' }
	});
};
