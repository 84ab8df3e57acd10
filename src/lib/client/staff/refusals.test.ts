import { describe, expect, it } from 'vitest';
import { refusalOf } from './refusals.ts';

const at = new Date('2026-12-02T10:00:00Z');

describe('refusalOf', () => {
	it('keeps the rules’ own French words, and the title staff know the document by', () => {
		const refusal = refusalOf(
			'public',
			{ _id: 'notice:marche-k3f9', title: '  Marché de Noël ' },
			{ error: 'forbidden', reason: 'Document refusé (title : trop long).' },
			['2-b', '2-a'],
			at
		);
		expect(refusal).toEqual({
			location: 'public',
			id: 'notice:marche-k3f9',
			title: 'Marché de Noël',
			kind: 'rules',
			reason: 'Document refusé (title : trop long).',
			revs: ['2-b', '2-a'],
			at: '2026-12-02T10:00:00.000Z'
		});
	});

	it('names a poll by its question, and anything without a name by its id', () => {
		const poll = refusalOf('mairie', { _id: 'poll:x', question: 'Quel jour ?' }, {}, [], at);
		expect(poll.title).toBe('Quel jour ?');
		expect(refusalOf('mairie', { _id: 'kiosk:1', title: '  ' }, {}, [], at).title).toBe('kiosk:1');
	});

	it('sorts CouchDB’s other answers into kinds the page words in French', () => {
		const kindOf = (result: { error?: string; reason?: string }) =>
			refusalOf('public', { _id: 'notice:x' }, result, [], at);
		expect(kindOf({ error: 'too_large' })).toMatchObject({ kind: 'too_large', reason: '' });
		expect(kindOf({ error: 'document_too_large', reason: 'notice:x' }).kind).toBe('too_large');
		expect(kindOf({ error: 'conflict', reason: 'Document update conflict.' })).toMatchObject({
			kind: 'conflict',
			reason: ''
		});
		expect(
			kindOf({ error: 'unauthorized', reason: 'You are not a db or server admin.' }).kind
		).toBe('not_allowed');
		expect(kindOf({ error: 'forbidden', reason: 'forbidden' }).kind).toBe('not_allowed');
		expect(kindOf({ error: 'unknown_error', reason: 'function_clause' })).toMatchObject({
			kind: 'other',
			reason: ''
		});
	});
});
