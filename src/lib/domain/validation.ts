/** What the shared schemas say of a document: why each field is refused, as a code the UI words. */
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
	| 'attachments_too_heavy'
	| 'expires_before_publication'
	| 'invalid_options'
	| 'too_few_options'
	| 'too_many_options'
	| 'duplicate_option'
	| 'duplicate_label'
	| 'invalid_max_choices'
	| 'max_choices_too_low'
	| 'max_choices_too_high'
	| 'invalid_results'
	| 'closes_before_opening'
	| 'ends_before_start'
	| 'event_too_long'
	| 'invalid_limit'
	| 'invalid_event'
	| 'missing_alt'
	| 'invalid_zone'
	| 'too_many_zones'
	| 'duplicate_zone';

export interface ValidationIssue {
	field: string;
	code: ValidationCode;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };
