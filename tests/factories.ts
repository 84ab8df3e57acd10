import type { DraftNotice, Notice } from '../src/lib/domain/notice.ts';

let counter = 0;

/** A valid public notice; override what the test is about. */
export function noticeFactory(overrides: Partial<Notice> = {}): Notice {
	counter++;
	return {
		_id: `notice:test-${counter}`,
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
