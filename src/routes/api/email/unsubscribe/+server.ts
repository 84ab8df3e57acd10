import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { EMAIL_TOKEN_PATTERN } from '#lib/domain/email.ts';
import { m } from '#lib/i18n/index.ts';
import { jsonError } from '#lib/server/http.ts';
import { unsubscribeEmail } from '#lib/server/reach/email-subscriptions.ts';
import type { RequestHandler } from './$types';

const Token = v.pipe(v.string(), v.regex(EMAIL_TOKEN_PATTERN));

/**
 * Stops an address's e-mails and deletes it: from the page of a message's
 * link (JSON `{token}`), or a mail client's one-click unsubscribe (RFC 8058:
 * a form post of `List-Unsubscribe=One-Click` to the address in the header,
 * whose query carries the token).
 */
export const POST: RequestHandler = async ({ request, locals, url }) => {
	const type = request.headers.get('content-type') ?? '';
	let token: unknown = url.searchParams.get('t');
	if (type.startsWith('application/json')) {
		token = ((await request.json().catch(() => null)) as { token?: unknown } | null)?.token;
	}
	const parsed = v.safeParse(Token, token);
	if (!parsed.success) return jsonError(400, 'invalid_request', m.email_link_unknown());
	const outcome = await unsubscribeEmail(locals.backend, parsed.output);
	if (outcome === 'unknown') return jsonError(404, 'unknown_link', m.email_link_unknown());
	return json({ status: 'unsubscribed' });
};
