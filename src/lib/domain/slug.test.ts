import { describe, expect, it } from 'vitest';
import { isReservedId, newSlugId, randomChars, slugOf, slugWords } from './slug.ts';
import { newId } from './slug.ts';

const random = (count: number) => crypto.getRandomValues(new Uint8Array(count));
/** Randomness that always draws the same bytes, for collisions on purpose. */
const fixed = (count: number) => new Uint8Array(count).fill(7);

describe('readable addresses (issue 13 §5)', () => {
	it('come from the title: accents folded, little words left out, short', () => {
		expect(slugWords('Marché de Noël des écoles')).toBe('marche-noel-ecoles');
		expect(slugWords("Coupure d'eau rue des Tilleuls et impasse du Lavoir")).toBe(
			'coupure-eau-rue-tilleuls-impasse-lavoir'
		);
		expect(slugWords('Cérémonie des vœux du maire')).toBe('ceremonie-voeux-maire');
		expect(slugWords('Arrêté n° 2026-041 : circulation alternée')).toBe(
			'arrete-n-2026-041-circulation-alternee'
		);
		expect(slugWords('Le la les')).toBe('le-la-les');
		expect(slugWords('🎄🎉')).toBe('');
		expect(slugWords('x'.repeat(90))).toBe('x'.repeat(40));
		for (const title of [
			'Réunion publique sur le plan local d’urbanisme intercommunal du canton'
		]) {
			expect(slugWords(title).length).toBeLessThanOrEqual(40);
			expect(slugWords(title)).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
		}
	});

	it('always carry a short random suffix, so that offline laptops never pick the same one', () => {
		const id = newSlugId('notice', 'Conseil municipal', random);
		expect(id).toMatch(/^notice:conseil-municipal-[0-9a-z]{4}$/);
		const many = new Set(Array.from({ length: 300 }, () => newSlugId('poll', 'Conseil', random)));
		expect(many.size).toBeGreaterThan(295);
		expect(newSlugId('event', '!!!', random)).toMatch(/^event:evenement-[0-9a-z]{4}$/);
	});

	it('draw again when this laptop already has the id', () => {
		const first = newSlugId('notice', 'Fête', fixed);
		let draws = 0;
		const again = newSlugId(
			'notice',
			'Fête',
			(count) => (draws++ === 0 ? fixed(count) : random(count)),
			(id) => id === first
		);
		expect(again).not.toBe(first);
		expect(again.startsWith('notice:fete-')).toBe(true);
	});

	it('never name a route of their own (/mairie/avis/nouveau)', () => {
		expect(newSlugId('notice', 'Nouveau', random)).not.toBe('notice:nouveau');
		expect(isReservedId('notice:nouveau')).toBe(true);
		expect(isReservedId('event:nouveau')).toBe(true);
		expect(isReservedId('notice:nouveau-k3f9')).toBe(false);
		expect(slugOf('notice:marche-noel-k3f9')).toBe('marche-noel-k3f9');
	});

	it('draw characters without bias from the randomness handed in', () => {
		// 252 and above are dropped: 256 is not a multiple of 36.
		let call = 0;
		const biased = (count: number) =>
			call++ === 0 ? new Uint8Array(count).fill(255) : new Uint8Array(count).fill(37);
		expect(randomChars(4, biased)).toBe('1111');
	});
});

describe('opaque ids', () => {
	it('are prefixed, unique and sort by creation time, from the randomness handed in', () => {
		const first = newId('notice', new Date('2026-01-01T00:00:00Z'), random);
		const second = newId('notice', new Date('2026-06-01T00:00:00Z'), random);
		expect(first).toMatch(/^notice:[0-9a-z]+-[0-9a-z]{10}$/);
		expect(first < second).toBe(true);
		expect(new Set(Array.from({ length: 500 }, () => newId('o', new Date(), random))).size).toBe(
			500
		);
	});
});
