import * as v from 'valibot';
import { m } from '#lib/i18n/index.ts';
import { getBackend } from '#lib/server/backend.ts';
import { jsonError } from '#lib/server/http.ts';
import { jobs } from '#lib/server/jobs/registry.ts';
import { RateLimiter } from '#lib/server/rate-limit.ts';
import { isActiveResident, residentOfRequest } from '#lib/server/residents.ts';
import { castSupport, SupportRequestSchema } from '#lib/server/supports.ts';
import type { RequestHandler } from './$types';

const perResident = new RateLimiter(60, 60 * 60_000);

/** A resident supports a published suggestion, once; sent by the device's outbox. */
export const POST: RequestHandler = async ({ request }) => {
	const backend = await getBackend();
	const residentId = await residentOfRequest(backend, request);
	if (!residentId) {
		return jsonError(401, 'not_resident', m.support_not_resident());
	}
	if (!perResident.hit(residentId).allowed) {
		return jsonError(429, 'too_many_requests', m.submission_too_many());
	}
	if (!(await isActiveResident(backend, residentId))) {
		return jsonError(403, 'code_revoked', m.ballot_refused_code_revoked());
	}
	const parsed = v.safeParse(SupportRequestSchema, await request.json().catch(() => null));
	if (!parsed.success) return jsonError(400, 'invalid_request', m.submission_invalid_request());
	const outcome = await castSupport(backend, residentId, parsed.output);
	if (outcome.status === 'refused') {
		const [status, reason] = {
			unknown_answer: [404, m.support_unknown()],
			not_a_suggestion: [409, m.support_not_suggestion()],
			already_supported: [409, m.support_already()]
		}[outcome.reason] as [number, string];
		return jsonError(status, outcome.reason, reason);
	}
	if (!outcome.duplicate) jobs.tally?.poke();
	return new Response(JSON.stringify({ status: 'accepted', duplicate: outcome.duplicate }), {
		status: outcome.duplicate ? 200 : 201,
		headers: { 'content-type': 'application/json; charset=utf-8' }
	});
};
