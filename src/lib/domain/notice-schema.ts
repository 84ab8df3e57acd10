import * as v from 'valibot';
import { ISO_DATE_PATTERN, LIMITS } from './limits.ts';
import type { DraftNotice, Notice } from './notice.ts';
import type { Commune } from './commune.ts';
import type { Validation, ValidationCode } from './validation.ts';
import type { Poll } from './poll.ts';
import { PollSchema } from './poll-schema.ts';
import { EventSchema } from './event-schema.ts';
import type { CommuneEvent } from './event.ts';
import { isReservedId } from './slug.ts';
import { ZoneIdsSchema, ZonesSchema } from './zones.ts';

// Schemas of what staff write, apart from notice.ts so that villager pages,
// which only read, do not load valibot.
const isoDate = v.pipe(
	v.string('invalid_date'),
	v.regex(new RegExp(ISO_DATE_PATTERN), 'invalid_date'),
	v.check((value) => !Number.isNaN(Date.parse(value)), 'invalid_date')
);

/** Text that must not be blank; lengths count as typed, like validate_doc_update does. */
const requiredText = (max: number) =>
	v.pipe(
		v.string('required'),
		v.check((value) => value.trim().length > 0, 'required'),
		v.maxLength(max, 'too_long')
	);

const attachment = v.object({
	content_type: v.picklist(LIMITS.attachmentTypes, 'invalid_attachment_type'),
	length: v.optional(
		v.pipe(v.number(), v.maxValue(LIMITS.attachmentBytesMax, 'attachment_too_big'))
	),
	digest: v.optional(v.string()),
	stub: v.optional(v.boolean()),
	data: v.optional(v.unknown()),
	revpos: v.optional(v.number())
});

const attachments = v.optional(
	v.pipe(
		v.record(
			v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.attachmentNameMax, 'too_long')),
			attachment
		),
		v.check((files) => Object.keys(files).length <= LIMITS.attachmentsMax, 'too_many_attachments'),
		v.check(
			(files) =>
				Object.values(files).reduce((total, file) => total + (file.length ?? 0), 0) <=
				LIMITS.attachmentsBytesMax,
			'attachments_too_heavy'
		)
	)
);

const noticeEntries = {
	_id: v.pipe(
		v.string(),
		v.startsWith('notice:', 'invalid_id'),
		v.check((id) => !isReservedId(id), 'invalid_id')
	),
	_rev: v.optional(v.string()),
	_attachments: attachments,
	type: v.literal('notice'),
	title: requiredText(LIMITS.titleMax),
	body: v.pipe(v.string('required'), v.maxLength(LIMITS.bodyMax, 'too_long')),
	category: v.picklist(LIMITS.categories, 'invalid_category'),
	urgent: v.boolean('invalid_boolean'),
	published_at: isoDate,
	expires_at: v.nullable(isoDate),
	created_at: isoDate,
	updated_at: isoDate,
	author: v.pipe(v.string(), v.maxLength(LIMITS.authorMax, 'too_long')),
	/** The staff member who saved this revision (shown when two versions conflict). */
	updated_by: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.authorMax, 'too_long'))),
	event: v.optional(
		v.nullable(v.pipe(v.string(), v.regex(new RegExp(LIMITS.eventIdPattern), 'invalid_event')))
	),
	/** The zones an alert is aimed at; absent or empty, the whole commune. */
	zones: v.optional(ZoneIdsSchema),
	files_alt: v.optional(
		v.pipe(
			// A record accepts an array as an object with keys "0", "1"…: CouchDB does not.
			v.custom<object>((texts) => typeof texts === 'object' && !Array.isArray(texts)),
			v.record(v.string(), requiredText(LIMITS.fileAltMax))
		)
	)
};

/** Every picture has its short description: the alternative text villagers' readers speak. */
function picturesDescribed<
	T extends {
		_attachments?: Record<string, { content_type: string }>;
		files_alt?: Record<string, string>;
	}
>(notice: T): boolean {
	return Object.entries(notice._attachments ?? {}).every(
		([name, file]) =>
			!file.content_type.startsWith('image/') || (notice.files_alt?.[name] ?? '').trim() !== ''
	);
}

function expiresAfterPublication<T extends { published_at: string; expires_at: string | null }>(
	notice: T
): boolean {
	return (
		notice.expires_at === null || Date.parse(notice.expires_at) > Date.parse(notice.published_at)
	);
}

export const NoticeSchema = v.pipe(
	v.looseObject(noticeEntries),
	v.forward(v.check(expiresAfterPublication, 'expires_before_publication'), ['expires_at']),
	v.forward(v.check(picturesDescribed, 'missing_alt'), ['files_alt'])
);

export const DraftNoticeSchema = v.pipe(
	v.looseObject({
		...noticeEntries,
		status: v.picklist(LIMITS.draftStatuses, 'invalid_status')
	}),
	v.forward(v.check(expiresAfterPublication, 'expires_before_publication'), ['expires_at']),
	v.forward(v.check(picturesDescribed, 'missing_alt'), ['files_alt'])
);

export const CommuneSchema = v.looseObject({
	_id: v.literal('commune'),
	_rev: v.optional(v.string()),
	type: v.literal('commune'),
	slug: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9-]{1,40}$/, 'invalid_slug')),
	name: requiredText(LIMITS.communeNameMax),
	timezone: requiredText(64),
	centre: v.optional(
		v.object({
			lat: v.pipe(v.number(), v.minValue(-90), v.maxValue(90)),
			lng: v.pipe(v.number(), v.minValue(-180), v.maxValue(180))
		})
	),
	zones: v.optional(ZonesSchema)
});

const KNOWN_CODES = new Set<string>([
	'required',
	'too_long',
	'invalid_date',
	'invalid_category',
	'invalid_boolean',
	'invalid_status',
	'invalid_id',
	'invalid_slug',
	'invalid_attachment_type',
	'attachment_too_big',
	'too_many_attachments',
	'attachments_too_heavy',
	'expires_before_publication',
	'invalid_options',
	'too_few_options',
	'too_many_options',
	'duplicate_option',
	'duplicate_label',
	'invalid_max_choices',
	'max_choices_too_low',
	'max_choices_too_high',
	'invalid_results',
	'closes_before_opening',
	'ends_before_start',
	'event_too_long',
	'invalid_limit',
	'invalid_event',
	'missing_alt',
	'invalid_zone',
	'too_many_zones',
	'duplicate_zone'
]);

function toValidation<T>(result: v.SafeParseResult<v.GenericSchema<unknown, T>>): Validation<T> {
	if (result.success) return { ok: true, value: result.output };
	return {
		ok: false,
		issues: result.issues.map((issue) => ({
			field: v.getDotPath(issue) ?? '',
			code: (KNOWN_CODES.has(issue.message) ? issue.message : 'invalid_type') as ValidationCode
		}))
	};
}

const schemasByType = {
	notice: NoticeSchema,
	commune: CommuneSchema,
	poll: PollSchema,
	event: EventSchema
} as const;

/**
 * Validates a document staff may write to `<commune>-public`. Tallies are the
 * server's and are refused here, as validate_doc_update refuses them from staff.
 */
export function validatePublicDoc(
	doc: unknown
): Validation<Notice | Commune | Poll | CommuneEvent> {
	if (typeof doc !== 'object' || doc === null) {
		return { ok: false, issues: [{ field: '', code: 'invalid_type' }] };
	}
	const type = (doc as { type?: unknown }).type;
	const schema = schemasByType[type as keyof typeof schemasByType];
	if (!schema) return { ok: false, issues: [{ field: 'type', code: 'invalid_type' }] };
	return toValidation(
		v.safeParse(schema as v.GenericSchema<unknown, Notice | Commune | Poll | CommuneEvent>, doc)
	);
}

export function validateDraft(doc: unknown): Validation<DraftNotice> {
	return toValidation(v.safeParse(DraftNoticeSchema as v.GenericSchema<unknown, DraftNotice>, doc));
}
