import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { largestFit } from './fit.ts';

describe('largestFit', () => {
	it('keeps the largest size when the text fits, the smallest when nothing does', () => {
		expect(largestFit(() => true, { min: 0.5, max: 1.2 })).toBe(1.2);
		expect(largestFit(() => false, { min: 0.5, max: 1.2 })).toBe(0.5);
	});

	it('finds a scale that fits, within 1 % of the largest that does', () => {
		fc.assert(
			fc.property(fc.double({ min: 0.5, max: 1.2, noNaN: true }), (limit) => {
				const tried: number[] = [];
				const found = largestFit(
					(scale) => {
						tried.push(scale);
						return scale <= limit;
					},
					{ min: 0.5, max: 1.2 }
				);
				expect(found).toBeLessThanOrEqual(limit);
				expect(limit - found).toBeLessThan(0.01);
				// A handful of layouts, not one per step of a slider.
				expect(tried.length).toBeLessThanOrEqual(10);
			})
		);
	});
});
