import { describe, expect, it } from 'vitest';
import { noticeFactory } from '../../../tests/factories.ts';
import {
	actionsFor,
	conflictResolution,
	noticeFields,
	staffState,
	targetOf
} from './staff-notice.ts';

const now = new Date('2026-11-25T12:00:00Z');

describe('where an editor action stores a notice', () => {
	it('publishes now into -public and schedules a future date in -mairie', () => {
		expect(targetOf('publish', { published_at: '2026-11-25T11:00:00Z' }, now)).toEqual({
			location: 'public'
		});
		expect(targetOf('publish', { published_at: '2026-12-01T08:00:00Z' }, now)).toEqual({
			location: 'mairie',
			status: 'scheduled'
		});
		expect(targetOf('schedule', { published_at: '2026-11-01T08:00:00Z' }, now)).toEqual({
			location: 'public'
		});
	});

	it('keeps drafts and retracted notices in -mairie', () => {
		expect(targetOf('save-draft', { published_at: now.toISOString() }, now)).toEqual({
			location: 'mairie',
			status: 'draft'
		});
		expect(targetOf('retract', { published_at: now.toISOString() }, now)).toEqual({
			location: 'mairie',
			status: 'retracted'
		});
	});

	it('offers retraction only for published notices', () => {
		expect(actionsFor('published')).toContain('retract');
		expect(actionsFor('draft')).not.toContain('retract');
		expect(actionsFor('new')).toEqual(['publish', 'save-draft']);
	});

	it('fills publication time with now and keeps the creation date', () => {
		const fields = noticeFields(
			{
				title: '  Titre  ',
				body: 'x',
				category: 'avis',
				urgent: false,
				published_at: null,
				expires_at: null
			},
			{ created_at: '2026-01-01T00:00:00.000Z' },
			'secretariat',
			now
		);
		expect(fields).toMatchObject({
			title: 'Titre',
			published_at: now.toISOString(),
			created_at: '2026-01-01T00:00:00.000Z',
			updated_at: now.toISOString(),
			author: 'secretariat'
		});
	});
});

describe('staff state', () => {
	it('reads drafts by status and public notices by their window', () => {
		expect(staffState({ ...noticeFactory(), status: 'scheduled' }, 'mairie', now)).toBe(
			'scheduled'
		);
		expect(staffState(noticeFactory(), 'public', now)).toBe('published');
		expect(staffState(noticeFactory({ expires_at: '2026-11-21T00:00:00Z' }), 'public', now)).toBe(
			'expired'
		);
	});
});

describe('conflict resolution', () => {
	it('puts the kept content on the winning branch and closes every other leaf', () => {
		const kept = { ...noticeFactory({ _id: 'notice:x', title: 'Version B' }), _rev: '3-b' };
		const writes = conflictResolution('notice:x', '3-a', ['3-a', '3-b', '2-c'], kept, now);
		expect(writes[0]).toMatchObject({ _id: 'notice:x', _rev: '3-a', title: 'Version B' });
		expect(writes.slice(1)).toEqual([
			{ _id: 'notice:x', _rev: '3-b', _deleted: true, conflict_closed: true },
			{ _id: 'notice:x', _rev: '2-c', _deleted: true, conflict_closed: true }
		]);
	});

	it('keeping the winner only closes the others', () => {
		const kept = { ...noticeFactory({ _id: 'notice:x' }), _rev: '3-a', _conflicts: ['3-b'] };
		const writes = conflictResolution('notice:x', '3-a', ['3-a', '3-b'], kept, now);
		expect(writes).toHaveLength(2);
		expect(writes[0]).not.toHaveProperty('_conflicts');
	});

	it('records who chose the version as the last to save it', () => {
		const kept = { ...noticeFactory({ _id: 'notice:x' }), _rev: '3-b', updated_by: 'elu' };
		const [write] = conflictResolution('notice:x', '3-a', ['3-a', '3-b'], kept, now, 'secretariat');
		expect(write).toMatchObject({ updated_by: 'secretariat', updated_at: now.toISOString() });
	});
});
