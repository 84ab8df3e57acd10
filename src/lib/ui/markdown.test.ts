import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.ts';

describe('renderMarkdown', () => {
	it('renders the formatting staff use', () => {
		const html = renderMarkdown('## Titre\n\n**gras** et *italique*\n\n- un\n- deux');
		expect(html).toContain('<h2>Titre</h2>');
		expect(html).toContain('<strong>gras</strong>');
		expect(html).toContain('<li>un</li>');
	});

	it.each([
		['<script>alert(1)</script>', /<script/i],
		['<img src=x onerror="alert(1)">', /onerror/i],
		['[clic](javascript:alert(1))', /javascript:/i],
		['<a href="javascript:alert(1)">x</a>', /javascript:/i],
		['<svg><script>alert(1)</script></svg>', /<script/i],
		['<iframe src="https://evil.example"></iframe>', /<iframe/i],
		['<p style="position:fixed">x</p>', /style=/i],
		['<form action="https://evil.example"><input name=a></form>', /<form|<input/i],
		['[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)', /data:text\/html/i]
	])('neutralises %s', (source, forbidden) => {
		expect(renderMarkdown(source)).not.toMatch(forbidden);
	});

	it('opens links in a new tab without handing over this page', () => {
		expect(renderMarkdown('[mairie](https://example.org)')).toContain(
			'<a href="https://example.org" target="_blank" rel="noopener noreferrer">mairie</a>'
		);
	});
});
