import type { ValidationCode } from '../domain/validation.ts';
import type { StaffState } from '../domain/staff-notice.ts';
import type { SubmissionStatus } from '../domain/submission.ts';
import { m } from './paraglide/messages.js';

/** Words of the staff screens only: kept apart so villager pages do not carry them. */
type Words<K extends string> = Record<K, () => string>;

const staffStates: Words<StaffState> = {
	published: m.staff_state_published,
	scheduled: m.staff_state_scheduled,
	draft: m.staff_state_draft,
	retracted: m.staff_state_retracted,
	expired: m.staff_state_expired
};

const validation: Words<ValidationCode> = {
	required: m.validation_required,
	too_long: m.validation_too_long,
	invalid_date: m.validation_invalid_date,
	invalid_category: m.validation_invalid_category,
	invalid_boolean: m.validation_invalid_boolean,
	invalid_status: m.validation_invalid_status,
	invalid_id: m.validation_invalid_id,
	invalid_slug: m.validation_invalid_slug,
	invalid_type: m.validation_invalid_type,
	invalid_attachment_type: m.validation_invalid_attachment_type,
	attachment_too_big: m.validation_attachment_too_big,
	too_many_attachments: m.validation_too_many_attachments,
	attachments_too_heavy: m.validation_attachments_too_heavy,
	expires_before_publication: m.validation_expires_before_publication,
	invalid_options: m.validation_invalid_options,
	too_few_options: m.validation_too_few_options,
	too_many_options: m.validation_too_many_options,
	duplicate_option: m.validation_duplicate_option,
	duplicate_label: m.validation_duplicate_label,
	invalid_max_choices: m.validation_invalid_max_choices,
	max_choices_too_low: m.validation_max_choices_too_low,
	max_choices_too_high: m.validation_max_choices_too_high,
	invalid_results: m.validation_invalid_results,
	closes_before_opening: m.validation_closes_before_opening,
	ends_before_start: m.validation_ends_before_start,
	event_too_long: m.validation_event_too_long,
	invalid_limit: m.validation_invalid_limit,
	invalid_event: m.validation_invalid_event,
	missing_alt: m.validation_missing_alt,
	invalid_zone: m.validation_invalid_zone,
	too_many_zones: m.validation_too_many_zones,
	duplicate_zone: m.validation_duplicate_zone
};

const moderationActions: Words<SubmissionStatus> = {
	received: m.staffSubmissions_action_received,
	accepted: m.staffSubmissions_action_accepted,
	in_progress: m.staffSubmissions_action_in_progress,
	resolved: m.staffSubmissions_action_resolved,
	declined: m.staffSubmissions_action_declined,
	merged: m.staffSubmissions_action_merged
};

export const staffStateLabel = (value: StaffState) => staffStates[value]();
export const validationMessage = (code: ValidationCode) => validation[code]();
/** The label for moving a submission to a status ("Accepter", "Refuser"…). */
export const moderationActionLabel = (value: SubmissionStatus) => moderationActions[value]();
