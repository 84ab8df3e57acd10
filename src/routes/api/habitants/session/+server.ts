import { json } from '@sveltejs/kit';
import { clientAddress, isResidentUser, sessionOf } from '#lib/server/auth.ts';
import { isSecureRequest, jsonError } from '#lib/server/http.ts';
import { OneAtATime, RateLimiter } from '#lib/server/rate-limit.ts';
import {
	clearMarkerCookie,
	clearSessionCookie,
	markerCookie,
	markerKey
} from '#lib/server/resident-marker.ts';
import { hasWithdrawnCode, openResidentSession, ResidentError } from '#lib/server/residents.ts';
import {
	deviceCookieKey,
	trustedDeviceCookie,
	trustedDeviceOf
} from '#lib/server/trusted-device.ts';
import { codeFormatMessage } from '#lib/i18n/error-labels.ts';
import { m } from '#lib/i18n/index.ts';
import type { RequestHandler } from './$types';

// Codes carry 54 random bits (resident-code.ts): even 2,000 wrong codes every ten
// minutes for a century find one of 5,000 residents' codes with a chance of about
// one in 3,000. So the limits are there to make guessing slow, not to catch
// typing, and the server's 2,000 is the one that keeps guessing hopeless. A
// device that tried a code before carries a signed cookie and counts its own
// slips (20 per ten minutes), so that the thousands of phones behind a mobile
// carrier's one address never stop each other; their address has 1,000, for
// devices that shed their cookie. A device without one — or a script — gets 50
// per address. Addresses and devices where a right code was entered in the
// last day are not shut out when strangers spend the server's allowance.
// Codes that work are not counted.
const WINDOW_MS = 10 * 60_000;
const perAddress = new RateLimiter(50, WINDOW_MS, 'codes-address');
const perDevice = new RateLimiter(20, WINDOW_MS, 'codes-device');
const perCarrierAddress = new RateLimiter(1000, WINDOW_MS, 'codes-carrier');
const overall = new RateLimiter(2000, WINDOW_MS, 'codes-overall');
const queue = new OneAtATime();
const TRUSTED_MS = 24 * 3600_000;
/** `address:…` and `device:…` keys where a right code was entered, until when. */
const withARightCode = new Map<string, number>();
/** The pseudo-account of the device cookie a resident's phone or kiosk gets (trusted-device.ts). */
const CODE_DEVICE = 'code-habitant';

function hadARightCode(key: string, now = Date.now()): boolean {
	const until = withARightCode.get(key);
	if (until !== undefined && until <= now) withARightCode.delete(key);
	return until !== undefined && until > now;
}

function noteRightCode(key: string, now = Date.now()): void {
	withARightCode.delete(key);
	withARightCode.set(key, now + TRUSTED_MS);
	// Oldest first (insertion order): forget the oldest beyond a bound.
	if (withARightCode.size > 100_000) {
		const oldest = withARightCode.keys().next().value;
		if (oldest !== undefined) withARightCode.delete(oldest);
	}
}

/** The limits an attempt counts against, the first one also its queue. */
function limitsOf(address: string, device: string | null): [RateLimiter, string][] {
	return device === null
		? [[perAddress, address]]
		: [
				[perDevice, device],
				[perCarrierAddress, address]
			];
}

function tooMany(
	limit: { retryAfterSeconds: number },
	whose: 'address' | 'device' | 'server'
): Response {
	const minutes = Math.ceil(limit.retryAfterSeconds / 60);
	const response = jsonError(
		429,
		'too_many_attempts',
		whose === 'address'
			? m.residents_too_many_attempts({ minutes })
			: whose === 'device'
				? m.residents_too_many_from_device({ minutes })
				: m.residents_too_many_overall({ minutes })
	);
	response.headers.set('retry-after', String(limit.retryAfterSeconds));
	return response;
}

/** Enter a resident code: opens a CouchDB session as that resident on this device. */
export const POST: RequestHandler = async ({ request, getClientAddress, locals }) => {
	const address = clientAddress(getClientAddress);
	const backend = locals.backend;
	const deviceKey = deviceCookieKey(backend.secrets.ballotSecret);
	const device = trustedDeviceOf(deviceKey, CODE_DEVICE, request.headers.get('cookie'));
	const limits = limitsOf(address, device);
	const known =
		hadARightCode(`address:${address}`) || (device !== null && hadARightCode(`device:${device}`));
	const secure = isSecureRequest(request, backend.config.origin);
	// From its first attempt on, the device counts its own slips.
	const answer = (response: Response) => {
		if (device === null) {
			response.headers.append('set-cookie', trustedDeviceCookie(deviceKey, CODE_DEVICE, secure));
		}
		return response;
	};
	const pausedBy = () => {
		for (const [limiter, key] of limits) {
			const limit = limiter.check(key);
			if (!limit.allowed) return limit;
		}
		return null;
	};
	const hitAll = () => {
		for (const [limiter, key] of limits) limiter.hit(key);
	};
	const first = pausedBy();
	if (first) return answer(tooMany(first, device === null ? 'address' : 'device'));
	const allFirst = overall.check('all');
	if (!known && !allFirst.allowed) return answer(tooMany(allFirst, 'server'));
	const body = (await request.json().catch(() => null)) as { code?: unknown } | null;
	if (!body || typeof body.code !== 'string' || body.code.length > 64) {
		hitAll();
		return answer(jsonError(400, 'invalid_format', codeFormatMessage()));
	}
	const code = body.code;
	// Checked and counted with no other attempt from this device (or cookie-less
	// address) in between, and the overall count reserved up front (given back
	// unless the code is wrong): parallel guesses cannot all pass a check made
	// before any of them failed.
	const [, queueKey] = limits[0];
	return queue.run(`${device === null ? 'address' : 'device'}:${queueKey}`, async () => {
		const mine = pausedBy();
		if (mine) return answer(tooMany(mine, device === null ? 'address' : 'device'));
		const all = overall.hit('all');
		let wrong = false;
		try {
			if (!all.allowed && !known) return answer(tooMany(all, 'server'));
			const session = await openResidentSession(backend, code);
			noteRightCode(`address:${address}`);
			if (device !== null) noteRightCode(`device:${device}`);
			const response = json({ ok: true }, { headers: { 'cache-control': 'no-store' } });
			for (const cookie of session.setCookie) response.headers.append('set-cookie', cookie);
			response.headers.append(
				'set-cookie',
				markerCookie(
					markerKey(backend.secrets.ballotSecret, backend.commune),
					{ residentId: session.residentId, codeVersion: session.codeVersion },
					secure
				)
			);
			return answer(response);
		} catch (error) {
			if (!(error instanceof ResidentError)) throw error;
			if (error.code === 'session_unavailable') {
				return answer(jsonError(503, error.code, m.residents_session_unavailable()));
			}
			wrong = true;
			hitAll();
			return answer(
				error.code === 'invalid_format'
					? jsonError(400, 'invalid_format', codeFormatMessage(code))
					: jsonError(401, 'unknown_code', m.residents_unknown_code())
			);
		} finally {
			if (!wrong) overall.release('all');
		}
	});
};

/**
 * Whether this device has a resident session; `revoked` when it had one for a
 * code the mairie has since revoked or replaced (the device then forgets it).
 */
export const GET: RequestHandler = async ({ request, locals }) => {
	const backend = locals.backend;
	const user = await sessionOf(backend, request);
	const resident = isResidentUser(user, backend.commune);
	const revoked = !resident && (await hasWithdrawnCode(backend, request));
	const response = json({ resident, revoked }, { headers: { 'cache-control': 'no-store' } });
	if (revoked && user.name === null) response.headers.append('set-cookie', clearSessionCookie());
	// A phone asks this before its resident types a code: that first code counts for the device.
	const deviceKey = deviceCookieKey(backend.secrets.ballotSecret);
	if (!resident && !trustedDeviceOf(deviceKey, CODE_DEVICE, request.headers.get('cookie'))) {
		const secure = isSecureRequest(request, backend.config.origin);
		response.headers.append('set-cookie', trustedDeviceCookie(deviceKey, CODE_DEVICE, secure));
	}
	return response;
};

/** Sign out: this device forgets the session; the code keeps working elsewhere. */
export const DELETE: RequestHandler = async ({ request, locals }) => {
	const backend = locals.backend;
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
