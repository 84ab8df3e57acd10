/**
 * Codes just issued, held in memory only until their letters are printed: the
 * server keeps no code, and neither does this laptop.
 */
export interface IssuedLetter {
	id: string;
	label: string;
	code: string;
}

class IssuedCodes {
	letters = $state.raw<IssuedLetter[]>([]);

	set(letters: IssuedLetter[]): void {
		this.letters = letters;
	}

	clear(): void {
		this.letters = [];
	}
}

export const issuedCodes = new IssuedCodes();
