import { describe, expect, it } from 'vitest';
import { deviceCookieKey, trustedDeviceCookie, trustedDeviceOf } from './trusted-device.ts';

const key = deviceCookieKey('clé-des-bulletins');
const cookieOf = (setCookie: string) => setCookie.split(';')[0];

describe('trusted-device cookies', () => {
	it('recognise the device for the account it was issued to, and no other', () => {
		const cookie = cookieOf(trustedDeviceCookie(key, 'secretariat', false));
		expect(trustedDeviceOf(key, 'secretariat', `autre=1; ${cookie}`)).toMatch(/^[\w-]{16}$/);
		expect(trustedDeviceOf(key, 'maire', cookie)).toBeNull();
		expect(trustedDeviceOf(deviceCookieKey('autre clé'), 'secretariat', cookie)).toBeNull();
	});

	it('refuse a forged or altered value', () => {
		const cookie = cookieOf(trustedDeviceCookie(key, 'secretariat', false));
		const [name, value] = cookie.split('=');
		const [nonce, mac] = value.split('.');
		expect(trustedDeviceOf(key, 'secretariat', `${name}=x${nonce}.${mac}`)).toBeNull();
		expect(trustedDeviceOf(key, 'secretariat', `${name}=${nonce}.${mac.slice(1)}`)).toBeNull();
		expect(trustedDeviceOf(key, 'secretariat', `${name}=${nonce}`)).toBeNull();
		expect(trustedDeviceOf(key, 'secretariat', null)).toBeNull();
	});

	it('are HttpOnly, same-site and Secure over HTTPS', () => {
		expect(trustedDeviceCookie(key, 'secretariat', true)).toMatch(
			/; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict; Secure$/
		);
		expect(trustedDeviceCookie(key, 'secretariat', false)).not.toMatch(/Secure/);
	});
});
