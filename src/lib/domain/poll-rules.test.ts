import { describe, expect, it } from 'vitest';
import { pollFactory } from '../../../tests/factories.ts';
import { validatePublicDoc } from './notice-schema.ts';
import {
	defaultMaxChoices,
	duplicateAnswers,
	labelKey,
	lockedChanges,
	pollLock
} from './poll-rules.ts';

const codes = (doc: unknown) => {
	const result = validatePublicDoc(doc);
	return result.ok ? [] : result.issues.map((issue) => `${issue.field}:${issue.code}`);
};

// Issue 13 §2.
describe('answers that say the same thing', () => {
	it('are told apart from capitals, accents, spacing and apostrophes only', () => {
		expect(labelKey('  OUI ')).toBe('oui');
		expect(labelKey('Été')).toBe(labelKey('ete'));
		expect(labelKey('e\u0301te\u0301')).toBe('ete');
		expect(labelKey('l’école')).toBe(labelKey("l'ecole"));
		expect(labelKey('Non\u00a0 merci')).toBe('non merci');
		expect(labelKey('Œuf')).toBe('oeuf');
		expect(labelKey('Oui !')).not.toBe(labelKey('Oui'));
	});

	it('are named, every one of each repeated group', () => {
		expect(
			duplicateAnswers([
				{ id: 'a', label: 'Oui' },
				{ id: 'b', label: 'Non' },
				{ id: 'c', label: 'oui' },
				{ id: 'd', label: '' },
				{ id: 'e', label: ' ' }
			])
		).toEqual(['a', 'c']);
	});

	it('are refused by the schema', () => {
		const poll = pollFactory({
			options: [
				{ id: 'oui', label: 'Oui' },
				{ id: 'non', label: 'Non' },
				{ id: 'oui-2', label: 'OUI' }
			]
		});
		expect(codes(poll)).toEqual(['options:duplicate_label']);
	});
});

describe('the number of answers allowed', () => {
	it('is at least 2 with several answers, at most the answers offered, 1 otherwise', () => {
		expect(codes(pollFactory({ multiple: true, max_choices: 1 }))).toEqual([
			'max_choices:max_choices_too_low'
		]);
		expect(codes(pollFactory({ multiple: true, max_choices: 4 }))).toEqual([
			'max_choices:max_choices_too_high'
		]);
		expect(codes(pollFactory({ multiple: false, max_choices: 2 }))).toEqual([
			'max_choices:invalid_max_choices'
		]);
		expect(codes(pollFactory({ multiple: true, max_choices: 3 }))).toEqual([]);
	});

	it('defaults to every answer', () => {
		expect(defaultMaxChoices(['a', 'b', 'c'])).toBe(3);
		expect(defaultMaxChoices(['a', 'b'])).toBe(2);
	});
});

describe('what a published poll keeps once it opened', () => {
	const poll = pollFactory({
		opens_at: '2026-12-01T08:00:00.000Z',
		closes_at: '2026-12-08T17:00:00.000Z',
		multiple: true,
		max_choices: 2
	});
	const before = new Date('2026-11-30T12:00:00Z');
	const during = new Date('2026-12-03T12:00:00Z');
	const after = new Date('2026-12-09T12:00:00Z');

	it('locks nothing before the opening, nor in a draft', () => {
		expect(pollLock(poll, true, before)).toBe('none');
		expect(pollLock(poll, false, during)).toBe('none');
		expect(lockedChanges(poll, { ...poll, question: 'Autre ?' }, before)).toEqual([]);
	});

	it('keeps the question, answers and rules while voting, not the description nor the closing', () => {
		expect(pollLock(poll, true, during)).toBe('voting');
		const changed = {
			...poll,
			question: 'Autre ?',
			options: [...poll.options.slice(0, 2), { id: 'sans-avis', label: 'Ne sait pas' }],
			multiple: false,
			max_choices: 1,
			results: 'after_close',
			allow_change: true,
			opens_at: '2026-12-02T08:00:00.000Z',
			description: 'Corrigé',
			closes_at: '2026-12-10T17:00:00.000Z'
		};
		expect(lockedChanges(poll, changed, during)).toEqual([
			'question',
			'options',
			'multiple',
			'max_choices',
			'results',
			'allow_change',
			'opens_at'
		]);
		expect(lockedChanges(poll, { ...poll, description: 'Corrigé' }, during)).toEqual([]);
		expect(lockedChanges(poll, { ...poll, closes_at: during.toISOString() }, during)).toEqual([]);
	});

	it('keeps the closing too once closed', () => {
		expect(pollLock(poll, true, after)).toBe('closed');
		expect(lockedChanges(poll, { ...poll, closes_at: '2026-12-20T17:00:00.000Z' }, after)).toEqual([
			'closes_at'
		]);
		expect(lockedChanges(poll, { ...poll, description: 'Corrigé' }, after)).toEqual([]);
	});
});
