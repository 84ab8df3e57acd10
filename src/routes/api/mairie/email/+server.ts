import { json } from '@sveltejs/kit';
import { CounterEmailSchema } from '#lib/domain/email.ts';
import { m } from '#lib/i18n/index.ts';
import { sessionOf } from '#lib/server/auth.ts';
import { mailContext, refusedEmailRequest } from '#lib/server/reach/requests.ts';
import { registerAtCounter } from '#lib/server/reach/email-subscriptions.ts';
import { sendMail, welcomeMail } from '#lib/server/reach/mail.ts';
import { readJsonBody } from '#lib/server/resident-request.ts';
import { requireStaffSession } from '#lib/server/staff-api.ts';
import type { RequestHandler } from './$types';

/**
 * At the counter, for a person who asks: staff register their address, and
 * the person's consent is recorded with the staff member's name and the day.
 * The address is never shown again, to anyone.
 */
export const POST: RequestHandler = async ({ request, locals, url }) => {
	const refusedStaff = await requireStaffSession(locals.backend, request);
	if (refusedStaff) return refusedStaff;
	const body = await readJsonBody(request, CounterEmailSchema, m.email_counter_invalid());
	if (!body.ok) return body.response;
	const refused = await refusedEmailRequest(locals.backend, body.value.zones ?? []);
	if (refused) return refused;
	const staff = (await sessionOf(locals.backend, request)).name ?? '';
	const context = mailContext(locals.backend, url);
	const { links } = await registerAtCounter(locals.backend, body.value, {
		origin: context.origin,
		lang: context.lang,
		staff
	});
	const sent = await sendMail(
		locals.backend,
		welcomeMail({
			to: body.value.address,
			communeName: await context.communeName,
			origin: context.origin,
			lang: context.lang,
			unsubscribe: links.unsubscribe
		})
	);
	return json(
		{ status: 'registered', welcome: sent === 'sent' },
		{ status: 201, headers: { 'cache-control': 'no-store' } }
	);
};
