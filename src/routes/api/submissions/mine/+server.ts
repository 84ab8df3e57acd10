import { m } from '#lib/i18n/index.ts';
import { isResidentUser, sessionOf } from '#lib/server/auth.ts';
import { getBackend } from '#lib/server/backend.ts';
import { jsonError } from '#lib/server/http.ts';
import { residentIdOfUser } from '#lib/server/residents.ts';
import { submissionsOf } from '#lib/server/submissions.ts';
import type { RequestHandler } from './$types';

/** The resident's own suggestions and reports: status and public answer, nobody else's. */
export const GET: RequestHandler = async ({ request }) => {
	const backend = await getBackend();
	const user = await sessionOf(backend, request);
	const residentId = user.name ? residentIdOfUser(user.name) : null;
	if (!residentId || !isResidentUser(user, backend.config.commune)) {
		return jsonError(401, 'not_resident', m.submission_not_resident());
	}
	return new Response(JSON.stringify({ submissions: await submissionsOf(backend, residentId) }), {
		headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }
	});
};
