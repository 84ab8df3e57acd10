import * as v from 'valibot';
import {
	SubmissionRequestSchema,
	submissionIssues,
	type SubmissionIssue
} from '#lib/domain/submission.ts';
import { m } from '#lib/i18n/index.ts';
import { submissionIssueMessage } from '#lib/i18n/error-labels.ts';
import { jsonError } from '#lib/server/http.ts';
import { RateLimiter } from '#lib/server/rate-limit.ts';
import { requireResident } from '#lib/server/resident-request.ts';
import { checkPhotos, receiveSubmission, type Photo } from '#lib/server/submissions.ts';
import type { RequestHandler } from './$types';

// A resident filing several reports on a walk is normal; hundreds an hour is not.
const perResident = new RateLimiter(12, 60 * 60_000, 'submissions');

// The codes the schema names. A missing key or a value of the wrong type comes back
// with valibot's own English message, which has no French reason: call it missing.
const SCHEMA_ISSUES = new Set<string>([
	'required',
	'too_long',
	'invalid_id',
	'invalid_kind',
	'invalid_category',
	'invalid_place'
] satisfies SubmissionIssue[]);
const issueCode = (code: string): SubmissionIssue =>
	SCHEMA_ISSUES.has(code) ? (code as SubmissionIssue) : 'required';

/** The form's fields as JSON in `payload`, photos as `photo` files (multipart). */
async function readRequest(
	request: Request
): Promise<{ payload: unknown; photos: Photo[] } | null> {
	const type = request.headers.get('content-type') ?? '';
	if (type.startsWith('application/json')) {
		return { payload: await request.json().catch(() => null), photos: [] };
	}
	if (!type.startsWith('multipart/form-data')) return null;
	const form = await request.formData().catch(() => null);
	if (!form) return null;
	const raw = form.get('payload');
	let payload: unknown;
	try {
		payload = typeof raw === 'string' ? JSON.parse(raw) : null;
	} catch {
		payload = null;
	}
	const photos: Photo[] = [];
	for (const entry of form.getAll('photo')) {
		if (typeof entry === 'string') return null;
		photos.push({ bytes: new Uint8Array(await entry.arrayBuffer()) });
	}
	return { payload, photos };
}

/**
 * A resident's suggestion or report, sent by the device's outbox, photos
 * included. Idempotent on outbox_id: a retry is answered 200, stored once.
 */
export const POST: RequestHandler = async ({ request, locals }) => {
	// The limit counts only items not stored yet (below): a phone resending on a bad
	// link must not spend its resident's allowance on what already arrived.
	const resident = await requireResident(locals.backend, request, {
		notResident: m.submission_not_resident()
	});
	if (!resident.ok) return resident.response;
	const { backend, residentId } = resident;
	const read = await readRequest(request);
	if (!read) return jsonError(400, 'invalid_request', m.submission_invalid_request());
	if (typeof read.payload !== 'object' || read.payload === null || Array.isArray(read.payload)) {
		return jsonError(400, 'invalid_request', m.submission_invalid_request());
	}
	const issues = submissionIssues(read.payload).map((issue) => ({
		...issue,
		code: issueCode(issue.code)
	}));
	if (issues.length > 0) {
		const [first] = issues;
		return new Response(
			JSON.stringify({
				error: first.code,
				reason: submissionIssueMessage(first.code),
				field: first.field,
				issues: issues.map((issue) => ({ ...issue, reason: submissionIssueMessage(issue.code) }))
			}),
			{ status: 400, headers: { 'content-type': 'application/json; charset=utf-8' } }
		);
	}
	const problem = checkPhotos(read.photos);
	if (problem)
		return jsonError(
			problem === 'photo_too_big' ? 413 : 400,
			problem,
			submissionIssueMessage(problem)
		);
	const parsed = v.parse(SubmissionRequestSchema, read.payload);
	const outcome = await receiveSubmission(
		backend,
		residentId,
		parsed,
		read.photos,
		new Date(),
		() => perResident.hit(residentId).allowed
	);
	if (outcome.status === 'refused') {
		switch (outcome.reason) {
			case 'place_too_far':
				return jsonError(400, 'place_too_far', submissionIssueMessage('place_too_far'));
			case 'too_many_requests':
				return jsonError(429, 'too_many_requests', m.submission_too_many());
			case 'outbox_id_reused':
				return jsonError(409, 'outbox_id_reused', m.ballot_refused_outbox_id_reused());
		}
	}
	return new Response(
		JSON.stringify({ status: 'accepted', id: outcome.id, duplicate: outcome.duplicate }),
		{
			status: outcome.duplicate ? 200 : 201,
			headers: { 'content-type': 'application/json; charset=utf-8' }
		}
	);
};
