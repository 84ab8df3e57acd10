import type { BallotRefusal } from '../domain/poll.ts';
import { CODES_PER_REQUEST } from '../domain/limits.ts';
import { CODE_DIGITS, CODE_LENGTH, CODE_LETTERS, codeProblem } from '../domain/resident-code.ts';
import type { SubmissionIssue } from '../domain/submission.ts';
import { m } from './paraglide/messages.js';
import { getLocale } from './paraglide/runtime.js';

/** Refusals the server explains, also shown by the forms that can cause them. */
type Words<K extends string> = Record<K, () => string>;
export type ResidentErrorCode =
	| 'invalid_format'
	| 'unknown_code'
	| 'not_found'
	| 'too_many'
	| 'invalid_label'
	| 'session_unavailable';

const ballotRefusals: Words<BallotRefusal | 'unknown_poll'> = {
	poll_not_open: m.ballot_refused_poll_not_open,
	poll_closed: m.ballot_refused_poll_closed,
	no_choice: m.ballot_refused_no_choice,
	too_many_choices: m.ballot_refused_too_many_choices,
	unknown_choice: m.ballot_refused_unknown_choice,
	duplicate_choice: m.ballot_refused_duplicate_choice,
	already_voted: m.ballot_refused_already_voted,
	outbox_id_reused: m.ballot_refused_outbox_id_reused,
	unknown_poll: m.ballot_refused_unknown_poll
};

const residentErrors: Words<ResidentErrorCode> = {
	invalid_format: () => m.residents_invalid_format(codeAlphabet()),
	unknown_code: m.residents_unknown_code,
	not_found: m.residents_not_found,
	too_many: () => m.residents_too_many({ max: CODES_PER_REQUEST }),
	invalid_label: m.residents_invalid_label,
	session_unavailable: m.residents_session_unavailable
};

const submissionIssues: Words<SubmissionIssue> = {
	required: m.validation_required,
	too_long: m.validation_too_long,
	invalid_id: m.submission_invalid_request,
	invalid_kind: m.submission_invalid_kind,
	invalid_category: m.validation_invalid_category,
	invalid_place: m.submission_invalid_place,
	place_too_far: m.submission_place_too_far,
	too_many_photos: m.submission_too_many_photos,
	photo_too_big: m.submission_photo_too_big,
	not_an_image: m.submission_not_an_image
};

export const ballotRefusalMessage = (reason: BallotRefusal | 'unknown_poll') =>
	ballotRefusals[reason]();
export const residentErrorMessage = (code: ResidentErrorCode) => residentErrors[code]();
export const submissionIssueMessage = (code: SubmissionIssue) => submissionIssues[code]();

/** The code alphabet as the messages name it, built from resident-code.ts. */
function codeAlphabet() {
	return { length: CODE_LENGTH, letters: CODE_LETTERS.join(' '), digits: CODE_DIGITS.join(' ') };
}

export const codeHelpMessage = () => m.resident_codeHelp(codeAlphabet());

/**
 * Why a typed code cannot be one, in words: the characters codes never use,
 * or the length; the general form when neither is known (not a string).
 */
export function codeFormatMessage(typed?: unknown): string {
	const problem = typeof typed === 'string' ? codeProblem(typed) : null;
	if (problem?.kind === 'characters') {
		const locale = getLocale();
		const [open, close] = locale === 'fr' ? ['« ', ' »'] : ['“', '”'];
		const chars = new Intl.ListFormat(locale, { type: 'conjunction' }).format(
			problem.wrong.map((char) => `${open}${char}${close}`)
		);
		return m.residents_invalid_characters({ chars, ...codeAlphabet() });
	}
	if (problem?.kind === 'length') {
		return m.residents_invalid_length({ length: CODE_LENGTH, typed: problem.length });
	}
	return m.residents_invalid_format(codeAlphabet());
}
