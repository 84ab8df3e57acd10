import type { LIMITS } from './limits.ts';

export interface PollOption {
	id: string;
	label: string;
}

export type PollResults = (typeof LIMITS.pollResults)[number];

/** A poll (sondage) in `<commune>-public`, written by staff. Its tally is a separate document. */
export interface Poll {
	_id: string;
	_rev?: string;
	type: 'poll';
	question: string;
	description: string;
	options: PollOption[];
	/** Several choices allowed, up to max_choices. */
	multiple: boolean;
	max_choices: number;
	opens_at: string;
	closes_at: string;
	/** 'live': counts shown while open (from 5 ballots on); 'after_close': only once closed. */
	results: PollResults;
	/** A resident may vote again until closing; the new ballot replaces the old one. */
	allow_change: boolean;
	created_at: string;
	updated_at: string;
	author: string;
	/** The staff member who saved this revision. */
	updated_by?: string;
}

export type PollState = 'upcoming' | 'open' | 'closed';

export function pollState(poll: Pick<Poll, 'opens_at' | 'closes_at'>, now: Date): PollState {
	const t = now.getTime();
	if (t < Date.parse(poll.opens_at)) return 'upcoming';
	if (t >= Date.parse(poll.closes_at)) return 'closed';
	return 'open';
}

/** Why a ballot cannot be accepted, as the API and the UI name it. */
export type BallotRefusal =
	| 'poll_not_open'
	| 'poll_closed'
	| 'no_choice'
	| 'too_many_choices'
	| 'unknown_choice'
	| 'duplicate_choice'
	| 'already_voted'
	| 'outbox_id_reused';

/** Checks the choices of a ballot against the poll, at `now`. */
export function checkChoices(
	poll: Pick<Poll, 'options' | 'multiple' | 'max_choices' | 'opens_at' | 'closes_at'>,
	choices: readonly string[],
	now: Date
): BallotRefusal | null {
	const state = pollState(poll, now);
	if (state === 'upcoming') return 'poll_not_open';
	if (state === 'closed') return 'poll_closed';
	if (choices.length === 0) return 'no_choice';
	if (new Set(choices).size !== choices.length) return 'duplicate_choice';
	const known = new Set(poll.options.map((option) => option.id));
	if (choices.some((choice) => !known.has(choice))) return 'unknown_choice';
	if (choices.length > (poll.multiple ? poll.max_choices : 1)) return 'too_many_choices';
	return null;
}

export interface StoredBallot {
	outbox_id: string;
	choices: string[];
	/** The poll's wording it answered (wordingOf); absent on ballots cast before it was kept. */
	wording?: string;
}

/** What a ballot answers: the question, its answers and how many may be chosen. */
export type PollWording = Pick<Poll, 'question' | 'options' | 'multiple' | 'max_choices'>;

/**
 * A short digest of a poll's wording. A ballot counts only for the wording it
 * answered: a poll taken back and put out again with other words (which
 * validate_doc_update cannot see through a deletion) starts from no ballot,
 * and a swap of two answers' labels never turns their votes over. FNV-1a in
 * two 32-bit halves: pure, for the domain, and short enough for every ballot.
 */
export function wordingOf(poll: PollWording): string {
	const text = JSON.stringify([
		poll.question,
		poll.options.map((option) => [option.id, option.label]),
		poll.multiple,
		poll.max_choices
	]);
	let low = 0x811c9dc5;
	let high = 0xcbf29ce4;
	for (let i = 0; i < text.length; i++) {
		const unit = text.charCodeAt(i);
		low = Math.imul(low ^ unit, 0x01000193) >>> 0;
		high = Math.imul(high ^ unit ^ (low >>> 24), 0x01000193) >>> 0;
	}
	return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}

/** Whether a stored ballot counts for the poll as it stands, worded `wording` (wordingOf). */
export function answersWording(ballot: Pick<StoredBallot, 'wording'>, wording: string): boolean {
	return ballot.wording === undefined || ballot.wording === wording;
}

export type BallotDecision =
	| { action: 'store' }
	| { action: 'replace' }
	| { action: 'already_accepted' }
	| { action: 'refuse'; reason: BallotRefusal };

function sameChoices(a: readonly string[], b: readonly string[]): boolean {
	return a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');
}

/**
 * What to do with a ballot given the one already stored for this resident and
 * poll (null if none). A retry of the same outbox item is answered as accepted,
 * so that a lost response never counts twice nor shows an error.
 */
export function decideBallot(
	poll: PollWording & Pick<Poll, 'opens_at' | 'closes_at' | 'allow_change'>,
	stored: StoredBallot | null,
	incoming: StoredBallot,
	now: Date
): BallotDecision {
	// A ballot that answered another wording of the poll is no vote on this one.
	const existing = stored && answersWording(stored, wordingOf(poll)) ? stored : null;
	if (existing && existing.outbox_id === incoming.outbox_id) {
		return sameChoices(existing.choices, incoming.choices)
			? { action: 'already_accepted' }
			: { action: 'refuse', reason: 'outbox_id_reused' };
	}
	const refusal = checkChoices(poll, incoming.choices, now);
	if (refusal) return { action: 'refuse', reason: refusal };
	if (!existing) return { action: 'store' };
	return poll.allow_change ? { action: 'replace' } : { action: 'refuse', reason: 'already_voted' };
}

/** Polls a villager sees: open first (closing soonest), then upcoming, then recently closed. */
export function visiblePolls<T extends { poll: Pick<Poll, 'opens_at' | 'closes_at' | '_id'> }>(
	entries: Iterable<T>,
	now: Date,
	closedForMs = 31 * 86_400_000
): T[] {
	const rank = { open: 0, upcoming: 1, closed: 2 } as const;
	return [...entries]
		.filter(
			(entry) =>
				pollState(entry.poll, now) !== 'closed' ||
				now.getTime() - Date.parse(entry.poll.closes_at) < closedForMs
		)
		.sort((a, b) => {
			const byState = rank[pollState(a.poll, now)] - rank[pollState(b.poll, now)];
			if (byState !== 0) return byState;
			const byClose = Date.parse(a.poll.closes_at) - Date.parse(b.poll.closes_at);
			return byClose !== 0 ? byClose : a.poll._id.localeCompare(b.poll._id);
		});
}
