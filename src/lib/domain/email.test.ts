import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	addressKey,
	CounterEmailSchema,
	EMAIL_TOKEN_PATTERN,
	EmailSubscribeSchema
} from './email.ts';

describe('a request for alerts by e-mail', () => {
	it('takes an address, trimmed, and the alerts wanted', () => {
		const parsed = v.parse(EmailSubscribeSchema, {
			address: '  jeanne@example.fr ',
			categories: ['urgent', 'notices'],
			zones: ['bourg']
		});
		expect(parsed.address).toBe('jeanne@example.fr');
	});

	it.each([
		['no address', { address: '', categories: ['urgent'] }],
		['not an address', { address: 'jeanne', categories: ['urgent'] }],
		['no category', { address: 'a@example.fr', categories: [] }],
		['a category twice', { address: 'a@example.fr', categories: ['urgent', 'urgent'] }],
		['an extra field', { address: 'a@example.fr', categories: ['urgent'], admin: true }]
	])('refuses %s', (_label, request) => {
		expect(v.safeParse(EmailSubscribeSchema, request).success).toBe(false);
	});

	it('at the counter, only with the person’s consent', () => {
		const request = { address: 'a@example.fr', categories: ['urgent'] };
		expect(v.safeParse(CounterEmailSchema, { ...request, consent: true }).success).toBe(true);
		expect(v.safeParse(CounterEmailSchema, { ...request, consent: false }).success).toBe(false);
		expect(v.safeParse(CounterEmailSchema, request).success).toBe(false);
	});

	it('counts one address once, whatever its case', () => {
		expect(addressKey(' Jeanne@Example.FR')).toBe(addressKey('jeanne@example.fr'));
	});

	it('knows a link’s token by its shape only', () => {
		expect(EMAIL_TOKEN_PATTERN.test(`${'a'.repeat(43)}.${'b'.repeat(32)}`)).toBe(true);
		expect(EMAIL_TOKEN_PATTERN.test(`${'a'.repeat(43)}.${'b'.repeat(31)}`)).toBe(false);
		expect(EMAIL_TOKEN_PATTERN.test('../../etc')).toBe(false);
	});
});
