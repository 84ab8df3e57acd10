import type { NoticeCategory } from '../domain/limits.ts';
import type { ValidationCode } from '../domain/notice.ts';
import type { OutboxState } from '../domain/outbox.ts';
import type { BallotRefusal, PollState } from '../domain/poll.ts';
import type { StaffState } from '../domain/staff-notice.ts';
import type {
	SubmissionCategory,
	SubmissionIssue,
	SubmissionKind,
	SubmissionStatus
} from '../domain/submission.ts';
import { m } from './paraglide/messages.js';

/**
 * Words chosen by a value (a category, a state, an error code). Typed records,
 * so a new value without its words fails the type check instead of showing
 * "undefined" to a villager.
 */
type Words<K extends string> = Record<K, () => string>;

const categories: Words<NoticeCategory> = {
	avis: m.category_avis,
	arrete: m.category_arrete,
	alerte: m.category_alerte,
	agenda: m.category_agenda,
	'compte-rendu': m.category_compte_rendu
};
const categoriesPlural: Words<NoticeCategory> = {
	avis: m.categoryPlural_avis,
	arrete: m.categoryPlural_arrete,
	alerte: m.categoryPlural_alerte,
	agenda: m.categoryPlural_agenda,
	'compte-rendu': m.categoryPlural_compte_rendu
};
const pollStates: Words<PollState> = {
	open: m.poll_open,
	upcoming: m.poll_upcoming,
	closed: m.poll_closed
};
const outboxStates: Words<OutboxState> = {
	waiting: m.outbox_state_waiting,
	sending: m.outbox_state_sending,
	sent: m.outbox_state_sent,
	refused: m.outbox_state_refused
};
const staffStates: Words<StaffState> = {
	published: m.staff_state_published,
	scheduled: m.staff_state_scheduled,
	draft: m.staff_state_draft,
	retracted: m.staff_state_retracted,
	expired: m.staff_state_expired
};
export type TextSize = 'normal' | 'large' | 'x-large';
const textSizes: Words<TextSize> = {
	normal: m.textSize_normal,
	large: m.textSize_large,
	'x-large': m.textSize_x_large
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
	expires_before_publication: m.validation_expires_before_publication,
	invalid_options: m.validation_invalid_options,
	too_few_options: m.validation_too_few_options,
	too_many_options: m.validation_too_many_options,
	duplicate_option: m.validation_duplicate_option,
	invalid_max_choices: m.validation_invalid_max_choices,
	invalid_results: m.validation_invalid_results,
	closes_before_opening: m.validation_closes_before_opening
};
const ballotRefusals: Words<BallotRefusal | 'unknown_poll'> = {
	poll_not_open: m.ballot_refused_poll_not_open,
	poll_closed: m.ballot_refused_poll_closed,
	no_choice: m.ballot_refused_no_choice,
	too_many_choices: m.ballot_refused_too_many_choices,
	unknown_choice: m.ballot_refused_unknown_choice,
	duplicate_choice: m.ballot_refused_duplicate_choice,
	already_voted: m.ballot_refused_already_voted,
	outbox_id_reused: m.ballot_refused_outbox_id_reused,
	unknown_poll: m.ballot_refused_unknown_poll
};
export type ResidentErrorCode =
	'invalid_format' | 'unknown_code' | 'not_found' | 'too_many' | 'invalid_label';
const residentErrors: Words<ResidentErrorCode> = {
	invalid_format: m.residents_invalid_format,
	unknown_code: m.residents_unknown_code,
	not_found: m.residents_not_found,
	too_many: m.residents_too_many,
	invalid_label: m.residents_invalid_label
};

export const categoryLabel = (value: NoticeCategory) => categories[value]();
export const categoryPluralLabel = (value: NoticeCategory) => categoriesPlural[value]();
export const pollStateLabel = (value: PollState) => pollStates[value]();
export const outboxStateLabel = (value: OutboxState) => outboxStates[value]();
export const staffStateLabel = (value: StaffState) => staffStates[value]();
export const textSizeLabel = (value: TextSize) => textSizes[value]();
export const validationMessage = (code: ValidationCode) => validation[code]();
export const ballotRefusalMessage = (reason: BallotRefusal | 'unknown_poll') =>
	ballotRefusals[reason]();
export const residentErrorMessage = (code: ResidentErrorCode) => residentErrors[code]();

const submissionIssues: Words<SubmissionIssue> = {
	required: m.validation_required,
	too_long: m.validation_too_long,
	invalid_id: m.submission_invalid_request,
	invalid_kind: m.submission_invalid_kind,
	invalid_category: m.validation_invalid_category,
	invalid_place: m.submission_invalid_place,
	place_too_far: m.submission_place_too_far,
	too_many_photos: m.submission_too_many_photos,
	photo_too_big: m.submission_photo_too_big,
	not_an_image: m.submission_not_an_image
};
const submissionKinds: Words<SubmissionKind> = {
	suggestion: m.submission_kind_suggestion,
	report: m.submission_kind_report
};
const submissionCategories: Words<SubmissionCategory> = {
	voirie: m.submission_category_voirie,
	eclairage: m.submission_category_eclairage,
	proprete: m.submission_category_proprete,
	'espaces-verts': m.submission_category_espaces_verts,
	batiments: m.submission_category_batiments,
	'vie-locale': m.submission_category_vie_locale,
	autre: m.submission_category_autre
};
const submissionStatuses: Words<SubmissionStatus> = {
	received: m.submission_status_received,
	accepted: m.submission_status_accepted,
	in_progress: m.submission_status_in_progress,
	resolved: m.submission_status_resolved,
	declined: m.submission_status_declined,
	merged: m.submission_status_merged
};

export const submissionIssueMessage = (code: SubmissionIssue) => submissionIssues[code]();
export const submissionKindLabel = (value: SubmissionKind) => submissionKinds[value]();
export const submissionCategoryLabel = (value: SubmissionCategory) => submissionCategories[value]();
export const submissionStatusLabel = (value: SubmissionStatus) => submissionStatuses[value]();

const moderationActions: Words<SubmissionStatus> = {
	received: m.staffSubmissions_action_received,
	accepted: m.staffSubmissions_action_accepted,
	in_progress: m.staffSubmissions_action_in_progress,
	resolved: m.staffSubmissions_action_resolved,
	declined: m.staffSubmissions_action_declined,
	merged: m.staffSubmissions_action_merged
};
/** The button-like label for moving a submission to a status ("Accepter", "Refuser"…). */
export const moderationActionLabel = (value: SubmissionStatus) => moderationActions[value]();
