import type { StaffLocation } from '../../domain/staff-notice.ts';

/** Why the server refused a laptop's document, as staff are told it. */
export type RefusalKind = 'rules' | 'too_large' | 'conflict' | 'not_allowed' | 'other';

/**
 * A document the server refused during a staff sync. Kept on the laptop (the
 * change stays there too) and sent again on each sync until the server takes
 * it or staff give the change up.
 */
export interface Refusal {
	location: StaffLocation;
	id: string;
	/** What staff know the document by: its title, question or name. */
	title: string;
	kind: RefusalKind;
	/** The server's own words for `rules` (validate_doc_update's, French); otherwise empty. */
	reason: string;
	/** The document's leaf revisions when refused: it is sent again once they change. */
	revs: string[];
	at: string;
}

/** One refusal per document and location. */
export const refusalKey = (refusal: Pick<Refusal, 'location' | 'id'>) =>
	`${refusal.location} ${refusal.id}`;

/** CouchDB's words when validate_doc_update throws something other than our messages. */
const GENERIC_REASONS = new Set(['', 'forbidden', 'unauthorized', 'Forbidden', 'Unauthorized']);

export function refusalOf(
	location: StaffLocation,
	doc: { _id: string; title?: unknown; question?: unknown; label?: unknown },
	result: { error?: string; reason?: string },
	revs: string[],
	now = new Date()
): Refusal {
	const error = result.error ?? '';
	const reason = (result.reason ?? '').trim();
	const kind: RefusalKind =
		error === 'too_large' || error === 'document_too_large' || error === 'payload_too_large'
			? 'too_large'
			: error === 'conflict'
				? 'conflict'
				: error === 'unauthorized' || (error === 'forbidden' && GENERIC_REASONS.has(reason))
					? 'not_allowed'
					: error === 'forbidden'
						? 'rules'
						: 'other';
	return {
		location,
		id: doc._id,
		title: titleOf(doc),
		kind,
		reason: kind === 'rules' ? reason : '',
		revs,
		at: now.toISOString()
	};
}

function titleOf(doc: { _id: string; title?: unknown; question?: unknown; label?: unknown }) {
	for (const field of [doc.title, doc.question, doc.label]) {
		if (typeof field === 'string' && field.trim() !== '') return field.trim();
	}
	return doc._id;
}
