import { m } from '#lib/i18n/index.ts';
import { jsonError } from '#lib/server/http.ts';
import { tallies } from '#lib/server/jobs/registry.ts';
import { RateLimiter } from '#lib/server/rate-limit.ts';
import { readJsonBody, requireResident } from '#lib/server/resident-request.ts';
import { castSupport, SupportRequestSchema } from '#lib/server/supports.ts';
import type { RequestHandler } from './$types';

const perResident = new RateLimiter(60, 60 * 60_000, 'supports');

/** A resident supports a published suggestion, once; sent by the device's outbox. */
export const POST: RequestHandler = async ({ request, locals }) => {
	const resident = await requireResident(locals.backend, request, {
		notResident: m.support_not_resident(),
		limit: { limiter: perResident, tooMany: m.submission_too_many() }
	});
	if (!resident.ok) return resident.response;
	const body = await readJsonBody(request, SupportRequestSchema, m.submission_invalid_request());
	if (!body.ok) return body.response;
	const outcome = await castSupport(resident.backend, resident.residentId, body.value);
	if (outcome.status === 'refused') {
		const [status, reason] = {
			unknown_answer: [404, m.support_unknown()],
			not_a_suggestion: [409, m.support_not_suggestion()],
			already_supported: [409, m.support_already()]
		}[outcome.reason] as [number, string];
		return jsonError(status, outcome.reason, reason);
	}
	if (!outcome.duplicate) tallies.get(resident.backend.commune)?.poke();
	return new Response(JSON.stringify({ status: 'accepted', duplicate: outcome.duplicate }), {
		status: outcome.duplicate ? 200 : 201,
		headers: { 'content-type': 'application/json; charset=utf-8' }
	});
};
