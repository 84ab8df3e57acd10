import { describe, expect, it } from 'vitest';
import { persistentCookie, RESIDENT_SESSION_SECONDS } from './residents.ts';

describe('resident session cookie', () => {
	it('outlives the browser session, so a phone that closes the app stays recognised', () => {
		expect(persistentCookie('AuthSession=abc; Version=1; Path=/; HttpOnly')).toBe(
			`AuthSession=abc; Version=1; Path=/; HttpOnly; Max-Age=${RESIDENT_SESSION_SECONDS}`
		);
	});

	it('keeps the lifetime CouchDB chose when it set one', () => {
		const couch = 'AuthSession=abc; Version=1; Expires=Wed, 02 Dec 2026 10:00:00 GMT; Max-Age=600';
		expect(persistentCookie(couch)).toBe(couch);
	});
});
