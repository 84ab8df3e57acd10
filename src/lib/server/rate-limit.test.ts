import { describe, expect, it } from 'vitest';
import { RateLimiter, sharedLimiters } from './rate-limit.ts';

const sharedKey = (key: string) => `h:${key}`;

describe('RateLimiter', () => {
	it('counts what other processes published with its own', () => {
		const limiter = new RateLimiter(10, 60_000);
		const now = 1_000_000;
		for (let i = 0; i < 4; i++) limiter.hit('address:a', now);
		limiter.setOthers(new Map([['h:address:a', [{ count: 5, resetAt: now + 30_000 }]]]), sharedKey);
		expect(limiter.check('address:a', now)).toEqual({ allowed: true, retryAfterSeconds: 60 });
		expect(limiter.hit('address:a', now).allowed).toBe(true);
		expect(limiter.check('address:a', now).allowed).toBe(false);
		expect(limiter.hit('address:a', now).allowed).toBe(false);
		// Another key, and the others' window once it has ended, do not count.
		expect(limiter.check('address:b', now).allowed).toBe(true);
		limiter.setOthers(new Map([['h:address:a', [{ count: 9, resetAt: now + 1 }]]]), sharedKey);
		expect(limiter.check('address:a', now + 1).allowed).toBe(true);
	});

	it('publishes its open windows by shared key only, and says when they changed', () => {
		const limiter = new RateLimiter(3, 1000);
		const before = limiter.version;
		limiter.hit('name:x', 0);
		limiter.hit('name:y', 0);
		limiter.release('name:y');
		expect(limiter.version).toBe(before + 3);
		expect([...limiter.ownCounts(sharedKey, 10)]).toEqual([
			['h:name:x', { count: 1, resetAt: 1000 }]
		]);
		expect(limiter.ownCounts(sharedKey, 1000).size).toBe(0);
	});

	it('is shared only when named', () => {
		const named = new RateLimiter(1, 1000, 'essai-unitaire');
		new RateLimiter(1, 1000);
		expect(sharedLimiters.get('essai-unitaire')).toBe(named);
		sharedLimiters.delete('essai-unitaire');
	});
});
