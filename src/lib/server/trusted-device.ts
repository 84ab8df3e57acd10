import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { LoginAttempt } from './login-limit.ts';
import { isSecureRequest } from './http.ts';

/**
 * A device where an account signed in before carries a signed cookie naming
 * that account (OWASP's "device cookies"). Wrong passwords from such a device
 * count against that device alone, so that strangers who spend an account's
 * allowance of wrong passwords cannot lock the mairie's own laptops out.
 */
const COOKIE_PREFIX = 'crieur-poste-';
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/** Cookie names are tokens: the account name travels base64url-encoded. */
function cookieName(account: string): string {
	return COOKIE_PREFIX + Buffer.from(account, 'utf8').toString('base64url');
}

function signature(key: string, account: string, nonce: string): string {
	return createHmac('sha256', key).update(`${account}\n${nonce}`).digest('base64url');
}

/** The device's id if the request carries a valid cookie for this account, else null. */
export function trustedDeviceOf(
	key: string,
	account: string,
	cookieHeader: string | null
): string | null {
	if (!cookieHeader || account === '') return null;
	const wanted = cookieName(account);
	for (const part of cookieHeader.split(';')) {
		const [name, value] = part.trim().split('=', 2);
		if (name !== wanted || !value) continue;
		const [nonce, mac] = value.split('.', 2);
		if (!nonce || !mac) continue;
		const expected = new TextEncoder().encode(signature(key, account, nonce));
		const given = new TextEncoder().encode(mac);
		if (expected.length === given.length && timingSafeEqual(expected, given)) return nonce;
	}
	return null;
}

/** A Set-Cookie header that makes this device trusted for the account. */
export function trustedDeviceCookie(key: string, account: string, secure: boolean): string {
	const nonce = randomBytes(12).toString('base64url');
	const value = `${nonce}.${signature(key, account, nonce)}`;
	return [
		`${cookieName(account)}=${value}`,
		'Path=/',
		`Max-Age=${ONE_YEAR_SECONDS}`,
		'HttpOnly',
		'SameSite=Strict',
		...(secure ? ['Secure'] : [])
	].join('; ');
}

/** The key of device cookies, derived from the ballot key so no new secret needs sharing. */
export function deviceCookieKey(ballotSecret: string): string {
	return createHmac('sha256', ballotSecret).update('crieur trusted-device cookie').digest('hex');
}

/** The attempt as the login limit sees it: trusted when the request carries this name's cookie. */
export function loginAttemptOf(
	secrets: { ballotSecret: string },
	request: Request,
	address: string,
	name: string
): LoginAttempt {
	return {
		address,
		name,
		trustedDevice: trustedDeviceOf(
			deviceCookieKey(secrets.ballotSecret),
			name,
			request.headers.get('cookie')
		)
	};
}

/** After a login that worked, lets the device keep its own allowance from now on. */
export function trustDevice(
	secrets: { ballotSecret: string },
	request: Request,
	attempt: LoginAttempt,
	response: Response,
	origin: string | null
): void {
	if (!response.ok || attempt.trustedDevice !== null || attempt.name === '') return;
	response.headers.append(
		'set-cookie',
		trustedDeviceCookie(
			deviceCookieKey(secrets.ballotSecret),
			attempt.name,
			isSecureRequest(request, origin)
		)
	);
}
