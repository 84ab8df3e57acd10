import { supportsId, type SupportsDoc } from './answer.ts';
import { pollState, wordingOf, type Poll, type PollWording } from './poll.ts';
import { slugOf } from './slug.ts';

/** Below this many ballots, counts are never published: in a hamlet, 3 votes can be told apart. */
export const MIN_BALLOTS_FOR_RESULTS = 5;

/**
 * A published tally or support count changes only once this many ballots (or
 * supports) have arrived since the version last published, and always at
 * closing: a figure that moves by one names the voter to whoever watched the
 * kiosk.
 */
export const BATCH_SIZE = 5;

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
	/** When this version was published, to the minute: never the time of one ballot. */
	updated_at: string;
	/** The poll's wording its ballots answered (wordingOf); absent on tallies published before. */
	wording?: string;
}

export function tallyId(pollId: string): string {
	return `tally:${slugOf(pollId)}`;
}

/**
 * The tally to show with a poll: none while the one at hand counted another
 * wording of it (the tally job recounts it within a round).
 */
export function tallyFor<T extends Pick<Tally, 'poll' | 'wording'>>(
	poll: PollWording,
	tally: T | null | undefined
): T | null {
	if (!tally) return null;
	return tally.wording === undefined || tally.wording === wordingOf(poll) ? tally : null;
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
	poll: PollWording & Pick<Poll, '_id' | 'opens_at' | 'closes_at' | 'results'>,
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
		updated_at: batchTime(now),
		wording: wordingOf(poll)
	};
}

/** A publication time no finer than its batch: the minute, no seconds, no milliseconds. */
export function batchTime(now: Date): string {
	return new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString();
}

/**
 * Ballots (or supports) by key, each with how many times it was written — its
 * revision generation: 1 when cast, one more each time it is replaced. Read
 * from the stored documents themselves, so a run that crashed and started
 * again counts nothing twice.
 */
export type Writes = Readonly<Record<string, number>>;

/**
 * How many ballots arrived since `mark`: new ones and replaced ones, each
 * counted once however often it was replaced. Counting writes instead would
 * let one resident who may change their vote replace it four times after a
 * neighbour voted, force a publication, and read the neighbour's choice.
 */
export function arrivedSince(mark: Writes, current: Writes): number {
	let arrived = 0;
	for (const [key, generation] of Object.entries(current)) if (mark[key] !== generation) arrived++;
	return arrived;
}

/** A ballot as the tally job reads it from <commune>-ballots. */
export interface CastBallot {
	key: string;
	generation: number;
	choices: readonly string[];
}

/** The version last published (or to publish): what it says and which ballot writes it counts. */
export interface TallyVersion {
	mark: Writes;
	tally: Omit<Tally, '_rev'>;
}

function writesOf(items: readonly { key: string; generation: number }[]): Writes {
	return Object.fromEntries(items.map((item) => [item.key, item.generation]));
}

/**
 * The batch rule for a poll's tally: the version to publish now, or null to
 * keep the one last published (`last`; null if none yet). Before anything is
 * published, the first version is that of no ballot at all, which tells
 * nothing; after it, a new version needs at least BATCH_SIZE ballots arrived
 * since the last one, or the poll's closing, where the exact final count goes
 * out (and, under 5 ballots, participation only). Everything in the document
 * follows the rule, the total too.
 */
export function nextTally(
	poll: PollWording & Pick<Poll, '_id' | 'opens_at' | 'closes_at' | 'results'>,
	ballots: readonly CastBallot[],
	published: TallyVersion | null,
	now: Date
): TallyVersion | null {
	// Published for another wording of the poll: its figures say nothing of this one.
	const reworded =
		published?.tally.wording !== undefined && published.tally.wording !== wordingOf(poll);
	const last = reworded ? null : published;
	const current = writesOf(ballots);
	const closed = pollState(poll, now) === 'closed';
	let next: TallyVersion;
	if (closed || arrivedSince(last?.mark ?? {}, current) >= BATCH_SIZE) {
		next = { mark: current, tally: publishedTally(poll, countBallots(poll, ballots), now) };
	} else if (!last) {
		next = { mark: {}, tally: publishedTally(poll, countBallots(poll, []), now) };
	} else {
		return null;
	}
	return last && sameTally(last.tally, next.tally) ? null : next;
}

/** The version of a suggestion's support count last published (or to publish). */
export interface SupportsVersion {
	mark: Writes;
	supports: Omit<SupportsDoc, '_rev'>;
}

/**
 * The same rule for the supports of a suggestion, which has no closing: the
 * count is published once BATCH_SIZE supports arrived since the last one; until
 * the first five, nothing is (the page shows none yet).
 */
export function nextSupports(
	answerId: string,
	supports: readonly { key: string; generation: number }[],
	last: SupportsVersion | null,
	now: Date
): SupportsVersion | null {
	const current = writesOf(supports);
	if (arrivedSince(last?.mark ?? {}, current) < BATCH_SIZE) return null;
	if (last && last.supports.count === supports.length) return null;
	return {
		mark: current,
		supports: {
			_id: supportsId(answerId),
			type: 'supports',
			answer: answerId,
			count: supports.length,
			updated_at: batchTime(now)
		}
	};
}

/** Whether two tallies say the same (ignoring when they were computed). */
export function sameTally(a: Omit<Tally, '_rev'> | null, b: Omit<Tally, '_rev'>): boolean {
	if (!a) return false;
	return (
		a.state === b.state &&
		a.total === b.total &&
		JSON.stringify(a.counts) === JSON.stringify(b.counts) &&
		a.wording === b.wording
	);
}

/** Whole percentages per option, of ballots (a multiple-choice poll can exceed 100 in sum). */
export function shares(counts: Record<string, number>, total: number): Record<string, number> {
	return Object.fromEntries(
		Object.entries(counts).map(([id, n]) => [id, total === 0 ? 0 : Math.round((n / total) * 100)])
	);
}
