import { json } from '@sveltejs/kit';
import { EmailSubscribeSchema } from '#lib/domain/email.ts';
import { m } from '#lib/i18n/index.ts';
import { clientAddress } from '#lib/server/auth.ts';
import { jsonError } from '#lib/server/http.ts';
import { RateLimiter } from '#lib/server/rate-limit.ts';
import { mailContext, refusedEmailRequest } from '#lib/server/reach/requests.ts';
import { requestSubscription } from '#lib/server/reach/email-subscriptions.ts';
import { confirmationMail, mailEnabled, sendMail } from '#lib/server/reach/mail.ts';
import { readJsonBody } from '#lib/server/resident-request.ts';
import type { RequestHandler } from './$types';

// Anyone may ask (a villager without a smartphone, a visitor); one address is
// sent few confirmations a day, and one connection does not fill the list.
const perAddress = new RateLimiter(20, 60 * 60_000, 'email-address');

/** Whether e-mail is offered here: the page says so instead of a form that cannot work. */
export const GET: RequestHandler = async ({ locals }) =>
	json({ enabled: mailEnabled(locals.backend) }, { headers: { 'cache-control': 'no-cache' } });

/** Asks for alerts by e-mail; nothing is sent but the confirmation link until it is followed. */
export const POST: RequestHandler = async ({ request, locals, url, getClientAddress }) => {
	const limited = perAddress.hit(clientAddress(getClientAddress));
	if (!limited.allowed) {
		const response = jsonError(429, 'too_many', m.email_too_many());
		response.headers.set('retry-after', String(limited.retryAfterSeconds));
		return response;
	}
	const body = await readJsonBody(request, EmailSubscribeSchema, m.email_invalid());
	if (!body.ok) return body.response;
	const refused = await refusedEmailRequest(locals.backend, body.value.zones ?? []);
	if (refused) return refused;
	const context = mailContext(locals.backend, url);
	const outcome = await requestSubscription(locals.backend, body.value, context);
	// Known or not, confirmed or not: the same answer, so nobody learns who subscribed.
	if (outcome.kind === 'send-confirmation') {
		const sent = await sendMail(
			locals.backend,
			confirmationMail({
				to: body.value.address,
				communeName: await context.communeName,
				origin: context.origin,
				lang: context.lang,
				confirm: outcome.links.confirm!,
				unsubscribe: outcome.links.unsubscribe
			})
		);
		if (sent !== 'sent') return jsonError(502, 'mail_failed', m.email_send_failed());
	}
	return json({ status: 'confirmation_sent' }, { status: 202 });
};
