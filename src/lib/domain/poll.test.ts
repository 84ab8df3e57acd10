import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pollFactory } from '../../../tests/factories.ts';
import { validatePublicDoc } from './notice-schema.ts';
import { checkChoices, decideBallot, pollState, type StoredBallot } from './poll.ts';
import { countBallots, publishedTally, shares } from './tally.ts';

const now = new Date('2026-11-25T12:00:00Z');

describe('poll schema', () => {
	it('accepts a well-formed poll', () => {
		expect(validatePublicDoc(pollFactory()).ok).toBe(true);
	});
	it.each([
		[{ options: [{ id: 'a', label: 'A' }] }, 'too_few_options'],
		[
			{
				options: [
					{ id: 'a', label: 'A' },
					{ id: 'a', label: 'B' }
				]
			},
			'duplicate_option'
		],
		[{ max_choices: 2 }, 'invalid_max_choices'],
		[{ multiple: true, max_choices: 4 }, 'max_choices_too_high'],
		[{ closes_at: '2026-10-01T00:00:00Z' }, 'closes_before_opening'],
		[{ results: 'jamais' }, 'invalid_results'],
		[{ question: ' ' }, 'required']
	])('refuses %o', (patch, code) => {
		const result = validatePublicDoc({ ...pollFactory(), ...patch });
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.issues.map((issue) => issue.code)).toContain(code);
	});
});

describe('eligibility', () => {
	const poll = pollFactory({ multiple: true, max_choices: 2 });

	it('knows when a poll is open', () => {
		expect(pollState(poll, new Date('2026-10-31T23:59:59Z'))).toBe('upcoming');
		expect(pollState(poll, now)).toBe('open');
		expect(pollState(poll, new Date('2026-12-31T00:00:00Z'))).toBe('closed');
	});

	it.each([
		[['oui'], null],
		[['oui', 'non'], null],
		[[], 'no_choice'],
		[['oui', 'non', 'sans-avis'], 'too_many_choices'],
		[['peut-etre'], 'unknown_choice'],
		[['oui', 'oui'], 'duplicate_choice']
	])('checks choices %o', (choices, refusal) => {
		expect(checkChoices(poll, choices, now)).toBe(refusal);
	});

	it('refuses outside the window', () => {
		expect(checkChoices(poll, ['oui'], new Date('2026-10-01T00:00:00Z'))).toBe('poll_not_open');
		expect(checkChoices(poll, ['oui'], new Date('2027-01-01T00:00:00Z'))).toBe('poll_closed');
	});

	it('answers a retry as accepted and a second ballot as already voted', () => {
		const first = { outbox_id: 'a', choices: ['oui'] };
		expect(decideBallot(poll, null, first, now)).toEqual({ action: 'store' });
		expect(decideBallot(poll, first, { ...first }, now)).toEqual({ action: 'already_accepted' });
		expect(decideBallot(poll, first, { outbox_id: 'b', choices: ['non'] }, now)).toEqual({
			action: 'refuse',
			reason: 'already_voted'
		});
		expect(decideBallot(poll, first, { outbox_id: 'a', choices: ['non'] }, now)).toEqual({
			action: 'refuse',
			reason: 'outbox_id_reused'
		});
		expect(
			decideBallot(
				{ ...poll, allow_change: true },
				first,
				{ outbox_id: 'b', choices: ['non'] },
				now
			)
		).toEqual({ action: 'replace' });
	});

	it('answers a late retry of an accepted ballot as accepted, even once closed', () => {
		const first = { outbox_id: 'a', choices: ['oui'] };
		expect(decideBallot(poll, first, first, new Date('2027-01-01T00:00:00Z'))).toEqual({
			action: 'already_accepted'
		});
	});
});

describe('tally', () => {
	const poll = pollFactory();

	it('withholds counts below 5 ballots and until closing when asked', () => {
		const few = countBallots(poll, [{ choices: ['oui'] }, { choices: ['non'] }]);
		expect(publishedTally(poll, few, now)).toMatchObject({
			state: 'too_few',
			total: 2,
			counts: null
		});
		const many = countBallots(
			poll,
			Array.from({ length: 6 }, () => ({ choices: ['oui'] }))
		);
		expect(publishedTally(poll, many, now)).toMatchObject({
			state: 'live',
			counts: { oui: 6, non: 0 }
		});
		const later = { ...poll, results: 'after_close' as const };
		expect(publishedTally(later, many, now)).toMatchObject({
			state: 'hidden_until_close',
			counts: null
		});
		expect(publishedTally(later, many, new Date('2027-01-01T00:00:00Z'))).toMatchObject({
			state: 'final',
			counts: { oui: 6 }
		});
	});

	it('gives shares of ballots', () => {
		expect(shares({ oui: 2, non: 1 }, 3)).toEqual({ oui: 67, non: 33 });
		expect(shares({ oui: 0 }, 0)).toEqual({ oui: 0 });
	});

	/**
	 * Any interleaving of deliveries, retries and duplicates, against a store
	 * that keeps one ballot per resident, ends with the exact tally: each
	 * resident counted once, with their first ballot (or last, when changes are
	 * allowed).
	 */
	it.each([false, true])(
		'is exact under any interleaving of retries (allow_change %s)',
		(allowChange) => {
			const votingPoll = pollFactory({ multiple: true, max_choices: 2, allow_change: allowChange });
			const choice = fc.subarray(['oui', 'non', 'sans-avis'], { minLength: 1, maxLength: 2 });
			const resident = fc.array(choice, { minLength: 1, maxLength: 3 });
			fc.assert(
				fc.property(
					fc.array(resident, { minLength: 1, maxLength: 15 }),
					fc.array(fc.nat(), { maxLength: 60 }),
					(residents, noise) => {
						// Each intended ballot is one outbox item, delivered 1 to 3 times,
						// a resident's items in order, everything else interleaved at random.
						const queues = residents.map((ballots, r) =>
							ballots.flatMap((choices, b) => {
								const item = { resident: r, outbox_id: `${r}-${b}`, choices };
								const copies = 1 + ((noise[(r * 7 + b) % Math.max(1, noise.length)] ?? 0) % 3);
								return Array.from({ length: copies }, () => item);
							})
						);
						const store = new Map<number, StoredBallot>();
						let step = 0;
						while (queues.some((queue) => queue.length > 0)) {
							const open = queues.filter((queue) => queue.length > 0);
							const queue = open[(noise[step++ % Math.max(1, noise.length)] ?? 0) % open.length];
							const item = queue.shift()!;
							const decision = decideBallot(
								votingPoll,
								store.get(item.resident) ?? null,
								item,
								now
							);
							if (decision.action === 'store' || decision.action === 'replace') {
								store.set(item.resident, { outbox_id: item.outbox_id, choices: item.choices });
							}
						}
						const expected = residents.map((ballots) =>
							allowChange ? ballots.at(-1)! : ballots[0]
						);
						const got = countBallots(votingPoll, store.values());
						const want = countBallots(
							votingPoll,
							expected.map((choices) => ({ choices }))
						);
						expect(got).toEqual(want);
						expect(got.total).toBe(residents.length);
					}
				),
				{ numRuns: 300 }
			);
		}
	);
});
