import { describe, expect, it } from 'vitest';
import { compareNotices, nextChange, partitionNotices, visibility } from './notice.ts';
import { excerpt, matchesSearch } from './search.ts';
import { validateDraft, validatePublicDoc } from './notice-schema.ts';
import { draftFactory, noticeFactory } from '../../../tests/factories.ts';

const now = new Date('2026-11-25T12:00:00Z');

describe('visibility', () => {
	it('is scheduled before publication, current in the window, expired after', () => {
		const window = { published_at: '2026-11-25T12:00:00Z', expires_at: '2026-11-26T12:00:00Z' };
		expect(visibility(window, new Date('2026-11-25T11:59:59Z'))).toBe('scheduled');
		expect(visibility(window, new Date('2026-11-25T12:00:00Z'))).toBe('current');
		expect(visibility(window, new Date('2026-11-26T11:59:59Z'))).toBe('current');
		expect(visibility(window, new Date('2026-11-26T12:00:00Z'))).toBe('expired');
	});

	it('keeps a notice without expiry current for ever', () => {
		expect(visibility({ published_at: '2020-01-01T00:00:00Z', expires_at: null }, now)).toBe(
			'current'
		);
	});

	it('compares instants, not strings, across time zones', () => {
		// 13:30 in Paris in winter is 12:30 UTC: not yet published at 12:00 UTC.
		expect(visibility({ published_at: '2026-11-25T13:30:00+01:00', expires_at: null }, now)).toBe(
			'scheduled'
		);
	});
});

describe('ordering', () => {
	it('puts urgent notices first, then the newest', () => {
		const old = noticeFactory({ _id: 'notice:a', published_at: '2026-11-01T00:00:00Z' });
		const recent = noticeFactory({ _id: 'notice:b', published_at: '2026-11-20T00:00:00Z' });
		const alert = noticeFactory({
			_id: 'notice:c',
			urgent: true,
			published_at: '2026-10-01T00:00:00Z'
		});
		expect([old, recent, alert].sort(compareNotices).map((n) => n._id)).toEqual([
			'notice:c',
			'notice:b',
			'notice:a'
		]);
	});

	it('breaks ties by id so that the order is stable', () => {
		const a = noticeFactory({ _id: 'notice:a' });
		const b = noticeFactory({ _id: 'notice:b' });
		expect([b, a].sort(compareNotices)).toEqual([a, b]);
	});

	it('partitions current from past and hides what is not yet published', () => {
		const current = noticeFactory({ _id: 'notice:current', published_at: '2026-11-20T00:00:00Z' });
		const past = noticeFactory({
			_id: 'notice:past',
			urgent: true,
			published_at: '2026-10-01T00:00:00Z',
			expires_at: '2026-10-02T00:00:00Z'
		});
		const future = noticeFactory({ _id: 'notice:future', published_at: '2026-12-01T00:00:00Z' });
		const lists = partitionNotices([current, past, future], now);
		expect(lists.current.map((n) => n._id)).toEqual(['notice:current']);
		expect(lists.past.map((n) => n._id)).toEqual(['notice:past']);
	});

	it('knows when the list changes next', () => {
		const soon = noticeFactory({ published_at: '2026-11-25T12:10:00Z' });
		const expiring = noticeFactory({
			published_at: '2026-11-01T00:00:00Z',
			expires_at: '2026-11-25T12:05:00Z'
		});
		expect(nextChange([soon, expiring], now)?.toISOString()).toBe('2026-11-25T12:05:00.000Z');
		expect(nextChange([], now)).toBeNull();
	});
});

describe('search', () => {
	const notice = noticeFactory({
		title: 'Arrêté de circulation',
		body: 'Route de la Forge, travaux.'
	});
	it('ignores accents and case', () => {
		expect(matchesSearch(notice, 'ARRETE')).toBe(true);
		expect(matchesSearch(notice, 'forge travaux')).toBe(true);
	});
	it('needs every word', () => {
		expect(matchesSearch(notice, 'forge piscine')).toBe(false);
	});
	it('matches everything on an empty query', () => {
		expect(matchesSearch(notice, '   ')).toBe(true);
	});
});

describe('excerpt', () => {
	it('strips markdown and cuts on a word', () => {
		const text = excerpt(
			'## Titre\n\n**Gras** et [un lien](https://example.org) puis ' + 'mot '.repeat(80),
			60
		);
		expect(text.startsWith('Titre Gras et un lien puis')).toBe(true);
		expect(text.endsWith('…')).toBe(true);
		expect(text.length).toBeLessThanOrEqual(61);
	});
	it('drops raw HTML', () => {
		expect(excerpt('<script>alert(1)</script>Bonjour')).toBe('alert(1)Bonjour');
	});
});

describe('schema', () => {
	it('accepts a well-formed notice', () => {
		expect(validatePublicDoc(noticeFactory())).toMatchObject({ ok: true });
	});

	it.each([
		['title', { title: '   ' }, 'required'],
		['title', { title: 'x'.repeat(161) }, 'too_long'],
		['category', { category: 'fete' }, 'invalid_category'],
		['urgent', { urgent: 'oui' }, 'invalid_boolean'],
		['published_at', { published_at: '25/11/2026' }, 'invalid_date'],
		['published_at', { published_at: '2026-11-25T10:00:00' }, 'invalid_date'],
		['expires_at', { expires_at: '2020-01-01T00:00:00Z' }, 'expires_before_publication'],
		['_id', { _id: 'poll:1' }, 'invalid_id']
	])('refuses a bad %s', (field, patch, code) => {
		const result = validatePublicDoc({ ...noticeFactory(), ...patch });
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.issues).toContainEqual({ field, code });
	});

	it('refuses unknown types and non-objects', () => {
		expect(validatePublicDoc({ ...noticeFactory(), type: 'ballot' }).ok).toBe(false);
		expect(validatePublicDoc(null).ok).toBe(false);
	});

	it('refuses attachments that are not PDF or raster images', () => {
		const result = validatePublicDoc({
			...noticeFactory(),
			_attachments: { 'x.svg': { content_type: 'image/svg+xml', length: 10 } }
		});
		expect(result.ok).toBe(false);
	});

	it('asks a short description of every picture, not of documents (issue 13 §5)', () => {
		const photo = { content_type: 'image/jpeg', length: 10 };
		const pdf = { content_type: 'application/pdf', length: 10 };
		const issues = (doc: object) => {
			const result = validatePublicDoc({ ...noticeFactory(), ...doc });
			return result.ok ? [] : result.issues.map((issue) => `${issue.field}:${issue.code}`);
		};
		expect(issues({ _attachments: { 'a.pdf': pdf } })).toEqual([]);
		expect(issues({ _attachments: { 'lavoir.jpg': photo } })).toEqual(['files_alt:missing_alt']);
		expect(
			issues({ _attachments: { 'lavoir.jpg': photo }, files_alt: { 'lavoir.jpg': '  ' } })
		).toContain('files_alt.lavoir.jpg:required');
		expect(
			issues({
				_attachments: { 'lavoir.jpg': photo },
				files_alt: { 'lavoir.jpg': 'Le lavoir restauré' }
			})
		).toEqual([]);
		expect(validateDraft({ ...draftFactory(), _attachments: { 'a.png': photo } }).ok).toBe(false);
	});

	it('names an event by its id, or none', () => {
		expect(validatePublicDoc({ ...noticeFactory(), event: 'event:fete-k3f9' }).ok).toBe(true);
		expect(validatePublicDoc({ ...noticeFactory(), event: null }).ok).toBe(true);
		expect(validatePublicDoc({ ...noticeFactory(), event: 'poll:x' }).ok).toBe(false);
		expect(validatePublicDoc({ ...noticeFactory({ _id: 'notice:nouveau' }) }).ok).toBe(false);
	});

	it('needs a status on drafts', () => {
		expect(validateDraft({ ...noticeFactory(), status: 'draft' }).ok).toBe(true);
		expect(validateDraft({ ...noticeFactory(), status: 'published' }).ok).toBe(false);
	});
});
