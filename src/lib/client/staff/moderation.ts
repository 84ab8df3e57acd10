import { answerFrom, type AnswerDoc } from '../../domain/answer.ts';
import { closedLeaf } from '../../domain/staff-notice.ts';
import type { SubmissionDoc } from '../../domain/submission.ts';
import type { StaffDbs } from './handles.ts';
import { slugOf } from '../../domain/slug.ts';

/** The fields staff may change; the rest is the resident's and CouchDB refuses changes to it. */
export type ModerationChange = Partial<
	Pick<SubmissionDoc, 'status' | 'answer' | 'decline_reason' | 'merged_into' | 'seen' | 'published'>
>;

/** Applies a moderation change to the latest local revision, signed by `by`. */
export async function moderateSubmission(
	dbs: StaffDbs,
	id: string,
	change: ModerationChange,
	now = new Date(),
	by?: string
): Promise<SubmissionDoc> {
	const current = (await dbs.local.mairie.get(id)) as unknown as SubmissionDoc;
	const next: SubmissionDoc = {
		...current,
		...change,
		updated_at: now.toISOString(),
		...(by ? { updated_by: by } : {})
	};
	// The first response starts nothing over: it measures the time to answer (participation report).
	if (!next.answered_at && (next.status !== 'received' || next.answer.trim())) {
		next.answered_at = now.toISOString();
	}
	const result = await dbs.local.mairie.put(next as never);
	return { ...next, _rev: result.rev };
}

/** A photo the resident attached, from the laptop's copy (works offline). */
export async function submissionPhoto(dbs: StaffDbs, id: string, name: string): Promise<Blob> {
	return (await dbs.local.mairie.getAttachment(id, name)) as Blob;
}

/**
 * Publishes (or updates) the public answer to a submission: its text, status
 * and answer, the name only if the resident gave one, never who they are.
 */
export async function publishAnswer(
	dbs: StaffDbs,
	submission: SubmissionDoc,
	now = new Date(),
	by?: string
): Promise<void> {
	const id = `answer:${slugOf(submission._id)}`;
	const previous = (await dbs.local.public.get(id, { conflicts: true }).catch(() => null)) as
		(AnswerDoc & { _conflicts?: string[] }) | null;
	await dbs.local.public.put(answerFrom(submission, now, previous ?? undefined) as never);
	// An answer is made from its submission, whose own conflicts staff settle: copies two
	// laptops published offline are replaced by this one, not left as a conflict nobody sees.
	if (previous?._conflicts?.length) {
		await dbs.local.public.bulkDocs(
			previous._conflicts.map((rev) => closedLeaf(id, rev)) as never[]
		);
	}
	if (submission.published !== id) {
		await moderateSubmission(dbs, submission._id, { published: id }, now, by);
	}
}

export async function unpublishAnswer(
	dbs: StaffDbs,
	submission: SubmissionDoc,
	now = new Date(),
	by?: string
): Promise<void> {
	if (!submission.published) return;
	const previous = await dbs.local.public.get(submission.published).catch(() => null);
	if (previous) await dbs.local.public.remove(previous);
	await moderateSubmission(dbs, submission._id, { published: null }, now, by);
}
