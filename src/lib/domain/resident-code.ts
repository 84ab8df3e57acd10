/**
 * Personal resident codes, printed on letters and typed by elderly villagers on
 * phones and kiosk keypads. The alphabet leaves out look-alikes (0/O, 1/I/L, 5/S,
 * 2/Z, 8/B, U/V): 12 symbols of 23 give 54 bits, so that even a thousand codes
 * in use and the server's rate limit leave a guesser millions of years of work.
 */
export const CODE_ALPHABET = 'ACDEFGHJKMNPQRTWXY34679';
export const CODE_LENGTH = 12;
const GROUP = 4;

/** Groups of four with dashes: "ACDE-FGHJ-KMNP". */
export function formatCode(code: string): string {
	const clean = normalizeCode(code) ?? code;
	return clean.match(new RegExp(`.{1,${GROUP}}`, 'g'))?.join('-') ?? clean;
}

/**
 * What a villager typed, reduced to the canonical code: case, spaces and dashes
 * do not matter. Returns null when it cannot be a code at all.
 */
export function normalizeCode(input: string): string | null {
	const clean = input.toUpperCase().replace(/[\s\-_.]/g, '');
	if (clean.length !== CODE_LENGTH) return null;
	for (const char of clean) if (!CODE_ALPHABET.includes(char)) return null;
	return clean;
}

/** A new code from cryptographic randomness, without modulo bias. */
export function generateCode(random: (bytes: number) => Uint8Array): string {
	const limit = 256 - (256 % CODE_ALPHABET.length);
	let code = '';
	while (code.length < CODE_LENGTH) {
		for (const byte of random(CODE_LENGTH * 2)) {
			if (byte < limit && code.length < CODE_LENGTH)
				code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
		}
	}
	return code;
}
