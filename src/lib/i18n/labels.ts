import type { NoticeCategory } from '../domain/limits.ts';
import type { OutboxState } from '../domain/outbox.ts';
import type { PollState } from '../domain/poll.ts';
import type { EventCategory } from '../domain/event.ts';
import type { SubmissionCategory, SubmissionKind, SubmissionStatus } from '../domain/submission.ts';
import { m } from './paraglide/messages.js';

/**
 * Words chosen by a value (a category, a state). Typed records, so a new value
 * without its words fails the type check instead of showing "undefined" to a
 * villager. Staff-only words are in staff-labels.ts, refusals in error-labels.ts,
 * so that villager pages do not carry them.
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
export type TextSize = 'normal' | 'large' | 'x-large';
const textSizes: Words<TextSize> = {
	normal: m.textSize_normal,
	large: m.textSize_large,
	'x-large': m.textSize_x_large
};

export const categoryLabel = (value: NoticeCategory) => categories[value]();
export const categoryPluralLabel = (value: NoticeCategory) => categoriesPlural[value]();
export const pollStateLabel = (value: PollState) => pollStates[value]();
export const outboxStateLabel = (value: OutboxState) => outboxStates[value]();
export const textSizeLabel = (value: TextSize) => textSizes[value]();

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
const eventCategories: Words<EventCategory> = {
	fete: m.event_category_fete,
	conseil: m.event_category_conseil,
	collecte: m.event_category_collecte,
	reunion: m.event_category_reunion,
	'culture-sport': m.event_category_culture_sport,
	autre: m.event_category_autre
};
const submissionStatuses: Words<SubmissionStatus> = {
	received: m.submission_status_received,
	accepted: m.submission_status_accepted,
	in_progress: m.submission_status_in_progress,
	resolved: m.submission_status_resolved,
	declined: m.submission_status_declined,
	merged: m.submission_status_merged
};

export const submissionKindLabel = (value: SubmissionKind) => submissionKinds[value]();
export const eventCategoryLabel = (value: EventCategory) => eventCategories[value]();
export const submissionCategoryLabel = (value: SubmissionCategory) => submissionCategories[value]();
export const submissionStatusLabel = (value: SubmissionStatus) => submissionStatuses[value]();
