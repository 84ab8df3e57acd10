import { bytesMatchType, SNIFF_BYTES } from '../domain/files.ts';

/**
 * Staff attachments reach CouchDB through /db/ from a laptop's replica, and
 * validate_doc_update sees only their stated type and length: the proxy reads
 * their first bytes, as the submissions API does for residents' photos.
 */

const TYPE_LABELS: Record<string, string> = {
	'application/pdf': 'PDF',
	'image/jpeg': 'JPEG',
	'image/png': 'PNG',
	'image/webp': 'WebP'
};

/** Base64 characters that decode to at least SNIFF_BYTES bytes. */
const SNIFF_CHARS = Math.ceil(SNIFF_BYTES / 3) * 4;

function problemWith(name: string, contentType: unknown, bytes: Uint8Array): string | null {
	const type = typeof contentType === 'string' ? contentType : '';
	if (bytesMatchType(bytes, type)) return null;
	const label = TYPE_LABELS[type.split(';')[0].trim().toLowerCase()];
	return label
		? `La pièce jointe « ${name} » n’est pas un vrai fichier ${label} : elle n’a pas été enregistrée.`
		: `La pièce jointe « ${name} » n’est pas d’un type accepté (PDF, JPEG, PNG ou WebP).`;
}

/** Why a document's inline attachments must not be stored, in French; null when they may. */
export function documentAttachmentProblem(doc: unknown): string | null {
	const files = (doc as { _attachments?: unknown } | null)?._attachments;
	if (files === undefined || files === null || typeof files !== 'object') return null;
	for (const [name, file] of Object.entries(files as Record<string, unknown>)) {
		const entry = file as { data?: unknown; follows?: unknown; content_type?: unknown } | null;
		if (!entry || typeof entry !== 'object') continue;
		if (entry.follows)
			return 'Les pièces jointes envoyées à part (multipart) ne sont pas acceptées.';
		if (entry.data === undefined) continue; // a stub: CouchDB checks it names a stored file
		if (typeof entry.data !== 'string') {
			return `La pièce jointe « ${name} » est illisible.`;
		}
		const head = new Uint8Array(Buffer.from(entry.data.slice(0, SNIFF_CHARS), 'base64'));
		const problem = problemWith(name, entry.content_type, head);
		if (problem) return problem;
	}
	return null;
}

/** Why an attachment written alone (`PUT /db/<db>/<doc>/<name>`) must not be stored. */
export function rawAttachmentProblem(
	name: string,
	contentType: string | null,
	bytes: Uint8Array
): string | null {
	return problemWith(name, contentType, bytes.subarray(0, SNIFF_BYTES));
}

export interface BulkDocsSplit {
	/** The body to forward (null when no document is left). */
	forward: Record<string, unknown> | null;
	/** Per-document refusals, in CouchDB's `_bulk_docs` result shape. */
	refused: { id: string; error: 'forbidden'; reason: string }[];
	/** Position of each forwarded document in the original request. */
	positions: number[];
	newEdits: boolean;
}

/**
 * Sets apart the documents of a `_bulk_docs` that may not pass: design
 * documents (the rules themselves, only provisioning writes them) and those
 * whose attachments are not what they claim. Refused per document as CouchDB
 * 3 does (`forbidden`), on either back end.
 */
export function splitBulkDocs(body: Record<string, unknown>): BulkDocsSplit | null {
	const docs = body.docs;
	if (!Array.isArray(docs)) return null;
	const kept: unknown[] = [];
	const positions: number[] = [];
	const refused: BulkDocsSplit['refused'] = [];
	docs.forEach((doc, index) => {
		const id = (doc as { _id?: unknown } | null)?._id;
		const problem =
			typeof id === 'string' && id.startsWith('_design/')
				? 'Les règles de la base ne s’écrivent pas depuis l’application.'
				: documentAttachmentProblem(doc);
		if (problem === null) {
			kept.push(doc);
			positions.push(index);
		} else {
			refused.push({ id: typeof id === 'string' ? id : '', error: 'forbidden', reason: problem });
		}
	});
	if (refused.length === 0) return null;
	return {
		forward: kept.length > 0 ? { ...body, docs: kept } : null,
		refused,
		positions,
		newEdits: body.new_edits !== false
	};
}

/**
 * CouchDB's answer for the whole request: with new_edits (the default) one
 * result per document in order; without, only the failures.
 */
export function mergeBulkResults(split: BulkDocsSplit, upstream: unknown[]): unknown[] {
	if (!split.newEdits) return [...upstream, ...split.refused];
	const total = split.positions.length + split.refused.length;
	const results: unknown[] = new Array(total);
	split.positions.forEach((position, i) => (results[position] = upstream[i]));
	let next = 0;
	for (let i = 0; i < total; i++) if (results[i] === undefined) results[i] = split.refused[next++];
	return results;
}
