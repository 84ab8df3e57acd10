/**
 * One place for the language rules, read by both the CLI (`npm run i18n`) and
 * the Vite plugin. A chosen language is a cookie, so the server renders the
 * first paint in it; otherwise the browser's languages decide; French last.
 * No URL strategy: addresses stay the same in every language, so shared links
 * and the offline page cache keep working.
 */
export default {
	strategy: ['cookie', 'preferredLanguage', 'baseLocale'],
	cookieName: 'crieur-langue',
	emitReadme: false,
	emitTsDeclarations: false
};
