import { setLocale, type Locale } from '../i18n/index.ts';

/**
 * Switches the interface language. Pages the service worker kept were rendered
 * in the old language: they are dropped first, so that an offline reload falls
 * back to the shell (rendered here, in the new language) instead of showing a
 * page in one language hydrated in another.
 */
export async function switchLanguage(locale: Locale): Promise<void> {
	try {
		const names = await caches.keys();
		await Promise.all(
			names.filter((name) => name.startsWith('crieur-pages-')).map((name) => caches.delete(name))
		);
	} catch {
		// No Cache Storage (private mode, old browser): nothing kept to drop.
	}
	// Writes the `crieur-langue` cookie and reloads, so the server renders the next page in it.
	await setLocale(locale);
}
