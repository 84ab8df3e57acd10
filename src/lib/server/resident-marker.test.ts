import { describe, expect, it } from 'vitest';
import { isWithdrawn, markerCookie, markerKey, markerOf } from './resident-marker.ts';

const key = markerKey('ballot-secret', 'demo');
const marker = { residentId: 'resident:mx5-abc', codeVersion: 2 };
const header = (cookie: string) => `AuthSession=x; ${cookie.split(';')[0]}; theme=dark`;

describe('the note of which code a device entered (issue 13 §2)', () => {
	it('reads back what it wrote, beside other cookies', () => {
		expect(markerOf(key, header(markerCookie(key, marker, true)))).toEqual(marker);
		expect(markerCookie(key, marker, true)).toContain('Secure');
		expect(markerCookie(key, marker, false)).not.toContain('Secure');
	});

	it('ignores a note signed with another key or for another commune, or altered', () => {
		const cookie = markerCookie(key, marker, false).split(';')[0];
		expect(markerOf(markerKey('other', 'demo'), cookie)).toBeNull();
		expect(markerOf(markerKey('ballot-secret', 'voisine'), cookie)).toBeNull();
		expect(markerOf(key, cookie.replace('.2.', '.3.'))).toBeNull();
		expect(markerOf(key, cookie.replace('mx5-abc', 'mx5-abd'))).toBeNull();
		expect(markerOf(key, null)).toBeNull();
	});

	it('tells a revoked or replaced code from the working one', () => {
		expect(isWithdrawn(marker, { status: 'active', code_version: 2 })).toBe(false);
		expect(isWithdrawn(marker, { status: 'active', code_version: 3 })).toBe(true);
		expect(isWithdrawn(marker, { status: 'revoked', code_version: 2 })).toBe(true);
		expect(isWithdrawn(marker, null)).toBe(true);
	});
});
