import * as v from 'valibot';
import { ISO_DATE_PATTERN, LIMITS, type DraftStatus, type NoticeCategory } from './limits.ts';
import { PollSchema, type Poll } from './poll.ts';
import type { Tally } from './tally.ts';

export type { NoticeCategory, DraftStatus };
export const CATEGORIES: readonly NoticeCategory[] = LIMITS.categories;

/** Attachment metadata as the villager replica keeps it (the bytes stay on the server). */
export interface FileInfo {
	name: string;
	content_type: string;
	length: number;
}

/** The fields a notice has wherever it is stored. CouchDB field names are snake_case. */
export interface NoticeFields {
	type: 'notice';
	title: string;
	body: string;
	category: NoticeCategory;
	urgent: boolean;
	published_at: string;
	expires_at: string | null;
	created_at: string;
	updated_at: string;
	author: string;
}

/** A notice in `<commune>-public`: visible to all between published_at and expires_at. */
export interface Notice extends NoticeFields {
	_id: string;
	_rev?: string;
	_attachments?: Record<string, AttachmentStub>;
	/** Filled in by the villager replica, which keeps attachment metadata only. */
	files?: FileInfo[];
}

/** A notice in `<commune>-mairie`: a draft, a scheduled notice, or a retracted one kept for the record. */
export interface DraftNotice extends NoticeFields {
	_id: string;
	_rev?: string;
	_attachments?: Record<string, AttachmentStub>;
	status: DraftStatus;
}

export interface AttachmentStub {
	content_type: string;
	length?: number;
	digest?: string;
	stub?: boolean;
	data?: string | Blob;
}

export interface Commune {
	_id: 'commune';
	_rev?: string;
	type: 'commune';
	slug: string;
	name: string;
	timezone: string;
}

/** What the first, server-rendered visit needs: the commune and what is current. */
export interface PublicSnapshot {
	commune: Commune;
	notices: Notice[];
	/** Polls not closed for more than a month, with their tallies. */
	polls: PollWithTally[];
	generated_at: string;
}

export interface PollWithTally {
	poll: Poll;
	tally: Tally | null;
}

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
		v.check((files) => Object.keys(files).length <= LIMITS.attachmentsMax, 'too_many_attachments')
	)
);

const noticeEntries = {
	_id: v.pipe(v.string(), v.startsWith('notice:', 'invalid_id')),
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
	author: v.pipe(v.string(), v.maxLength(LIMITS.authorMax, 'too_long'))
};

function expiresAfterPublication<T extends { published_at: string; expires_at: string | null }>(
	notice: T
): boolean {
	return (
		notice.expires_at === null || Date.parse(notice.expires_at) > Date.parse(notice.published_at)
	);
}

export const NoticeSchema = v.pipe(
	v.looseObject(noticeEntries),
	v.forward(v.check(expiresAfterPublication, 'expires_before_publication'), ['expires_at'])
);

export const DraftNoticeSchema = v.pipe(
	v.looseObject({
		...noticeEntries,
		status: v.picklist(LIMITS.draftStatuses, 'invalid_status')
	}),
	v.forward(v.check(expiresAfterPublication, 'expires_before_publication'), ['expires_at'])
);

export const CommuneSchema = v.looseObject({
	_id: v.literal('commune'),
	_rev: v.optional(v.string()),
	type: v.literal('commune'),
	slug: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9-]{1,40}$/, 'invalid_slug')),
	name: requiredText(LIMITS.communeNameMax),
	timezone: requiredText(64)
});

export type ValidationCode =
	| 'required'
	| 'too_long'
	| 'invalid_date'
	| 'invalid_category'
	| 'invalid_boolean'
	| 'invalid_status'
	| 'invalid_id'
	| 'invalid_slug'
	| 'invalid_type'
	| 'invalid_attachment_type'
	| 'attachment_too_big'
	| 'too_many_attachments'
	| 'expires_before_publication'
	| 'invalid_options'
	| 'too_few_options'
	| 'too_many_options'
	| 'duplicate_option'
	| 'invalid_max_choices'
	| 'invalid_results'
	| 'closes_before_opening';

export interface ValidationIssue {
	field: string;
	code: ValidationCode;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

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
	'expires_before_publication',
	'invalid_options',
	'too_few_options',
	'too_many_options',
	'duplicate_option',
	'invalid_max_choices',
	'invalid_results',
	'closes_before_opening'
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
	poll: PollSchema
} as const;

/**
 * Validates a document staff may write to `<commune>-public`. Tallies are the
 * server's and are refused here, as validate_doc_update refuses them from staff.
 */
export function validatePublicDoc(doc: unknown): Validation<Notice | Commune | Poll> {
	if (typeof doc !== 'object' || doc === null) {
		return { ok: false, issues: [{ field: '', code: 'invalid_type' }] };
	}
	const type = (doc as { type?: unknown }).type;
	const schema = schemasByType[type as keyof typeof schemasByType];
	if (!schema) return { ok: false, issues: [{ field: 'type', code: 'invalid_type' }] };
	return toValidation(
		v.safeParse(schema as v.GenericSchema<unknown, Notice | Commune | Poll>, doc)
	);
}

export function validateDraft(doc: unknown): Validation<DraftNotice> {
	return toValidation(v.safeParse(DraftNoticeSchema as v.GenericSchema<unknown, DraftNotice>, doc));
}

export type Visibility = 'scheduled' | 'current' | 'expired';

/** Where a published notice stands at `now`: before its window, in it, or after. */
export function visibility(
	notice: Pick<NoticeFields, 'published_at' | 'expires_at'>,
	now: Date
): Visibility {
	const t = now.getTime();
	if (Date.parse(notice.published_at) > t) return 'scheduled';
	if (notice.expires_at !== null && Date.parse(notice.expires_at) <= t) return 'expired';
	return 'current';
}

/** Urgent first, then newest first; ties broken by id so that the order is stable. */
export function compareNotices(
	a: Pick<Notice, '_id' | 'urgent' | 'published_at'>,
	b: Pick<Notice, '_id' | 'urgent' | 'published_at'>
): number {
	if (a.urgent !== b.urgent) return a.urgent ? -1 : 1;
	const byDate = Date.parse(b.published_at) - Date.parse(a.published_at);
	if (byDate !== 0) return byDate;
	return a._id < b._id ? -1 : a._id > b._id ? 1 : 0;
}

export interface NoticeLists<T> {
	current: T[];
	past: T[];
}

/**
 * Splits public notices into what a villager sees now and the archive. Urgent
 * only counts while current: an expired alert is history, sorted by date.
 */
export function partitionNotices<T extends Notice>(
	notices: Iterable<T>,
	now: Date
): NoticeLists<T> {
	const current: T[] = [];
	const past: T[] = [];
	for (const notice of notices) {
		const state = visibility(notice, now);
		if (state === 'current') current.push(notice);
		else if (state === 'expired') past.push(notice);
	}
	current.sort(compareNotices);
	past.sort((a, b) => compareNotices({ ...a, urgent: false }, { ...b, urgent: false }));
	return { current, past };
}

/** The next moment a list changes by itself (a scheduled notice appears or one expires). */
export function nextChange(notices: Iterable<Notice>, now: Date): Date | null {
	let next = Infinity;
	const t = now.getTime();
	for (const notice of notices) {
		const published = Date.parse(notice.published_at);
		if (published > t) next = Math.min(next, published);
		if (notice.expires_at !== null) {
			const expires = Date.parse(notice.expires_at);
			if (expires > t) next = Math.min(next, expires);
		}
	}
	return Number.isFinite(next) ? new Date(next) : null;
}

/** Lower case without accents, so that "arrete" finds "Arrêté". */
export function foldForSearch(text: string): string {
	return text
		.normalize('NFD')
		.replace(/\p{Diacritic}/gu, '')
		.toLowerCase();
}

/** Every word of the query must appear in the title or the body. */
export function matchesSearch(notice: Pick<Notice, 'title' | 'body'>, query: string): boolean {
	const words = foldForSearch(query).split(/\s+/).filter(Boolean);
	if (words.length === 0) return true;
	const haystack = foldForSearch(`${notice.title}\n${notice.body}`);
	return words.every((word) => haystack.includes(word));
}

/** Plain text from the start of a markdown body, for lists and link previews. */
export function excerpt(markdown: string, max = 180): string {
	const text = markdown
		.replace(/!\[[^\]]*\]\([^)]*\)/g, '')
		.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+/gm, '')
		.replace(/[*_`~]+/g, '')
		.replace(/<[^>]*>/g, '')
		.replace(/\s+/g, ' ')
		.trim();
	if (text.length <= max) return text;
	const cut = text.slice(0, max);
	const lastSpace = cut.lastIndexOf(' ');
	return `${cut.slice(0, lastSpace > max * 0.6 ? lastSpace : max).trimEnd()}…`;
}

/** Attachment metadata from a CouchDB document, sorted by name. */
export function filesOf(doc: Pick<Notice, '_attachments' | 'files'>): FileInfo[] {
	if (doc.files) return doc.files;
	return Object.entries(doc._attachments ?? {})
		.map(([name, stub]) => ({ name, content_type: stub.content_type, length: stub.length ?? 0 }))
		.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * A new document id, time-ordered so that ids sort roughly by creation. Uses
 * getRandomValues, which, unlike randomUUID, also works on plain-http LAN hosts.
 */
export function newId(prefix: string, now = new Date()): string {
	const random = new Uint8Array(10);
	crypto.getRandomValues(random);
	let suffix = '';
	for (const byte of random) suffix += ID_ALPHABET[byte % 36];
	return `${prefix}:${now.getTime().toString(36)}-${suffix}`;
}
