import type { Notice } from './notice.ts';

/** Lower case without accents, so that "arrete" finds "Arrêté". */
export function foldForSearch(text: string): string {
	return text
		.normalize('NFD')
		.replace(/\p{Diacritic}/gu, '')
		.toLowerCase();
}

/** Every word of the query must appear in the title or the body. */
export function matchesSearch(notice: Pick<Notice, 'title' | 'body'>, query: string): boolean {
	const words = foldForSearch(query).split(/\s+/).filter(Boolean);
	if (words.length === 0) return true;
	const haystack = foldForSearch(`${notice.title}\n${notice.body}`);
	return words.every((word) => haystack.includes(word));
}

/** Plain text from the start of a markdown body, for lists and link previews. */
export function excerpt(markdown: string, max = 180): string {
	const text = markdown
		.replace(/!\[[^\]]*\]\([^)]*\)/g, '')
		.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+/gm, '')
		.replace(/[*_`~]+/g, '')
		.replace(/<[^>]*>/g, '')
		.replace(/\s+/g, ' ')
		.trim();
	if (text.length <= max) return text;
	const cut = text.slice(0, max);
	const lastSpace = cut.lastIndexOf(' ');
	return `${cut.slice(0, lastSpace > max * 0.6 ? lastSpace : max).trimEnd()}…`;
}
