import { describe, expect, it } from 'vitest';
import {
	draftFactory,
	noticeFactory,
	pollFactory,
	submissionFactory
} from '../../../../tests/factories.ts';
import { entriesOf, staffLists, type StoredDoc } from './reads.ts';

const now = new Date('2026-11-25T12:00:00Z');
const none = { public: new Set<string>(), mairie: new Set<string>() };
const stored = <T extends { _id: string }>(doc: T, rev = '1-a', conflicts?: string[]) =>
	({ ...doc, _rev: rev, ...(conflicts ? { _conflicts: conflicts } : {}) }) as unknown as StoredDoc;

describe('the staff lists', () => {
	it('give each document one entry and one address, wherever it is stored', () => {
		const draft = draftFactory({ _id: 'notice:brocante' });
		const published = noticeFactory({ _id: 'notice:eau' });
		const [first, second] = entriesOf(
			'notice',
			[
				{ location: 'mairie', doc: stored(draft) },
				{ location: 'public', doc: stored(published) }
			],
			none,
			now
		);
		expect([first.slug, first.state, first.location]).toEqual(['brocante', 'draft', 'mairie']);
		expect([second.slug, second.state, second.location]).toEqual(['eau', 'published', 'public']);
		expect([first.conflicted, second.conflicted]).toEqual([false, false]);
	});

	it('show a document open in both databases once, as a conflict, -public first', () => {
		// Laptop A published the draft while laptop B edited the copy A moved away from.
		const id = 'notice:moved';
		const [entry, ...rest] = entriesOf(
			'notice',
			[
				{ location: 'mairie', doc: stored(draftFactory({ _id: id, title: 'B' }), '3-b') },
				{ location: 'public', doc: stored(noticeFactory({ _id: id, title: 'A' }), '1-a') }
			],
			none,
			now
		);
		expect(rest).toEqual([]);
		expect(entry).toMatchObject({ location: 'public', elsewhere: 'mairie', conflicted: true });
		expect(entry.doc).toMatchObject({ title: 'A' });
	});

	it('put conflicts first and mark what is not on the server yet', () => {
		const calm = noticeFactory({ _id: 'notice:calm' });
		const torn = noticeFactory({ _id: 'notice:torn' });
		const entries = entriesOf(
			'notice',
			[
				{ location: 'public', doc: stored(calm) },
				{ location: 'public', doc: stored(torn, '2-a', ['2-b']) }
			],
			{ public: new Set(['notice:calm']), mairie: new Set() },
			now
		);
		expect(entries.map((entry) => [entry.slug, entry.conflicted, entry.unsent])).toEqual([
			['torn', true, false],
			['calm', false, true]
		]);
	});

	it('read every kind through the same reader', () => {
		const lists = staffLists(
			[
				{ location: 'public', doc: stored(pollFactory({ _id: 'poll:p' })) },
				{ location: 'mairie', doc: stored(submissionFactory(), '2-a', ['2-b']) },
				{ location: 'public', doc: stored({ _id: 'commune', type: 'commune' }) }
			],
			none,
			now
		);
		expect(lists.poll.map((entry) => entry.slug)).toEqual(['p']);
		expect(lists.notice).toEqual([]);
		expect(lists.submissions[0]).toMatchObject({ conflicted: true, conflicts: ['2-b'] });
	});
});
