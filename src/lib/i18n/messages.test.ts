import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

type Variant = { declarations: string[]; match: Record<string, string> };
type Messages = Record<string, string | Variant[]>;

function load(locale: string): Messages {
	const { $schema: _schema, ...messages } = JSON.parse(
		readFileSync(new URL(`./messages/${locale}.json`, import.meta.url), 'utf8')
	) as Messages & { $schema: string };
	return messages;
}

/** The inputs a message needs: what callers must pass, whatever the language. */
function inputsOf(message: string | Variant[]): string[] {
	if (typeof message === 'string') {
		return [...new Set([...message.matchAll(/\{(\w+)\}/g)].map((found) => found[1]))].sort();
	}
	return message
		.flatMap((variant) => variant.declarations)
		.filter((declaration) => declaration.startsWith('input '))
		.map((declaration) => declaration.slice('input '.length))
		.sort();
}

const fr = load('fr');
const en = load('en');

describe('interface text', () => {
	it('has every French message in English, and nothing else', () => {
		expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
	});

	it('asks the same inputs in both languages', () => {
		for (const key of Object.keys(fr)) {
			expect({ key, inputs: inputsOf(en[key]) }).toEqual({ key, inputs: inputsOf(fr[key]) });
		}
	});

	it('leaves no message empty or untranslated by mistake', () => {
		// Words that are the same in both languages on purpose.
		const same = new Set([
			'appName',
			'language_fr',
			'language_en',
			'notice_filePdf',
			'staff_actionsColumn',
			'poll_voteCount',
			'editor_publishAt',
			'participate_body',
			'staffPolls_question',
			'categoryPlural_compte_rendu',
			'agenda_eventTitle',
			'poster_urgent',
			'staffReport_ballots',
			'staffReport_total',
			'staffReport_colQuestion',
			'install_androidHeading',
			'push_correction'
		]);
		for (const [key, message] of Object.entries(fr)) {
			const text = JSON.stringify(message);
			expect(text.length, key).toBeGreaterThan(2);
			if (!same.has(key) && typeof message === 'string' && message.length > 6) {
				expect({ key, en: en[key] }).not.toEqual({ key, en: message });
			}
		}
	});

	it('uses a plural form wherever a count is shown with a noun', () => {
		for (const [key, message] of Object.entries(en)) {
			if (typeof message !== 'string') continue;
			expect(`${key}: ${message}`).not.toMatch(/\{(n|count)\} \w+s\b/);
		}
	});
});
