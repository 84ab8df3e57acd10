import * as v from 'valibot';
import { LIMITS } from './limits.ts';

/**
 * Suggestions (boîte à idées) and reports (signalements) from residents. They
 * are written by the app server into the staff-only `<commune>-mairie`
 * database; staff moderate them there and publish an answer as an `answer`
 * document in `<commune>-public`, without the author unless they agreed.
 */
export type SubmissionKind = (typeof LIMITS.submissionKinds)[number];
export type SubmissionCategory = (typeof LIMITS.submissionCategories)[number];
export type SubmissionStatus = (typeof LIMITS.submissionStatuses)[number];

export interface Place {
	lat: number | null;
	lng: number | null;
	address: string;
}

export interface SubmissionDoc {
	_id: string;
	_rev?: string;
	type: 'submission';
	kind: SubmissionKind;
	title: string;
	body: string;
	category: SubmissionCategory;
	place: Place | null;
	/** Resident id: staff-only, never published. */
	author: string;
	/** Published beside the answer only when the author agreed. */
	public_name: string | null;
	created_at: string;
	status: SubmissionStatus;
	decline_reason: string;
	answer: string;
	merged_into: string | null;
	/** False until a staff member opened it: the queue flags it as new. */
	seen: boolean;
	/** Id of the public answer, once published. */
	published: string | null;
	updated_at: string;
	/** The staff member who last moderated it. */
	updated_by?: string;
	/** The mairie's first response (a status or an answer); absent on older submissions. */
	answered_at?: string | null;
	_attachments?: Record<string, { content_type: string; length?: number; digest?: string }>;
}

/** What residents may read of their own submissions (GET /api/submissions/mine). */
export interface SubmissionStatusView {
	id: string;
	kind: SubmissionKind;
	title: string;
	status: SubmissionStatus;
	decline_reason: string;
	answer: string;
	created_at: string;
	updated_at: string;
}

const trimmed = (max: number, minLength = 1) =>
	v.pipe(
		v.string('required'),
		v.trim(),
		v.minLength(minLength, 'required'),
		v.maxLength(max, 'too_long')
	);

const coordinate = (min: number, max: number) =>
	v.nullable(
		v.pipe(
			v.number('invalid_place'),
			v.finite('invalid_place'),
			v.minValue(min, 'invalid_place'),
			v.maxValue(max, 'invalid_place')
		)
	);

export const PlaceSchema = v.pipe(
	v.object({
		lat: coordinate(-90, 90),
		lng: coordinate(-180, 180),
		address: v.pipe(v.string(), v.trim(), v.maxLength(LIMITS.placeAddressMax, 'too_long'))
	}),
	v.check((place) => (place.lat === null) === (place.lng === null), 'invalid_place')
);

/** What a resident's device sends (photos travel beside it, as files). */
export const SubmissionRequestSchema = v.object({
	outbox_id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{6,64}$/, 'invalid_id')),
	kind: v.picklist(LIMITS.submissionKinds, 'invalid_kind'),
	title: trimmed(LIMITS.submissionTitleMax, 3),
	body: trimmed(LIMITS.submissionBodyMax, 1),
	category: v.picklist(LIMITS.submissionCategories, 'invalid_category'),
	place: v.nullable(PlaceSchema),
	public_name: v.nullable(trimmed(LIMITS.authorMax))
});
export type SubmissionRequest = v.InferOutput<typeof SubmissionRequestSchema>;

export type SubmissionIssue =
	| 'required'
	| 'too_long'
	| 'invalid_id'
	| 'invalid_kind'
	| 'invalid_category'
	| 'invalid_place'
	| 'place_too_far'
	| 'too_many_photos'
	| 'photo_too_big'
	| 'not_an_image';

/** First issue per field, in the order the form shows them. */
export function submissionIssues(input: unknown): { field: string; code: SubmissionIssue }[] {
	const result = v.safeParse(SubmissionRequestSchema, input, { abortPipeEarly: true });
	if (result.success) return [];
	const seen = new Set<string>();
	const issues: { field: string; code: SubmissionIssue }[] = [];
	for (const issue of result.issues) {
		const field = issue.path?.[0]?.key;
		const name = typeof field === 'string' ? field : 'form';
		if (seen.has(name)) continue;
		seen.add(name);
		issues.push({ field: name, code: (issue.message as SubmissionIssue) ?? 'required' });
	}
	return issues;
}

/** Kilometres between two points (haversine): a report's place must be in or near the commune. */
export function distanceKm(
	a: { lat: number; lng: number },
	b: { lat: number; lng: number }
): number {
	const rad = Math.PI / 180;
	const dLat = (b.lat - a.lat) * rad;
	const dLng = (b.lng - a.lng) * rad;
	const h =
		Math.sin(dLat / 2) ** 2 +
		Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
	return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/** Statuses staff may move a submission to, from where it is. */
export function nextStatuses(status: SubmissionStatus): SubmissionStatus[] {
	switch (status) {
		case 'received':
			return ['accepted', 'in_progress', 'resolved', 'declined', 'merged'];
		case 'accepted':
			return ['in_progress', 'resolved', 'declined', 'merged'];
		case 'in_progress':
			return ['resolved', 'accepted', 'declined'];
		case 'resolved':
			return ['in_progress'];
		case 'declined':
		case 'merged':
			return ['received'];
	}
}

/** A resident's view of their submission: status and answer, nothing of the staff's notes. */
export function statusView(doc: SubmissionDoc): SubmissionStatusView {
	return {
		id: doc._id,
		kind: doc.kind,
		title: doc.title,
		status: doc.status,
		decline_reason: doc.status === 'declined' ? doc.decline_reason : '',
		answer: doc.answer,
		created_at: doc.created_at,
		updated_at: doc.updated_at
	};
}
