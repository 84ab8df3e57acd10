import { describe, expect, it } from 'vitest';
import {
	CODE_ALPHABET,
	CODE_LENGTH,
	formatCode,
	generateCode,
	normalizeCode
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
