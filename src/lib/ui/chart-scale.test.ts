import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countScale } from './chart-scale.ts';

describe('countScale', () => {
	it('gives round tops and whole ticks', () => {
		expect(countScale(0)).toEqual({ top: 1, ticks: [0, 1] });
		expect(countScale(1)).toEqual({ top: 1, ticks: [0, 1] });
		expect(countScale(3)).toEqual({ top: 3, ticks: [0, 1, 2, 3] });
		expect(countScale(7)).toEqual({ top: 8, ticks: [0, 2, 4, 6, 8] });
		expect(countScale(37)).toEqual({ top: 40, ticks: [0, 10, 20, 30, 40] });
		expect(countScale(1234)).toEqual({ top: 1500, ticks: [0, 500, 1000, 1500] });
	});

	it('always holds the largest value, in at most four steps of a whole size', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 10_000_000 }), (max) => {
				const { top, ticks } = countScale(max);
				expect(top).toBeGreaterThanOrEqual(max);
				expect(ticks[0]).toBe(0);
				expect(ticks.at(-1)).toBe(top);
				expect(ticks.length - 1).toBeLessThanOrEqual(4);
				const step = ticks[1] - ticks[0];
				expect(Number.isInteger(step)).toBe(true);
				// Not wastefully high: the top is less than twice what one more step would need.
				expect(top - step).toBeLessThan(Math.max(max, 1));
			})
		);
	});
});
