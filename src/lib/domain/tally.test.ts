import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pollFactory } from '../../../tests/factories.ts';
import { answersWording, decideBallot, wordingOf } from './poll.ts';
import {
	arrivedSince,
	batchTime,
	countBallots,
	nextSupports,
	nextTally,
	publishedTally,
	tallyFor,
	type CastBallot,
	type SupportsVersion,
	type TallyVersion,
	type Writes
} from './tally.ts';

const OPENS = Date.parse('2026-11-01T08:00:00.000Z');
const CLOSES = Date.parse('2026-11-20T18:00:00.000Z');
const CHOICES = ['oui', 'non', 'sans-avis'] as const;

/** Writes between two marks: each cast or replacement is one. */
function writesBetween(from: Writes, to: Writes): number {
	return Object.entries(to).reduce(
		(sum, [key, generation]) => sum + generation - (from[key] ?? 0),
		0
	);
}

const ballot = (key: string, choice: string, generation = 1): CastBallot => ({
	key,
	generation,
	choices: [choice]
});

describe('the batch rule (issue 13)', () => {
	const poll = pollFactory({
		opens_at: new Date(OPENS).toISOString(),
		closes_at: new Date(CLOSES).toISOString(),
		allow_change: true
	});
	const open = new Date(OPENS + 3_600_000);

	it('first publishes the tally of no ballot, then waits for 5 arrivals', () => {
		const four = ['a', 'b', 'c', 'd'].map((key) => ballot(key, 'oui'));
		const first = nextTally(poll, four, null, open)!;
		expect(first.tally).toMatchObject({ state: 'too_few', total: 0, counts: null });
		expect(first.mark).toEqual({});
		expect(nextTally(poll, four, first, open)).toBeNull();
		const fifth = nextTally(poll, [...four, ballot('e', 'non')], first, open)!;
		expect(fifth.tally).toMatchObject({ state: 'live', total: 5, counts: { oui: 4, non: 1 } });
		const eight = [...four, ballot('e', 'non'), ...['f', 'g', 'h'].map((k) => ballot(k, 'non'))];
		expect(nextTally(poll, eight, fifth, open)).toBeNull();
	});

	it('counts one resident replacing their vote once, however often', () => {
		const five = ['a', 'b', 'c', 'd', 'e'].map((key) => ballot(key, 'oui'));
		const published = nextTally(poll, five, null, open)!;
		// A neighbour votes; resident a changes their mind four times: two ballots arrived, not five.
		const after = [ballot('a', 'oui', 5), ...five.slice(1), ballot('f', 'non')];
		expect(arrivedSince(published.mark, writesOf(after))).toBe(2);
		expect(nextTally(poll, after, published, open)).toBeNull();
	});

	it('publishes the exact count at closing, participation only under 5 ballots', () => {
		const closed = new Date(CLOSES);
		const three = ['a', 'b', 'c'].map((key) => ballot(key, 'non'));
		const zero = nextTally(poll, [], null, open)!;
		expect(nextTally(poll, three, zero, closed)!.tally).toMatchObject({
			state: 'too_few',
			total: 3,
			counts: null
		});
		const six = [...three, ...['d', 'e', 'f'].map((key) => ballot(key, 'oui'))];
		const five = nextTally(poll, six.slice(0, 5), zero, open)!;
		expect(nextTally(poll, six, five, closed)!.tally).toMatchObject({
			state: 'final',
			total: 6,
			counts: { oui: 3, non: 3, 'sans-avis': 0 }
		});
	});

	it('gives publication times to the minute', () => {
		expect(batchTime(new Date('2026-11-05T14:03:27.912Z'))).toBe('2026-11-05T14:03:00.000Z');
		expect(publishedTally(poll, countBallots(poll, []), open).updated_at).toMatch(/:00\.000Z$/);
	});

	/**
	 * Random residents vote and change their votes, the job runs at random
	 * moments, some runs die after writing their state and before publishing,
	 * and the poll closes. Whatever the order: consecutive published versions
	 * are at least 5 arrivals apart (but the closing one), no count is published
	 * under 5 ballots, every figure moves with the batch, and the end is exact.
	 */
	it.each(['live', 'after_close'] as const)(
		'holds over any arrivals, replacements, runs and crashes (results %s)',
		(results) => {
			const event = fc.oneof(
				{
					arbitrary: fc.record({
						kind: fc.constant('vote' as const),
						voter: fc.nat(14),
						choice: fc.constantFrom(...CHOICES)
					}),
					weight: 4
				},
				{
					arbitrary: fc.record({ kind: fc.constantFrom('run' as const, 'crash' as const) }),
					weight: 1
				}
			);
			fc.assert(
				fc.property(
					fc.boolean(),
					fc.array(event, { maxLength: 120 }),
					fc.boolean(),
					(allowChange, events, crashAtClosing) => {
						const subject = { ...poll, results, allow_change: allowChange };
						const box = new Map<number, CastBallot & { outbox_id: string; choices: string[] }>();
						// The server-only state (written first), what -public shows, and every version shown.
						let state: (TallyVersion & { closing: boolean }) | null = null;
						let shown: TallyVersion | null = null;
						const published: (TallyVersion & { closing: boolean })[] = [];
						let clock = OPENS + 60_000;
						let outbox = 0;

						const run = (now: Date, crash: boolean) => {
							// -public does not show what the state says: publish that, never a new count.
							if (state && shown !== state) {
								shown = state;
								published.push(state);
							}
							const next = nextTally(subject, [...box.values()], state, now);
							if (!next) return;
							state = { ...next, closing: now.getTime() >= CLOSES };
							if (crash) return;
							shown = state;
							published.push(state);
						};

						for (const step of events) {
							clock += 7_000 + (clock % 53_000);
							if (clock >= CLOSES) break;
							const now = new Date(clock);
							if (step.kind !== 'vote') {
								run(now, step.kind === 'crash');
								continue;
							}
							const existing = box.get(step.voter) ?? null;
							const incoming = { outbox_id: `o-${outbox++}`, choices: [step.choice] };
							const decision = decideBallot(subject, existing, incoming, now);
							if (decision.action === 'store' || decision.action === 'replace') {
								box.set(step.voter, {
									key: `pseudonym-${step.voter}`,
									generation: (existing?.generation ?? 0) + 1,
									...incoming
								});
							}
						}
						run(new Date(CLOSES), crashAtClosing);
						run(new Date(CLOSES + 60_000), false);

						const ballots = [...box.values()];
						let previous: Writes = {};
						for (const version of published) {
							const { tally, mark } = version;
							if (!version.closing && Object.keys(mark).length > 0) {
								expect(arrivedSince(previous, mark)).toBeGreaterThanOrEqual(5);
								expect(writesBetween(previous, mark)).toBeGreaterThanOrEqual(5);
							}
							// The whole document moves with its batch: the total is that of the mark.
							expect(tally.total).toBe(Object.keys(mark).length);
							if (tally.total < 5) expect(tally.counts).toBeNull();
							if (!version.closing && results === 'after_close') expect(tally.counts).toBeNull();
							expect(tally.updated_at).toMatch(/:00\.000Z$/);
							previous = mark;
						}
						const exact = publishedTally(subject, countBallots(subject, ballots), new Date(CLOSES));
						const last = published.at(-1)!.tally;
						expect({ state: last.state, total: last.total, counts: last.counts }).toEqual({
							state: exact.state,
							total: exact.total,
							counts: exact.counts
						});
						expect(shown).toBe(published.at(-1));
					}
				),
				{ numRuns: 400 }
			);
		}
	);

	it('publishes support counts in batches of 5 too, crashes included', () => {
		fc.assert(
			fc.property(
				fc.array(fc.constantFrom('support', 'run', 'crash'), { maxLength: 80 }),
				(events) => {
					const supports: { key: string; generation: number }[] = [];
					let state: SupportsVersion | null = null;
					let shown: SupportsVersion | null = null;
					const published: SupportsVersion[] = [];
					const now = new Date(OPENS);
					for (const step of events) {
						if (step === 'support') {
							supports.push({ key: `support-${supports.length}`, generation: 1 });
							continue;
						}
						if (state && shown !== state) published.push((shown = state));
						const next = nextSupports('answer:idee', supports, state, now);
						if (!next) continue;
						state = next;
						if (step === 'run') published.push((shown = next));
					}
					let previous = 0;
					for (const version of published) {
						expect(version.supports.count - previous).toBeGreaterThanOrEqual(5);
						expect(version.supports.count).toBe(Object.keys(version.mark).length);
						previous = version.supports.count;
					}
				}
			),
			{ numRuns: 300 }
		);
	});
});

function writesOf(ballots: CastBallot[]): Writes {
	return Object.fromEntries(ballots.map((b) => [b.key, b.generation]));
}

describe('a ballot counts for the wording it answered (issue 13, retract and republish)', () => {
	const poll = pollFactory({
		opens_at: new Date(OPENS).toISOString(),
		closes_at: new Date(CLOSES).toISOString()
	});
	const swapped = {
		...poll,
		options: [
			{ id: 'oui', label: 'Non' },
			{ id: 'non', label: 'Oui' },
			{ id: 'sans-avis', label: 'Sans avis' }
		]
	};
	const open = new Date(OPENS + 3_600_000);

	it('tells wordings apart by question, answers and how many may be chosen, not by description', () => {
		const same = wordingOf(poll);
		const described: typeof poll = { ...poll, description: 'Autre texte.' };
		expect(wordingOf(described)).toBe(same);
		expect(wordingOf({ ...poll, question: 'Autre ?' })).not.toBe(same);
		expect(wordingOf(swapped)).not.toBe(same);
		expect(wordingOf({ ...poll, multiple: true, max_choices: 2 })).not.toBe(same);
		expect(same).toMatch(/^[0-9a-f]{16}$/);
	});

	it('lets a resident vote again on a new wording, not on the same', () => {
		const stored = { outbox_id: 'o-1', choices: ['oui'], wording: wordingOf(poll) };
		const again = { outbox_id: 'o-2', choices: ['non'] };
		expect(decideBallot(poll, stored, again, open)).toEqual({
			action: 'refuse',
			reason: 'already_voted'
		});
		expect(decideBallot(swapped, stored, again, open)).toEqual({ action: 'store' });
		// Cast before ballots kept their wording: it counts for the poll as it is.
		expect(decideBallot(swapped, { outbox_id: 'o-1', choices: ['oui'] }, again, open)).toEqual({
			action: 'refuse',
			reason: 'already_voted'
		});
		expect(answersWording({ wording: wordingOf(poll) }, wordingOf(swapped))).toBe(false);
	});

	it('starts a reworded poll from the tally of no ballot, and shows none counted for the old words', () => {
		const five = ['a', 'b', 'c', 'd', 'e'].map((key) => ballot(key, 'oui'));
		const published = nextTally(poll, five, null, open)!;
		expect(published.tally.counts).toMatchObject({ oui: 5 });
		expect(tallyFor(poll, published.tally)).toBe(published.tally);
		expect(tallyFor(swapped, published.tally)).toBeNull();
		const restarted = nextTally(swapped, [], published, open)!;
		expect(restarted.mark).toEqual({});
		expect(restarted.tally).toMatchObject({ total: 0, counts: null, wording: wordingOf(swapped) });
		// A tally published before tallies kept their wording still shows.
		const { wording: _wording, ...legacy } = published.tally;
		expect(tallyFor(swapped, legacy)).toBe(legacy);
	});
});
