import { json } from '@sveltejs/kit';
import { EmailTokenSchema } from '#lib/domain/email.ts';
import { m } from '#lib/i18n/index.ts';
import { jsonError } from '#lib/server/http.ts';
import { confirmSubscription } from '#lib/server/reach/email-subscriptions.ts';
import { readJsonBody } from '#lib/server/resident-request.ts';
import type { RequestHandler } from './$types';

/** Follows a confirmation link (a POST from its page: mail scanners open links, they do not press buttons). */
export const POST: RequestHandler = async ({ request, locals }) => {
	const body = await readJsonBody(request, EmailTokenSchema, m.email_link_unknown());
	if (!body.ok) return body.response;
	const outcome = await confirmSubscription(locals.backend, body.value.token);
	if (outcome === 'unknown') return jsonError(404, 'unknown_link', m.email_link_unknown());
	return json({ status: 'confirmed' });
};
