// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
	namespace App {
		interface Error {
			message: string;
			code?: string;
		}
		interface PageState {
			/** A confirmation carried across a navigation, e.g. after a save that moved a notice. */
			message?: { kind: 'ok' | 'error'; text: string };
		}
	}
}

export {};
