// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
	namespace App {
		interface Error {
			message: string;
			code?: string;
		}
		interface Locals {
			/** The commune the request's host name reaches (hooks.server.ts). */
			backend: import('./lib/server/backend.ts').Backend;
		}
		interface PageState {
			/** A confirmation carried across a navigation: a new document's first save gives it an address. */
			message?: { kind: 'ok' | 'warn' | 'error'; text: string; sent?: string };
		}
	}
}

export {};
