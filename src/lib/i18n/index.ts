import { getLocale, type Locale } from './paraglide/runtime.js';

/**
 * The interface text, compiled by Paraglide JS from `messages/<locale>.json`.
 * Each message is a function, so only the words a page uses are in its bundle.
 */
export { m } from './paraglide/messages.js';
export { getLocale, locales, setLocale, type Locale } from './paraglide/runtime.js';

/** Region used for dates and numbers: British English keeps day-month order. */
const INTL_LOCALES: Record<Locale, string> = { fr: 'fr-FR', en: 'en-GB' };

/** The BCP 47 tag that `Intl` formats the current language with. */
export function intlLocale(locale: Locale = getLocale()): string {
	return INTL_LOCALES[locale];
}

/**
 * The language notices and polls are written in by the mairie. Marked on their
 * text (WCAG 3.1.2), so a screen reader reading the English interface still
 * reads a French notice with a French voice.
 */
export const CONTENT_LANGUAGE = 'fr';
