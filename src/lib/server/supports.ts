import crypto from 'node:crypto';
import * as v from 'valibot';
import { supportsId, type AnswerDoc, type SupportsDoc } from '../domain/answer.ts';
import { nextSupports } from '../domain/tally.ts';
import type { Backend } from './backend.ts';
import { coarser, publishInBatches, type BatchHooks } from './batched.ts';
import { getOrNull, statusOf } from './couch-errors.ts';
import { slugOf } from '../domain/slug.ts';

export const SupportRequestSchema = v.object({
	outbox_id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{6,64}$/)),
	answer: v.pipe(v.string(), v.regex(/^answer:[A-Za-z0-9_-]{1,80}$/))
});
export type SupportRequest = v.InferOutput<typeof SupportRequestSchema>;

export type SupportOutcome =
	| { status: 'accepted'; duplicate: boolean }
	| { status: 'refused'; reason: 'unknown_answer' | 'not_a_suggestion' | 'already_supported' };

interface SupportDoc {
	_id: string;
	_rev?: string;
	type: 'support';
	answer: string;
	outbox_id: string;
	at: string;
}

/**
 * One support per resident and suggestion, kept beside the ballots in the
 * admin-only database under a keyed hash: who supported what stays unknown to
 * staff, as for votes; only the count is published.
 */
export function supportDocId(secret: string, answerId: string, residentId: string): string {
	const slug = slugOf(answerId);
	const hash = crypto
		.createHmac('sha256', secret)
		.update(`support\n${answerId}\n${residentId}`)
		.digest('base64url');
	return `support:${slug}:${hash}`;
}

export async function castSupport(
	backend: Backend,
	residentId: string,
	request: SupportRequest,
	now = new Date()
): Promise<SupportOutcome> {
	const answer = (await getOrNull(
		backend.couch.use(backend.databases.public),
		request.answer
	)) as unknown as AnswerDoc | null;
	if (!answer || answer.type !== 'answer') return { status: 'refused', reason: 'unknown_answer' };
	if (answer.kind !== 'suggestion') return { status: 'refused', reason: 'not_a_suggestion' };

	const db = backend.couch.use<SupportDoc>(backend.databases.ballots);
	const id = supportDocId(backend.secrets.ballotSecret, answer._id, residentId);
	const existing = await getOrNull(db, id);
	if (existing) {
		return existing.outbox_id === request.outbox_id
			? { status: 'accepted', duplicate: true }
			: { status: 'refused', reason: 'already_supported' };
	}
	try {
		await db.insert({
			_id: id,
			type: 'support',
			answer: answer._id,
			outbox_id: request.outbox_id,
			at: now.toISOString()
		});
	} catch (error) {
		if (statusOf(error) !== 409) throw error;
		const stored = await db.get(id);
		return stored.outbox_id === request.outbox_id
			? { status: 'accepted', duplicate: true }
			: { status: 'refused', reason: 'already_supported' };
	}
	return { status: 'accepted', duplicate: false };
}

/**
 * Recounts one suggestion's supports and publishes the count when the batch
 * rule says so (5 more since the last one published), with no earlier count
 * left on the server.
 */
export async function recountSupports(
	backend: Backend,
	answerId: string,
	now = new Date(),
	hooks: BatchHooks = {}
): Promise<boolean> {
	const slug = slugOf(answerId);
	const prefix = `support:${slug}:`;
	const rows = await backend.couch
		.use(backend.databases.ballots)
		.list({ startkey: prefix, endkey: `${prefix}\ufff0` });
	const supports = rows.rows.map((row) => ({
		key: row.id.slice(prefix.length),
		generation: Number.parseInt(row.value.rev, 10)
	}));
	return publishInBatches<Omit<SupportsDoc, '_rev'>>(
		backend,
		{
			stateId: `_local/supports-state:${slug}`,
			docId: supportsId(answerId),
			current: Object.fromEntries(supports.map((s) => [s.key, s.generation])),
			adopt: (existing) =>
				({ ...existing, updated_at: coarser(existing.updated_at) }) as Omit<SupportsDoc, '_rev'>,
			decide: (last) => {
				const next = nextSupports(
					answerId,
					supports,
					last && { mark: last.mark, supports: last.body },
					now
				);
				return next && { mark: next.mark, body: next.supports };
			}
		},
		hooks
	);
}
