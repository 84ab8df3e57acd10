/** The browser's cryptographic randomness, for domain functions that take it as a parameter. */
export const randomBytes = (count: number): Uint8Array =>
	crypto.getRandomValues(new Uint8Array(count));
