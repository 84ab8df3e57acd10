import { json } from '@sveltejs/kit';
import { clientAddress, isResidentUser, sessionOf } from '#lib/server/auth.ts';
import { getBackend } from '#lib/server/backend.ts';
import { jsonError } from '#lib/server/http.ts';
import { OneAtATime, RateLimiter } from '#lib/server/rate-limit.ts';
import { openResidentSession, ResidentError } from '#lib/server/residents.ts';
import { m } from '#lib/i18n/index.ts';
import type { RequestHandler } from './$types';

// Wrong codes per device address, and for the whole server, so that guessing stays
// hopeless even from many addresses. Codes that work are not counted.
const perAddress = new RateLimiter(10, 10 * 60_000);
const overall = new RateLimiter(600, 10 * 60_000);
const queue = new OneAtATime();

function tooMany(limit: { retryAfterSeconds: number }): Response {
	const response = jsonError(
		429,
		'too_many_attempts',
		m.residents_too_many_attempts({ minutes: Math.ceil(limit.retryAfterSeconds / 60) })
	);
	response.headers.set('retry-after', String(limit.retryAfterSeconds));
	return response;
}

/** Enter a resident code: opens a CouchDB session as that resident on this device. */
export const POST: RequestHandler = async ({ request, getClientAddress }) => {
	const address = clientAddress(getClientAddress);
	const early = [perAddress.check(address), overall.check('all')].find((limit) => !limit.allowed);
	if (early) return tooMany(early);
	const body = (await request.json().catch(() => null)) as { code?: unknown } | null;
	if (!body || typeof body.code !== 'string' || body.code.length > 64) {
		perAddress.hit(address);
		return jsonError(400, 'invalid_format', m.residents_invalid_format());
	}
	const code = body.code;
	// Checked and counted with no other attempt from this address in between, and the
	// overall count reserved up front (given back unless the code is wrong): parallel
	// guesses cannot all pass a check made before any of them failed.
	return queue.run(address, async () => {
		const mine = perAddress.check(address);
		if (!mine.allowed) return tooMany(mine);
		const all = overall.hit('all');
		let wrong = false;
		try {
			if (!all.allowed) return tooMany(all);
			const session = await openResidentSession(await getBackend(), code);
			const response = json({ ok: true }, { headers: { 'cache-control': 'no-store' } });
			for (const cookie of session.setCookie) response.headers.append('set-cookie', cookie);
			return response;
		} catch (error) {
			if (!(error instanceof ResidentError)) throw error;
			wrong = true;
			perAddress.hit(address);
			return error.code === 'invalid_format'
				? jsonError(400, 'invalid_format', m.residents_invalid_format())
				: jsonError(401, 'unknown_code', m.residents_unknown_code());
		} finally {
			if (!wrong) overall.release('all');
		}
	});
};

export const GET: RequestHandler = async ({ request }) => {
	const backend = await getBackend();
	const user = await sessionOf(backend, request);
	return json(
		{ resident: isResidentUser(user, backend.config.commune) },
		{ headers: { 'cache-control': 'no-store' } }
	);
};

/** Sign out: this device forgets the session; the code keeps working elsewhere. */
export const DELETE: RequestHandler = async ({ request }) => {
	const backend = await getBackend();
	const upstream = await fetch(`${backend.url}/_session`, {
		method: 'DELETE',
		headers: { cookie: request.headers.get('cookie') ?? '' }
	});
	const response = json({ ok: true });
	for (const cookie of upstream.headers.getSetCookie())
		response.headers.append('set-cookie', cookie);
	return response;
};
