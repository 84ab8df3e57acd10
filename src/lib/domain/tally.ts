import { pollState, type Poll } from './poll.ts';

/** Below this many ballots, counts are never published: in a hamlet, 3 votes can be told apart. */
export const MIN_BALLOTS_FOR_RESULTS = 5;

export type TallyState =
	/** Open, results live, at least 5 ballots: counts published. */
	| 'live'
	/** Closed with at least 5 ballots: final counts. */
	| 'final'
	/** Open, results only after closing: participation only. */
	| 'hidden_until_close'
	/** Fewer than 5 ballots: participation only, open or closed. */
	| 'too_few';

/** The tally as published in `<commune>-public`, written only by the app server. */
export interface Tally {
	_id: string;
	_rev?: string;
	type: 'tally';
	poll: string;
	state: TallyState;
	/** Ballots cast; always published. */
	total: number;
	/** Per option id; null while withheld. */
	counts: Record<string, number> | null;
	updated_at: string;
}

export function tallyId(pollId: string): string {
	return `tally:${pollId.slice('poll:'.length)}`;
}

/** Counts ballots per option. Each ballot counts once, whatever its number of choices. */
export function countBallots(
	poll: Pick<Poll, 'options'>,
	ballots: Iterable<{ choices: readonly string[] }>
): { counts: Record<string, number>; total: number } {
	const counts: Record<string, number> = Object.fromEntries(poll.options.map((o) => [o.id, 0]));
	let total = 0;
	for (const ballot of ballots) {
		total++;
		for (const choice of new Set(ballot.choices)) {
			if (choice in counts) counts[choice]++;
		}
	}
	return { counts, total };
}

/** What may be published of a count, at `now`, under the poll's rules. */
export function publishedTally(
	poll: Pick<Poll, '_id' | 'options' | 'opens_at' | 'closes_at' | 'results'>,
	count: { counts: Record<string, number>; total: number },
	now: Date
): Omit<Tally, '_rev'> {
	const closed = pollState(poll, now) === 'closed';
	let state: TallyState;
	if (count.total < MIN_BALLOTS_FOR_RESULTS) state = 'too_few';
	else if (closed) state = 'final';
	else state = poll.results === 'live' ? 'live' : 'hidden_until_close';
	return {
		_id: tallyId(poll._id),
		type: 'tally',
		poll: poll._id,
		state,
		total: count.total,
		counts: state === 'live' || state === 'final' ? count.counts : null,
		updated_at: now.toISOString()
	};
}

/** Whether two tallies say the same (ignoring when they were computed). */
export function sameTally(a: Omit<Tally, '_rev'> | null, b: Omit<Tally, '_rev'>): boolean {
	if (!a) return false;
	return (
		a.state === b.state &&
		a.total === b.total &&
		JSON.stringify(a.counts) === JSON.stringify(b.counts)
	);
}

/** Whole percentages per option, of ballots (a multiple-choice poll can exceed 100 in sum). */
export function shares(counts: Record<string, number>, total: number): Record<string, number> {
	return Object.fromEntries(
		Object.entries(counts).map(([id, n]) => [id, total === 0 ? 0 : Math.round((n / total) * 100)])
	);
}
