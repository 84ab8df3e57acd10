/**
 * How big a poster's type can be and still fit one sheet, found by trying:
 * `fits(scale)` lays the poster out at that scale and says whether it fits.
 * Larger type never fits where smaller does not (the text only grows), so a
 * binary search finds the largest scale that fits. When even the smallest
 * does not, the poster keeps the smallest and flows onto a second sheet.
 */
export function largestFit(
	fits: (scale: number) => boolean,
	{ min, max, steps = 8 }: { min: number; max: number; steps?: number }
): number {
	if (fits(max)) return max;
	if (!fits(min)) return min;
	let low = min;
	let high = max;
	for (let i = 0; i < steps; i++) {
		const middle = (low + high) / 2;
		if (fits(middle)) low = middle;
		else high = middle;
	}
	return low;
}
