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

/** The alphabet as people read it: its letters, then its digits. */
export const CODE_LETTERS = [...CODE_ALPHABET].filter((char) => /[A-Z]/.test(char));
export const CODE_DIGITS = [...CODE_ALPHABET].filter((char) => /\d/.test(char));

const strip = (input: string) => input.toUpperCase().replace(/[\s\-_.]/g, '');

/** Why a typed code cannot be one: characters codes never use, or the wrong length. */
export type CodeProblem =
	{ kind: 'characters'; wrong: string[] } | { kind: 'length'; length: number };

/**
 * What is wrong with a typed code, before asking the server: a letter a code
 * never uses (« AAAA-BBBB-CCCC ») is named, so the villager can look again at
 * their letter. Null when it has the form of a code.
 */
export function codeProblem(input: string): CodeProblem | null {
	const clean = strip(input);
	const wrong = [...new Set([...clean].filter((char) => !CODE_ALPHABET.includes(char)))];
	if (wrong.length > 0) return { kind: 'characters', wrong };
	if (clean.length !== CODE_LENGTH) return { kind: 'length', length: clean.length };
	return null;
}

/**
 * What a villager typed, reduced to the canonical code: case, spaces and dashes
 * do not matter. Returns null when it cannot be a code at all.
 */
export function normalizeCode(input: string): string | null {
	const clean = strip(input);
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

/**
 * A household label as staff compare them: « Famille  Martin », « famille
 * martin » and « Famille Mârtin » are the same household.
 */
export function labelKey(label: string): string {
	return label
		.normalize('NFD')
		.replace(/\p{M}/gu, '')
		.toLocaleLowerCase('fr')
		.replace(/\s+/g, ' ')
		.trim();
}

/**
 * Households of `wanted` that already have a code in `existing` (named as the
 * register spells them), and those typed twice in `wanted` (as first typed);
 * each once. Empty labels never match: codes without a label are anonymous.
 */
export function repeatedLabels(
	wanted: readonly string[],
	existing: readonly string[]
): { issued: string[]; twice: string[] } {
	const register = new Map<string, string>();
	for (const label of existing) {
		const key = labelKey(label);
		if (key && !register.has(key)) register.set(key, label.trim());
	}
	const issued = new Map<string, string>();
	const typed = new Map<string, string>();
	const twice = new Map<string, string>();
	for (const label of wanted) {
		const key = labelKey(label);
		if (!key) continue;
		const known = register.get(key);
		if (known !== undefined) issued.set(key, known);
		else if (typed.has(key)) twice.set(key, typed.get(key)!);
		else typed.set(key, label.trim());
	}
	return { issued: [...issued.values()], twice: [...twice.values()] };
}

/** « Résident 7 » before « Résident 10 », accents and case aside. */
export const labelOrder = new Intl.Collator('fr', { numeric: true, sensitivity: 'base' });

/**
 * Whether a register row answers a search: every word typed is found in the
 * label, case and accents aside (« petit » finds « Mme Petit, 3 rue Haute »).
 */
export function labelMatches(label: string, query: string): boolean {
	const key = labelKey(label);
	return labelKey(query)
		.split(' ')
		.every((word) => key.includes(word));
}
