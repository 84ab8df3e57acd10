import { json } from '@sveltejs/kit';
import { roles } from '#lib/domain/commune.ts';
import { m } from '#lib/i18n/index.ts';
import { clientAddress } from '#lib/server/auth.ts';
import { getBackend } from '#lib/server/backend.ts';
import { jsonError } from '#lib/server/http.ts';
import { OneAtATime, RateLimiter } from '#lib/server/rate-limit.ts';
import type { RequestHandler } from './$types';

const attempts = new RateLimiter(10, 10 * 60_000);
const queue = new OneAtATime();

/** Longer than any account the mairie creates: not worth a request to CouchDB. */
const NAME_MAX = 128;
const PASSWORD_MAX = 256;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * Checks staff credentials typed at a kiosk without opening a staff session on
 * the tablet (the kiosk keeps its own): the answer only says yes or no.
 */
export const POST: RequestHandler = async ({ request, getClientAddress }) => {
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
	// One try at a time per address: parallel guesses would all pass the check before any failed.
	return queue.run(address, async () => {
		if (!attempts.check(address).allowed) {
			return jsonError(429, 'too_many_attempts', m.residents_too_many_attempts({ minutes: 10 }));
		}
		const backend = await getBackend();
		const response = await fetch(`${backend.url}/_session`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', accept: 'application/json' },
			body: JSON.stringify({ name, password })
		});
		const session = (await response.json().catch(() => ({}))) as { roles?: string[] };
		const staff =
			response.ok &&
			(session.roles ?? []).some(
				(role) => role === roles.staff(backend.config.commune) || role === '_admin'
			);
		if (!staff) {
			attempts.hit(address);
			return jsonError(401, 'bad_login', m.kiosk_unlockFailed());
		}
		return json({ ok: true }, { headers: { 'cache-control': 'no-store' } });
	});
};
