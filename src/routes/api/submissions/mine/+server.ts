import { m } from '#lib/i18n/index.ts';
import { jsonError } from '#lib/server/http.ts';
import { codeWithdrawn } from '#lib/server/resident-request.ts';
import { hasWithdrawnCode, residentOfRequest } from '#lib/server/residents.ts';
import { submissionsOf } from '#lib/server/submissions.ts';
import type { RequestHandler } from './$types';

/** The resident's own suggestions and reports: status and public answer, nobody else's. */
export const GET: RequestHandler = async ({ request, locals }) => {
	const backend = locals.backend;
	const residentId = await residentOfRequest(backend, request);
	if (!residentId) {
		if (await hasWithdrawnCode(backend, request)) return codeWithdrawn({ forgetSession: false });
		return jsonError(401, 'not_resident', m.submission_not_resident());
	}
	return new Response(JSON.stringify({ submissions: await submissionsOf(backend, residentId) }), {
		headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }
	});
};
