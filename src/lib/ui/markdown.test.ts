import { describe, expect, it } from 'vitest';
import { markdownToText, renderMarkdown } from './markdown.ts';

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

describe('telephone numbers', () => {
	it.each([
		['Appelez le 03 85 12 34 56.', 'tel:+33385123456', '03 85 12 34 56'],
		['Mairie : 0385123456', 'tel:+33385123456', '0385123456'],
		['Urgences 06.12.34.56.78', 'tel:+33612345678', '06.12.34.56.78'],
		['Depuis l’étranger : +33 3 85 12 34 56', 'tel:+33385123456', '+33 3 85 12 34 56']
	])('links %s', (source, href, text) => {
		expect(renderMarkdown(source)).toContain(`<a href="${href}">${text}</a>`);
	});

	it.each(['Référence 1203851234567', 'Code postal 71000, le 2026-12-01', 'Prix : 12 345 €'])(
		'leaves %s alone',
		(source) => {
			expect(renderMarkdown(source)).not.toContain('tel:');
		}
	);
});

describe('markdownToText', () => {
	// Issue 13: calendar descriptions showed « **boucher le trou** ».
	it('keeps the words and drops the marks', () => {
		expect(
			markdownToText(
				'## Ordre du jour\n\n**Vote** du budget et *travaux*.\n\n- voirie\n- école\n\nVoir [le site](https://example.org).'
			)
		).toBe(
			'Ordre du jour\n\nVote du budget et travaux.\n\n- voirie\n- école\n\nVoir le site (https://example.org).'
		);
	});

	it('gives back what Markdown escapes, and no HTML', () => {
		expect(markdownToText('Salle « Les Tilleuls » & cour <b>A</b>')).toBe(
			'Salle « Les Tilleuls » & cour A'
		);
	});
});
