import DOMPurify from 'isomorphic-dompurify';
import { Marked } from 'marked';

const marked = new Marked({ gfm: true, breaks: true, async: false });

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
	// Links leave Crieur in a new tab, without handing it a reference to this page.
	if (node.tagName === 'A' && node.getAttribute('href')) {
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
