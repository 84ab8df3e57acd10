import { fr } from './fr.ts';

/** The interface text; French only until issue 4 adds the language switch. */
export const m = fr;
export const LOCALE = 'fr-FR';
