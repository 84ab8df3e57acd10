import { LIMITS } from './limits.ts';
import type { Poll, PollOption } from './poll.ts';

/**
 * Rules on what staff write into a poll, shared by the editor, the schema and
 * (through couch/ddocs.ts) CouchDB's validate_doc_update: when two answers
 * say the same thing, and what no longer changes once residents may have voted.
 */

/**
 * Characters that do not make two answers different: accented Latin letters
 * fold to their base letter, combining accents and ligatures too, curly
 * apostrophes to the straight one. A table rather than `normalize()`, so that
 * validate_doc_update (ES5, no `normalize`) folds exactly the same way: it is
 * pasted there as JSON.
 */
export const LABEL_FOLDS: Readonly<Record<string, string>> = (() => {
	const folds: Record<string, string> = {};
	const ranges: [number, number][] = [
		[0x00c0, 0x024f],
		[0x1e00, 0x1eff]
	];
	for (const [from, to] of ranges) {
		for (let code = from; code <= to; code++) {
			const char = String.fromCharCode(code);
			const base = char.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
			if (base !== char && base.length > 0) folds[char] = base;
		}
	}
	for (let code = 0x0300; code <= 0x036f; code++) folds[String.fromCharCode(code)] = '';
	Object.assign(folds, { œ: 'oe', Œ: 'oe', æ: 'ae', Æ: 'ae', ß: 'ss' });
	Object.assign(folds, { '\u2019': "'", '\u2018': "'", '\u02bc': "'" });
	return folds;
})();

/** What an answer says, for comparison: « Oui », « oui » and « OUI  » are one answer. */
export function labelKey(label: string): string {
	let folded = '';
	// By UTF-16 unit, as validate_doc_update does (ES5 strings).
	for (let i = 0; i < label.length; i++) {
		const char = label.charAt(i);
		folded += Object.prototype.hasOwnProperty.call(LABEL_FOLDS, char) ? LABEL_FOLDS[char] : char;
	}
	return folded.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Ids of the answers that repeat another one (every answer of each repeated group). */
export function duplicateAnswers(options: readonly Pick<PollOption, 'id' | 'label'>[]): string[] {
	const byKey = new Map<string, string[]>();
	for (const option of options) {
		const key = labelKey(option.label);
		if (key === '') continue;
		byKey.set(key, [...(byKey.get(key) ?? []), option.id]);
	}
	return [...byKey.values()].filter((ids) => ids.length > 1).flat();
}

/**
 * How much of a published poll is fixed, at `now`. Before it opens nobody can
 * have voted: everything may change. Once it opens, a ballot may have been
 * cast for the question, the answers and the rules as they stand; once it
 * closes, the final result is out and the closing time is fixed too. Staff
 * cannot tell how many ballots arrived (under 5 the tally says none), so the
 * opening itself locks.
 */
export type PollLock = 'none' | 'voting' | 'closed';

export function pollLock(
	poll: Pick<Poll, 'opens_at' | 'closes_at'>,
	published: boolean,
	now: Date
): PollLock {
	if (!published || now.getTime() < Date.parse(poll.opens_at)) return 'none';
	return now.getTime() < Date.parse(poll.closes_at) ? 'voting' : 'closed';
}

export type LockedField = (typeof LIMITS.pollLockedWhileVoting)[number] | 'closes_at';

/** The fields that no longer change under a lock; the description always may. */
export function lockedFields(lock: PollLock): readonly LockedField[] {
	if (lock === 'none') return [];
	return lock === 'voting'
		? LIMITS.pollLockedWhileVoting
		: [...LIMITS.pollLockedWhileVoting, 'closes_at'];
}

/** A field as validate_doc_update compares it: answers by id and label, in order; others as JSON. */
function compared(field: LockedField, value: unknown): string {
	if (field === 'options' && Array.isArray(value)) {
		return JSON.stringify(
			value.map((option: Partial<PollOption> | null) =>
				option && typeof option === 'object' ? [option.id, option.label] : option
			)
		);
	}
	return JSON.stringify(value === undefined ? null : value);
}

/** The locked fields a new revision of a published poll would change (none: it may be saved). */
export function lockedChanges(
	before: Pick<Poll, 'opens_at' | 'closes_at'>,
	after: object,
	now: Date
): LockedField[] {
	const was = before as Partial<Record<LockedField, unknown>>;
	const is = after as Partial<Record<LockedField, unknown>>;
	return lockedFields(pollLock(before, true, now)).filter(
		(field) => compared(field, was[field]) !== compared(field, is[field])
	);
}

/** The number of answers allowed when « several answers » is ticked and nobody chose one: all. */
export const defaultMaxChoices = (options: readonly unknown[]) =>
	Math.max(LIMITS.pollMultipleMin, options.length);
