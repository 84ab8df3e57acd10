import { sniffImageType } from '../domain/files.ts';
import { LIMITS } from '../domain/limits.ts';
import {
	distanceKm,
	statusView,
	type SubmissionDoc,
	type SubmissionRequest,
	type SubmissionStatusView
} from '../domain/submission.ts';
import type { Backend } from './backend.ts';
import { getOrNull, statusOf } from './couch-errors.ts';
import { readCommune } from './public-read.ts';

export type SubmissionOutcome =
	| { status: 'accepted'; id: string; duplicate: boolean }
	| { status: 'refused'; reason: 'outbox_id_reused' | 'place_too_far' | 'too_many_requests' };

export interface Photo {
	bytes: Uint8Array;
}

export type PhotoProblem = 'too_many_photos' | 'photo_too_big' | 'not_an_image';

const EXTENSIONS = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' } as const;

/** Checks photos by their bytes, not by what the client says they are. */
export function checkPhotos(photos: readonly Photo[]): PhotoProblem | null {
	if (photos.length > LIMITS.photosMax) return 'too_many_photos';
	for (const photo of photos) {
		if (photo.bytes.length > LIMITS.photoBytesMax) return 'photo_too_big';
		if (!sniffImageType(photo.bytes)) return 'not_an_image';
	}
	return null;
}

/**
 * Stores a resident's suggestion or report in `<commune>-mairie`. The outbox id
 * names the document, so a retry finds it and is answered as already received:
 * stored once however often the device sends it.
 */
export async function receiveSubmission(
	backend: Backend,
	residentId: string,
	request: SubmissionRequest,
	photos: readonly Photo[],
	now = new Date(),
	/** Asked only for an item not stored yet: a resend never counts against a limit. */
	mayStoreNew: () => boolean = () => true
): Promise<SubmissionOutcome> {
	const db = backend.couch.use<SubmissionDoc>(backend.databases.mairie);
	const id = `submission:${request.outbox_id}`;
	const existing = await getOrNull(db, id);
	if (existing) {
		return existing.type === 'submission' && existing.author === residentId
			? { status: 'accepted', id, duplicate: true }
			: { status: 'refused', reason: 'outbox_id_reused' };
	}
	// The commune's document, not the configuration: a deployment serves several.
	const { centre } = await readCommune(backend);
	const place = request.place;
	if (
		centre &&
		place?.lat != null &&
		place.lng != null &&
		distanceKm(centre, { lat: place.lat, lng: place.lng }) > LIMITS.placeRadiusKm
	) {
		return { status: 'refused', reason: 'place_too_far' };
	}
	if (!mayStoreNew()) return { status: 'refused', reason: 'too_many_requests' };
	const attachments: Record<string, { content_type: string; data: string }> = {};
	photos.forEach((photo, index) => {
		const type = sniffImageType(photo.bytes)!;
		attachments[`photo-${index + 1}.${EXTENSIONS[type]}`] = {
			content_type: type,
			data: Buffer.from(photo.bytes).toString('base64')
		};
	});
	const doc: SubmissionDoc = {
		_id: id,
		type: 'submission',
		kind: request.kind,
		title: request.title,
		body: request.body,
		category: request.category,
		place: place && (place.address || place.lat !== null) ? place : null,
		author: residentId,
		public_name: request.public_name,
		created_at: now.toISOString(),
		status: 'received',
		decline_reason: '',
		answer: '',
		merged_into: null,
		seen: false,
		published: null,
		updated_at: now.toISOString(),
		...(photos.length > 0 ? { _attachments: attachments } : {})
	};
	try {
		await db.insert(doc as SubmissionDoc & { _attachments?: never });
	} catch (error) {
		// Two sends of the same item crossing: the other one stored it.
		if (statusOf(error) !== 409) throw error;
		const stored = await db.get(id);
		if (stored.author !== residentId) return { status: 'refused', reason: 'outbox_id_reused' };
		return { status: 'accepted', id, duplicate: true };
	}
	return { status: 'accepted', id, duplicate: false };
}

/** A resident's own submissions, newest first: status and answer only. */
export async function submissionsOf(
	backend: Backend,
	residentId: string
): Promise<SubmissionStatusView[]> {
	const db = backend.couch.use<SubmissionDoc>(backend.databases.mairie);
	const result = await db.view<null>('crieur', 'submissions_by_author', {
		key: residentId,
		include_docs: true
	});
	return result.rows
		.map((row) => row.doc)
		.filter((doc): doc is NonNullable<typeof doc> => Boolean(doc))
		.map((doc) => statusView(doc as unknown as SubmissionDoc))
		.sort((a, b) => b.created_at.localeCompare(a.created_at));
}
