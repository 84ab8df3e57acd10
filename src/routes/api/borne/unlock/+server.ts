import { json } from '@sveltejs/kit';
import { roles } from '#lib/domain/commune.ts';
import { m } from '#lib/i18n/index.ts';
import { clientAddress } from '#lib/server/auth.ts';
import { jsonError } from '#lib/server/http.ts';
import { passwordGuesses } from '#lib/server/login-limit.ts';
import { loginAttemptOf, trustDevice } from '#lib/server/trusted-device.ts';
import type { RequestHandler } from './$types';

/** Longer than any account the mairie creates: not worth a request to CouchDB. */
const NAME_MAX = 128;
const PASSWORD_MAX = 256;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * Checks staff credentials typed at a kiosk without opening a staff session on
 * the tablet (the kiosk keeps its own): the answer only says yes or no. Wrong
 * ones count with wrong staff logins (same address, same name, or this tablet
 * once staff unlocked it), so that the kiosk is no way around that limit.
 */
export const POST: RequestHandler = async ({ request, getClientAddress, locals }) => {
	const address = clientAddress(getClientAddress);
	// The body itself is capped by the hook (apiBodyLimit); each field here.
	const body = (await request.json().catch(() => null)) as {
		name?: unknown;
		password?: unknown;
	} | null;
	const name = text(body?.name);
	const password = text(body?.password);
	if (name.length > NAME_MAX || password.length > PASSWORD_MAX) {
		return jsonError(400, 'too_long', m.kiosk_unlockTooLong());
	}
	const backend = locals.backend;
	const attempt = loginAttemptOf(backend.secrets, request, address, name);
	const outcome = await passwordGuesses.attempt(
		attempt,
		async () => {
			const response = await fetch(`${backend.url}/_session`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', accept: 'application/json' },
				body: JSON.stringify({ name, password })
			});
			const session = (await response.json().catch(() => ({}))) as { roles?: string[] };
			const staff =
				response.ok &&
				(session.roles ?? []).some(
					(role) => role === roles.staff(backend.commune) || role === '_admin'
				);
			if (!staff) return jsonError(401, 'bad_login', m.kiosk_unlockFailed());
			return json({ ok: true }, { headers: { 'cache-control': 'no-store' } });
		},
		(response) => Promise.resolve(response.status === 401)
	);
	if (!outcome.blocked) {
		trustDevice(backend.secrets, request, attempt, outcome.response, backend.config.origin);
		return outcome.response;
	}
	const response = jsonError(
		429,
		'too_many_attempts',
		m.kiosk_unlockTooMany({ minutes: Math.ceil(outcome.retryAfterSeconds / 60) })
	);
	response.headers.set('retry-after', String(outcome.retryAfterSeconds));
	return response;
};
