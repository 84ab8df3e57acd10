import { afterEach, describe, expect, it } from 'vitest';
import { overwriteGetLocale, type Locale } from '../i18n/paraglide/runtime.js';
import { m } from '../i18n/index.ts';
import {
	formatAgo,
	formatBytes,
	formatClock,
	formatDate,
	formatDateTime,
	formatDay,
	formatEventWhen,
	formatPercent,
	fromLocalInput,
	toLocalInput
} from './format.ts';

function inLanguage(locale: Locale) {
	overwriteGetLocale(() => locale);
}

describe('formats per language', () => {
	afterEach(() => inLanguage('fr'));

	it('writes dates in the commune’s time zone, in French or English', () => {
		// 23:30 UTC is already the next day in Paris.
		inLanguage('fr');
		expect(formatDate('2026-11-24T23:30:00Z')).toBe('25 novembre 2026');
		inLanguage('en');
		expect(formatDate('2026-11-24T23:30:00Z')).toBe('25 November 2026');
		expect(formatDateTime('2026-11-25T13:05:00Z')).toMatch(/^25 November 2026.*14:05$/);
	});

	// Issue 13: « 1 décembre » instead of « 1er décembre ».
	it('writes the first of the month as « 1er » in French only', () => {
		inLanguage('fr');
		expect(formatDate('2026-12-01T10:00:00Z')).toBe('1er décembre 2026');
		expect(formatDateTime('2026-12-01T10:00:00Z')).toMatch(/^1er décembre 2026/);
		expect(formatDay('2026-12-01')).toBe('mardi 1er décembre');
		expect(formatClock(new Date('2026-12-01T10:00:00Z'))).toMatch(/^mardi 1er décembre/);
		expect(
			formatEventWhen({
				starts_at: '2026-11-30T23:00:00Z',
				ends_at: '2026-12-02T23:00:00Z',
				all_day: true
			})
		).toMatch(/^mardi 1er\s–\smercredi 2 décembre 2026$/);
		expect(formatDate('2026-12-11T10:00:00Z')).toBe('11 décembre 2026');
		expect(formatDate('2026-12-21T10:00:00Z')).toBe('21 décembre 2026');
		inLanguage('en');
		expect(formatDate('2026-12-01T10:00:00Z')).toBe('1 December 2026');
	});

	it('formats numbers, percentages and sizes per language', () => {
		inLanguage('fr');
		expect(formatPercent(42.5)).toMatch(/^42,5\s%$/);
		expect(formatBytes(1536)).toMatch(/^1,5\sko$/);
		inLanguage('en');
		expect(formatPercent(42.5)).toBe('42.5%');
		expect(formatBytes(1536)).toBe('1.5 kB');
		expect(formatBytes(850)).toBe('850 bytes');
	});

	it('says how long ago in words', () => {
		const now = new Date('2026-11-25T12:00:00Z');
		inLanguage('fr');
		expect(formatAgo(new Date('2026-11-25T11:59:50Z'), now)).toBe('à l’instant');
		expect(formatAgo(new Date('2026-11-25T11:57:00Z'), now)).toBe('il y a 3 minutes');
		inLanguage('en');
		expect(formatAgo(new Date('2026-11-25T11:59:50Z'), now)).toBe('just now');
		expect(formatAgo(new Date('2026-11-24T12:00:00Z'), now)).toBe('yesterday');
	});

	it('chooses the plural by language: French counts 0 as singular, English does not', () => {
		inLanguage('fr');
		expect(m.poll_votes({ n: 0 })).toBe('0 vote');
		expect(m.poll_votes({ n: 1234 })).toMatch(/^1\s234 votes$/);
		inLanguage('en');
		expect(m.poll_votes({ n: 0 })).toBe('0 votes');
		expect(m.poll_votes({ n: 1 })).toBe('1 vote');
		expect(m.home_resultsFor({ count: 2, query: 'eau' })).toBe('2 notices found for “eau”');
	});
});

// Issue 13 §2: a laptop on New York time turned « 18:00 » into midnight for villagers.
describe('date fields typed by staff', () => {
	it('are read and shown in the commune’s zone, whatever the device’s', () => {
		expect(fromLocalInput('2026-12-10T18:00', 'Europe/Paris')).toBe('2026-12-10T17:00:00.000Z');
		expect(fromLocalInput('2026-07-10T18:00', 'Europe/Paris')).toBe('2026-07-10T16:00:00.000Z');
		expect(toLocalInput('2026-12-10T17:00:00.000Z', 'Europe/Paris')).toBe('2026-12-10T18:00');
		expect(toLocalInput('2026-12-10T17:00:00.000Z', 'America/New_York')).toBe('2026-12-10T12:00');
		expect(fromLocalInput('', 'Europe/Paris')).toBeNull();
		expect(fromLocalInput('2026-02-31T10:00', 'Europe/Paris')).toBeNull();
		expect(toLocalInput(null, 'Europe/Paris')).toBe('');
	});
});
