import { describe, expect, it } from 'vitest';
import {
	blockedAlike,
	dueItems,
	releasedByCode,
	UNTIL_A_CODE,
	outcomeOf,
	retryDelayMs,
	type OutboxItem
} from './outbox.ts';

describe('outbox rules', () => {
	it('reads server answers', () => {
		expect(outcomeOf(201, { error: undefined })).toEqual({ next: 'sent' });
		expect(outcomeOf(200, null)).toEqual({ next: 'sent' });
		expect(outcomeOf(409, { error: 'poll_closed', reason: 'Clos' })).toEqual({
			next: 'refused',
			code: 'poll_closed',
			reason: 'Clos'
		});
		expect(outcomeOf(401, { error: 'not_resident', reason: 'Code' })).toMatchObject({
			next: 'retry',
			blocked: true
		});
		// Issue 13 §2: a withdrawn code keeps the item for the new code, never drops it.
		expect(outcomeOf(403, { error: 'code_revoked', reason: 'Retiré' })).toEqual({
			next: 'retry',
			code: 'code_revoked',
			reason: 'Retiré',
			blocked: true
		});
		expect(outcomeOf(403, { error: 'forbidden', reason: '' }).next).toBe('refused');
		for (const status of [408, 429, 500, 502, 503]) {
			expect(outcomeOf(status, null).next).toBe('retry');
		}
	});

	it('backs off up to five minutes', () => {
		expect([1, 2, 3].map(retryDelayMs)).toEqual([2000, 4000, 8000]);
		expect(retryDelayMs(30)).toBe(300_000);
	});

	it('sends what waits and is due, oldest first', () => {
		const item = (id: string, state: OutboxItem['state'], next: number, created: string) =>
			({ id, state, next_attempt_at: next, created_at: created }) as OutboxItem;
		const items = [
			item('b', 'waiting', 0, '2026-01-02'),
			item('a', 'waiting', 0, '2026-01-01'),
			item('c', 'waiting', 5000, '2026-01-01'),
			item('d', 'sent', 0, '2026-01-01'),
			item('e', 'refused', 0, '2026-01-01')
		];
		expect(dueItems(items, 1000).map((i) => i.id)).toEqual(['a', 'b']);
	});

	it('blocks alike what waits behind an item refused for want of a code (issue 13 §2)', () => {
		const item = (id: string, extra: Partial<OutboxItem> = {}) =>
			({ id, state: 'waiting', ...extra }) as OutboxItem;
		expect(blockedAlike([item('vote'), item('kiosk', { ephemeral: true }), item('idea')])).toEqual([
			'vote',
			'idea'
		]);
	});

	it('holds items blocked for a code until one is entered (issue 13 §2)', () => {
		const item = (id: string, extra: Partial<OutboxItem> = {}) =>
			({
				id,
				state: 'waiting',
				next_attempt_at: UNTIL_A_CODE,
				created_at: id,
				...extra
			}) as OutboxItem;
		const items = [
			item('a', { error: { code: 'code_revoked', reason: '' } }),
			item('b', { error: { code: 'not_resident', reason: '' } }),
			item('c', { error: { code: 'http_503', reason: '' }, next_attempt_at: 0 }),
			item('d', { state: 'sent', error: { code: 'code_revoked', reason: '' } })
		];
		expect(dueItems(items, Date.now()).map((i) => i.id)).toEqual(['c']);
		expect(releasedByCode(items)).toEqual(['a', 'b']);
	});
});
