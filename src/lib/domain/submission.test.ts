import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distanceKm, nextStatuses, submissionIssues } from './submission.ts';
import { answerFrom } from './answer.ts';
import { submissionFactory as submission } from '../../../tests/factories.ts';

const request = {
	outbox_id: 'o-abc123',
	kind: 'report',
	title: 'Nid-de-poule',
	body: 'Devant l’école.',
	category: 'voirie',
	place: { lat: 46.31, lng: 4.83, address: 'rue de l’École' },
	public_name: null
};

describe('submission rules', () => {
	it('accepts a well-formed request and names the first problem per field', () => {
		expect(submissionIssues(request)).toEqual([]);
		expect(
			submissionIssues({
				...request,
				title: ' ',
				category: 'x',
				place: { lat: 91, lng: 0, address: '' }
			})
		).toEqual([
			{ field: 'title', code: 'required' },
			{ field: 'category', code: 'invalid_category' },
			{ field: 'place', code: 'invalid_place' }
		]);
		expect(submissionIssues({ ...request, place: { lat: 46, lng: null, address: '' } })).toEqual([
			{ field: 'place', code: 'invalid_place' }
		]);
		expect(submissionIssues(null)).not.toEqual([]);
	});

	it('never throws on any input', () => {
		fc.assert(
			fc.property(fc.anything(), (input) => {
				expect(Array.isArray(submissionIssues(input))).toBe(true);
			})
		);
	});

	it('measures distances on the globe', () => {
		const paris = { lat: 48.8566, lng: 2.3522 };
		const lyon = { lat: 45.764, lng: 4.8357 };
		expect(distanceKm(paris, lyon)).toBeGreaterThan(380);
		expect(distanceKm(paris, lyon)).toBeLessThan(400);
		expect(distanceKm(paris, paris)).toBe(0);
	});

	it('publishes the text and the answer, the name only by consent, never the author', () => {
		const now = new Date('2026-11-25T12:00:00Z');
		const answer = answerFrom(submission({ status: 'resolved', answer: 'Rebouché.' }), now);
		expect(answer).toMatchObject({
			_id: 'answer:o-abc123',
			type: 'answer',
			status: 'resolved',
			answer: 'Rebouché.',
			public_name: null,
			place_address: 'rue de l’École'
		});
		expect(JSON.stringify(answer)).not.toContain('resident:r1');
		const named = answerFrom(submission({ status: 'accepted', public_name: 'Jeanne' }), now);
		expect(named.public_name).toBe('Jeanne');
		expect(() => answerFrom(submission({ status: 'declined' }), now)).toThrow();
	});

	it('lets a declined or merged submission be reopened, nothing else from there', () => {
		expect(nextStatuses('declined')).toEqual(['received']);
		expect(nextStatuses('received')).toContain('declined');
	});
});
