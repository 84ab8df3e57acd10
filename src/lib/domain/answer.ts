import type {
	SubmissionCategory,
	SubmissionDoc,
	SubmissionKind,
	SubmissionStatus
} from './submission.ts';
import { slugOf } from './slug.ts';

/**
 * What the public sees of suggestions and reports: the mairie's answer and the
 * count of supports. Kept apart from submission.ts (and its schemas) so that
 * villager pages reading the replica do not load the validation library.
 */

/** The public answer in `<commune>-public`. */
export interface AnswerDoc {
	_id: string;
	_rev?: string;
	type: 'answer';
	kind: SubmissionKind;
	title: string;
	body: string;
	category: SubmissionCategory;
	status: 'accepted' | 'in_progress' | 'resolved';
	answer: string;
	place_address: string;
	public_name: string | null;
	submitted_at: string;
	answered_at: string;
	updated_at: string;
}

/** Whether staff may publish an answer for a submission in this status. */
export function isPublishable(status: SubmissionStatus): status is AnswerDoc['status'] {
	return status === 'accepted' || status === 'in_progress' || status === 'resolved';
}

/** The public answer made from a submission: never the author, the name only by consent. */
export function answerFrom(submission: SubmissionDoc, now: Date, previous?: AnswerDoc): AnswerDoc {
	if (!isPublishable(submission.status)) throw new Error('answerFrom: not publishable');
	return {
		_id: previous?._id ?? `answer:${slugOf(submission._id)}`,
		...(previous?._rev ? { _rev: previous._rev } : {}),
		type: 'answer',
		kind: submission.kind,
		title: submission.title,
		body: submission.body,
		category: submission.category,
		status: submission.status,
		answer: submission.answer,
		place_address: submission.place?.address ?? '',
		public_name: submission.public_name,
		submitted_at: submission.created_at,
		answered_at: previous?.answered_at ?? now.toISOString(),
		updated_at: now.toISOString()
	};
}

/** Newest answers first. */
export function sortAnswers<T extends Pick<AnswerDoc, 'answered_at' | '_id'>>(answers: T[]): T[] {
	return [...answers].sort(
		(a, b) => b.answered_at.localeCompare(a.answered_at) || a._id.localeCompare(b._id)
	);
}

/** How many residents support a published suggestion: written by the server, like a tally. */
export interface SupportsDoc {
	_id: string;
	_rev?: string;
	type: 'supports';
	answer: string;
	count: number;
	updated_at: string;
}

export function supportsId(answerId: string): string {
	return `supports:${slugOf(answerId)}`;
}
