import { json } from '@sveltejs/kit';
import { clientAddress, isResidentUser, sessionOf } from '#lib/server/auth.ts';
import { getBackend } from '#lib/server/backend.ts';
import { jsonError } from '#lib/server/http.ts';
import { OneAtATime, RateLimiter } from '#lib/server/rate-limit.ts';
import {
	clearMarkerCookie,
	clearSessionCookie,
	markerCookie,
	markerKey
} from '#lib/server/resident-marker.ts';
import { hasWithdrawnCode, openResidentSession, ResidentError } from '#lib/server/residents.ts';
import { codeFormatMessage } from '#lib/i18n/error-labels.ts';
import { m } from '#lib/i18n/index.ts';
import type { RequestHandler } from './$types';

// Codes carry 54 random bits (resident-code.ts): even 2,000 wrong codes every ten
// minutes for a century find one of 5,000 residents' codes with a chance of about
// one in 3,000. So the limits are there to make guessing slow, not to catch
// typing: an address — a household, or a mobile carrier's address shared by
// thousands of phones — gets 50 wrong codes per ten minutes, and the whole
// server 2,000, except for addresses where a right code was entered in the last
// day, so that strangers spending the server's allowance cannot shut residents
// out. Codes that work are not counted.
const WINDOW_MS = 10 * 60_000;
const perAddress = new RateLimiter(50, WINDOW_MS);
const overall = new RateLimiter(2000, WINDOW_MS);
const queue = new OneAtATime();
const TRUSTED_ADDRESS_MS = 24 * 3600_000;
const addressesWithARightCode = new Map<string, number>();

function hadARightCode(address: string, now = Date.now()): boolean {
	const until = addressesWithARightCode.get(address);
	if (until !== undefined && until <= now) addressesWithARightCode.delete(address);
	return until !== undefined && until > now;
}

function noteRightCode(address: string, now = Date.now()): void {
	addressesWithARightCode.delete(address);
	addressesWithARightCode.set(address, now + TRUSTED_ADDRESS_MS);
	// Oldest first (insertion order): forget the oldest beyond a bound.
	if (addressesWithARightCode.size > 50_000) {
		const oldest = addressesWithARightCode.keys().next().value;
		if (oldest !== undefined) addressesWithARightCode.delete(oldest);
	}
}

function tooMany(limit: { retryAfterSeconds: number }, whose: 'address' | 'server'): Response {
	const minutes = Math.ceil(limit.retryAfterSeconds / 60);
	const response = jsonError(
		429,
		'too_many_attempts',
		whose === 'address'
			? m.residents_too_many_attempts({ minutes })
			: m.residents_too_many_overall({ minutes })
	);
	response.headers.set('retry-after', String(limit.retryAfterSeconds));
	return response;
}

/** Enter a resident code: opens a CouchDB session as that resident on this device. */
export const POST: RequestHandler = async ({ request, getClientAddress }) => {
	const address = clientAddress(getClientAddress);
	const known = hadARightCode(address);
	const mineFirst = perAddress.check(address);
	if (!mineFirst.allowed) return tooMany(mineFirst, 'address');
	const allFirst = overall.check('all');
	if (!known && !allFirst.allowed) return tooMany(allFirst, 'server');
	const body = (await request.json().catch(() => null)) as { code?: unknown } | null;
	if (!body || typeof body.code !== 'string' || body.code.length > 64) {
		perAddress.hit(address);
		return jsonError(400, 'invalid_format', codeFormatMessage());
	}
	const code = body.code;
	// Checked and counted with no other attempt from this address in between, and the
	// overall count reserved up front (given back unless the code is wrong): parallel
	// guesses cannot all pass a check made before any of them failed.
	return queue.run(address, async () => {
		const mine = perAddress.check(address);
		if (!mine.allowed) return tooMany(mine, 'address');
		const all = overall.hit('all');
		let wrong = false;
		try {
			if (!all.allowed && !known) return tooMany(all, 'server');
			const backend = await getBackend();
			const session = await openResidentSession(backend, code);
			noteRightCode(address);
			const response = json({ ok: true }, { headers: { 'cache-control': 'no-store' } });
			for (const cookie of session.setCookie) response.headers.append('set-cookie', cookie);
			const secure =
				new URL(request.url).protocol === 'https:' || !!backend.config.origin?.startsWith('https:');
			response.headers.append(
				'set-cookie',
				markerCookie(
					markerKey(backend.secrets.ballotSecret),
					{ residentId: session.residentId, codeVersion: session.codeVersion },
					secure
				)
			);
			return response;
		} catch (error) {
			if (!(error instanceof ResidentError)) throw error;
			if (error.code === 'session_unavailable') {
				return jsonError(503, error.code, m.residents_session_unavailable());
			}
			wrong = true;
			perAddress.hit(address);
			return error.code === 'invalid_format'
				? jsonError(400, 'invalid_format', codeFormatMessage(code))
				: jsonError(401, 'unknown_code', m.residents_unknown_code());
		} finally {
			if (!wrong) overall.release('all');
		}
	});
};

/**
 * Whether this device has a resident session; `revoked` when it had one for a
 * code the mairie has since revoked or replaced (the device then forgets it).
 */
export const GET: RequestHandler = async ({ request }) => {
	const backend = await getBackend();
	const user = await sessionOf(backend, request);
	const resident = isResidentUser(user, backend.config.commune);
	const revoked = !resident && (await hasWithdrawnCode(backend, request));
	const response = json({ resident, revoked }, { headers: { 'cache-control': 'no-store' } });
	if (revoked && user.name === null) response.headers.append('set-cookie', clearSessionCookie());
	return response;
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
	response.headers.append('set-cookie', clearMarkerCookie());
	return response;
};
