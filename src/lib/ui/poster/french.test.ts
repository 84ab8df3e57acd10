import { describe, expect, it } from 'vitest';
import { overwriteGetLocale } from '../../i18n/paraglide/runtime.js';
import { posterCategory, posterDate, posterDateTime } from './french.ts';

describe('poster words', () => {
	it('stay French when the interface is in English', () => {
		overwriteGetLocale(() => 'en');
		try {
			expect(posterCategory('arrete')).toBe('Arrêté');
			expect(posterDate('2026-12-01T10:00:00Z')).toBe('1 décembre 2026');
			expect(posterDateTime('2026-12-30T09:00:00Z')).toBe('30 décembre 2026 à 10:00');
		} finally {
			overwriteGetLocale(() => 'fr');
		}
	});

	it('uses the commune’s time zone, not the printer’s', () => {
		expect(posterDate('2026-12-31T23:30:00Z', 'Europe/Paris')).toBe('1 janvier 2027');
		expect(posterDate('2026-12-31T23:30:00Z', 'America/Martinique')).toBe('31 décembre 2026');
	});
});
