import type { SubmissionDoc } from '../src/lib/domain/submission.ts';
import type { DraftNotice, Notice } from '../src/lib/domain/notice.ts';
import type { Poll } from '../src/lib/domain/poll.ts';
import type { CommuneEvent } from '../src/lib/domain/event.ts';
import type { AnswerDoc } from '../src/lib/domain/answer.ts';

// Unique across the files of a run, which share one store.
const run = Math.random().toString(36).slice(2, 8);
let counter = 0;

/** A valid public notice; override what the test is about. */
export function noticeFactory(overrides: Partial<Notice> = {}): Notice {
	counter++;
	return {
		_id: `notice:test-${run}-${counter}`,
		type: 'notice',
		title: `Avis de test ${counter}`,
		body: 'Texte de **test**.',
		category: 'avis',
		urgent: false,
		published_at: '2026-11-20T09:00:00.000Z',
		expires_at: null,
		created_at: '2026-11-20T09:00:00.000Z',
		updated_at: '2026-11-20T09:00:00.000Z',
		author: 'Secrétariat',
		...overrides
	};
}

export function draftFactory(overrides: Partial<DraftNotice> = {}): DraftNotice {
	return { ...noticeFactory(), status: 'draft', ...overrides } as DraftNotice;
}

export function pollFactory(overrides: Partial<Poll> = {}): Poll {
	counter++;
	return {
		_id: `poll:test-${run}-${counter}`,
		type: 'poll',
		question: `Question de test ${counter} ?`,
		description: 'Pour **tester**.',
		options: [
			{ id: 'oui', label: 'Oui' },
			{ id: 'non', label: 'Non' },
			{ id: 'sans-avis', label: 'Sans avis' }
		],
		multiple: false,
		max_choices: 1,
		opens_at: '2026-11-01T00:00:00.000Z',
		closes_at: '2026-12-31T00:00:00.000Z',
		results: 'live',
		allow_change: false,
		created_at: '2026-10-30T09:00:00.000Z',
		updated_at: '2026-10-30T09:00:00.000Z',
		author: 'Secrétariat',
		...overrides
	};
}

/** A published suggestion, answered now; override what the test is about. */
export function answerFactory(overrides: Partial<AnswerDoc> = {}): AnswerDoc {
	counter++;
	const now = new Date().toISOString();
	return {
		_id: `answer:test-${run}-${counter}`,
		type: 'answer',
		kind: 'suggestion',
		title: `Idée de test ${counter}`,
		body: 'Texte du résident.',
		category: 'vie-locale',
		status: 'accepted',
		answer: '',
		place_address: '',
		public_name: null,
		submitted_at: now,
		answered_at: now,
		updated_at: now,
		...overrides
	};
}

/** A stored suggestion or report, as the server writes it. */
export function submissionFactory(overrides: Partial<SubmissionDoc> = {}): SubmissionDoc {
	return {
		_id: 'submission:o-abc123',
		_rev: '1-a',
		type: 'submission',
		kind: 'report',
		title: 'Nid-de-poule',
		body: 'Devant l’école.',
		category: 'voirie',
		place: { lat: 46.31, lng: 4.83, address: 'rue de l’École' },
		author: 'resident:r1',
		public_name: null,
		created_at: '2026-11-20T10:00:00Z',
		status: 'received',
		decline_reason: '',
		answer: '',
		merged_into: null,
		seen: false,
		published: null,
		updated_at: '2026-11-20T10:00:00Z',
		...overrides
	};
}

/** A valid agenda event; override what the test is about. */
export function eventFactory(overrides: Partial<CommuneEvent> = {}): CommuneEvent {
	counter++;
	return {
		_id: `event:test-${counter}`,
		type: 'event',
		title: `Événement de test ${counter}`,
		description: '',
		category: 'fete',
		starts_at: '2026-12-12T17:00:00.000Z',
		ends_at: '2026-12-12T19:00:00.000Z',
		all_day: false,
		place: 'Salle des fêtes',
		registration_limit: null,
		minutes: null,
		cancelled: false,
		created_at: '2026-11-20T09:00:00.000Z',
		updated_at: '2026-11-20T09:00:00.000Z',
		author: 'Secrétariat',
		...overrides
	};
}
