import DOMPurify from 'isomorphic-dompurify';
import { Marked, type TokenizerAndRendererExtension, type Token, type Tokens } from 'marked';

/**
 * A French telephone number, national (03 85 12 34 56, 0385123456, 03.85…)
 * or international (+33 3 85 12 34 56), never a piece of a longer number.
 */
const PHONE = /^(?:\+33[ .-]?|0)[1-9](?:[ .-]?\d{2}){4}(?![\d])/;
const PHONE_START = /(?<![\w+])(?:\+33[ .-]?|0)[1-9]/;

/** `tel:` wants the international form: +33385123456. */
export function telHref(phone: string): string {
	const digits = phone.replace(/[^\d+]/g, '');
	return `tel:${digits.startsWith('+') ? digits : `+33${digits.slice(1)}`}`;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Villagers call the mairie from a notice with one tap. */
const phoneLinks: TokenizerAndRendererExtension = {
	name: 'phone',
	level: 'inline',
	start(src) {
		const index = src.search(PHONE_START);
		return index < 0 ? undefined : index;
	},
	tokenizer(src) {
		const match = PHONE.exec(src);
		return match ? { type: 'phone', raw: match[0], text: match[0] } : undefined;
	},
	renderer(token) {
		return `<a href="${telHref(token.text as string)}">${escapeHtml(token.text as string)}</a>`;
	}
};

const marked = new Marked({ gfm: true, breaks: true, async: false, extensions: [phoneLinks] });

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
	// Links leave Crieur in a new tab, without handing it a reference to this page.
	const href = node.tagName === 'A' ? node.getAttribute('href') : null;
	if (href && !href.startsWith('tel:')) {
		node.setAttribute('target', '_blank');
		node.setAttribute('rel', 'noopener noreferrer');
	}
});

/**
 * Staff write notices in Markdown; the HTML is sanitised before it reaches a
 * page, on the server (first visit) and in the browser alike.
 */
export function renderMarkdown(source: string): string {
	const html = marked.parse(source) as string;
	return DOMPurify.sanitize(html, {
		FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe'],
		FORBID_ATTR: ['style']
	});
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
const unescape = (text: string) => text.replace(/&(amp|lt|gt|quot|#39);/g, (_, e) => ENTITIES[e]);
/** A token's own text, for the kinds that have no inner tokens. */
const ownText = (token: Token) => unescape(String((token as { text?: unknown }).text ?? ''));

function inlineText(tokens: Token[] | undefined): string {
	return (tokens ?? [])
		.map((token) => {
			switch (token.type) {
				case 'br':
					return '\n';
				case 'html':
					return '';
				case 'link': {
					const text = inlineText(token.tokens);
					return text === token.href ? text : `${text} (${token.href})`;
				}
				case 'image':
					return token.text;
				default:
					return 'tokens' in token && token.tokens ? inlineText(token.tokens) : ownText(token);
			}
		})
		.join('');
}

function blockText(tokens: Token[]): string {
	return tokens
		.flatMap((token): string[] => {
			switch (token.type) {
				case 'space':
					return [];
				case 'hr':
					return ['———'];
				case 'code':
					return [token.text];
				case 'html':
					return [token.text.replace(/<[^>]*>/g, '').trim()].filter(Boolean);
				case 'blockquote':
					return [blockText(token.tokens ?? [])];
				case 'list':
					return [
						(token as Tokens.List).items
							.map((item, i) => {
								const bullet = (token as Tokens.List).ordered ? `${i + 1}.` : '-';
								return `${bullet} ${blockText(item.tokens)}`;
							})
							.join('\n')
					];
				case 'table': {
					const table = token as Tokens.Table;
					const row = (cells: Tokens.TableCell[]) =>
						cells.map((cell) => inlineText(cell.tokens)).join(' | ');
					return [[row(table.header), ...table.rows.map(row)].join('\n')];
				}
				default:
					return ['tokens' in token && token.tokens ? inlineText(token.tokens) : ownText(token)];
			}
		})
		.join('\n\n');
}

/** The words of a Markdown text without its marks: for calendars, previews and SMS-like places. */
export function markdownToText(source: string): string {
	return blockText(marked.lexer(source)).trim();
}
