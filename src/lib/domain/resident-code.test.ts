import { describe, expect, it } from 'vitest';
import {
	CODE_ALPHABET,
	CODE_DIGITS,
	CODE_LENGTH,
	CODE_LETTERS,
	codeProblem,
	formatCode,
	generateCode,
	labelKey,
	labelMatches,
	labelOrder,
	normalizeCode,
	repeatedLabels
} from './resident-code.ts';

const randomBytes = (n: number) => crypto.getRandomValues(new Uint8Array(n));

describe('resident codes', () => {
	it('are long and drawn from an alphabet without look-alikes', () => {
		const code = generateCode(randomBytes);
		expect(code).toHaveLength(CODE_LENGTH);
		expect([...code].every((char) => CODE_ALPHABET.includes(char))).toBe(true);
		expect(CODE_ALPHABET).not.toMatch(/[01258BILOSUVZ]/);
		expect(Math.log2(CODE_ALPHABET.length) * CODE_LENGTH).toBeGreaterThan(50);
	});

	it('are unique in practice', () => {
		const codes = new Set(Array.from({ length: 2000 }, () => generateCode(randomBytes)));
		expect(codes.size).toBe(2000);
	});

	it('read back whatever the case, spaces or dashes', () => {
		const code = 'ACDEFGHJKMNP';
		expect(formatCode(code)).toBe('ACDE-FGHJ-KMNP');
		expect(normalizeCode(' acde-fghj kmnp ')).toBe(code);
		expect(normalizeCode('ACDE-FGHJ-KMN')).toBeNull();
		expect(normalizeCode('ACDE-FGHJ-KMN0')).toBeNull();
	});
});

describe('a typed code that cannot be one (issue 13 §2)', () => {
	it('names the characters codes never use', () => {
		expect(codeProblem('AAAA-BBBB-CCCC')).toEqual({ kind: 'characters', wrong: ['B'] });
		expect(codeProblem('o0o0-1111-acde')).toEqual({ kind: 'characters', wrong: ['O', '0', '1'] });
	});

	it('then the length', () => {
		expect(codeProblem('ACDE-FGHJ')).toEqual({ kind: 'length', length: 8 });
		expect(codeProblem(' acde-fghj kmnp ')).toBeNull();
	});

	it('splits the alphabet into letters and digits for the message', () => {
		expect([...CODE_LETTERS, ...CODE_DIGITS].sort().join('')).toBe(
			[...CODE_ALPHABET].sort().join('')
		);
		expect(CODE_DIGITS.join('')).toBe('34679');
	});
});

describe('household labels', () => {
	it('compare without case, spaces or accents', () => {
		expect(labelKey('  Famille   MARTIN ')).toBe(labelKey('famille martin'));
		expect(labelKey('Famille Mârtin')).toBe(labelKey('famille martin'));
		expect(labelKey('Lefèvre')).toBe('lefevre');
	});

	it('finds households already on the register, or typed twice, once each', () => {
		expect(
			repeatedLabels(
				['famille  martin', 'M. Dubois', 'Mme Petit', 'mme petit', '', 'FAMILLE MARTIN'],
				['Famille Martin', '']
			)
		).toEqual({ issued: ['Famille Martin'], twice: ['Mme Petit'] });
		expect(repeatedLabels(['', ''], [''])).toEqual({ issued: [], twice: [] });
	});

	it('sort in natural order', () => {
		const labels = ['Résident 10', 'résident 7', 'Résident 100', 'Abbé', 'abri'];
		expect([...labels].sort(labelOrder.compare)).toEqual([
			'Abbé',
			'abri',
			'résident 7',
			'Résident 10',
			'Résident 100'
		]);
	});

	it('are searched by every word typed, case and accents aside (issue 13 §4)', () => {
		expect(labelMatches('Mme Pétit, 3 rue Haute', 'petit haute')).toBe(true);
		expect(labelMatches('Mme Pétit, 3 rue Haute', 'petit basse')).toBe(false);
		expect(labelMatches('Résident 7', '')).toBe(true);
		expect(labelMatches('', 'martin')).toBe(false);
	});
});
