/**
 * Whether the first page has hydrated. Until then, universal load functions
 * must return what the server rendered (their fetches are replayed from the
 * page), or hydration would not match the HTML.
 */
let hydrated = false;

export function markHydrated(): void {
	hydrated = true;
}

export function isHydrated(): boolean {
	return hydrated;
}
