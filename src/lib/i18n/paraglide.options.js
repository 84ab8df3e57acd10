/**
 * One place for the language rules, read by the Vite plugin (vite.config.ts)
 * and by `npm run i18n` (compile.js). A chosen language is a cookie, so the
 * server renders the first paint in it; otherwise the browser's languages
 * decide; French last. No URL strategy: addresses stay the same in every
 * language, so shared links and the offline page cache keep working.
 */
/** @type {import('@inlang/paraglide-js').CompilerOptions} */
export const paraglideOptions = {
	project: './src/lib/i18n/project.inlang',
	outdir: './src/lib/i18n/paraglide',
	strategy: ['cookie', 'preferredLanguage', 'baseLocale'],
	cookieName: 'crieur-langue',
	emitReadme: false
};
