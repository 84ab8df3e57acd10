export interface Series {
	label: string;
	data: number[];
	color: string;
	/** Drawn against a second scale on the right: counts of a different size (notices beside reads). */
	rightAxis?: boolean;
	/** Said after the label in the legend when on the right scale, e.g. « (échelle de droite) ». */
	rightAxisNote?: string;
}

/**
 * The value axis of a bar chart of counts: a round top and evenly spaced
 * ticks, so that the printed chart reads without a tooltip. Pure, no DOM.
 */
export interface Scale {
	/** The axis' top value: bars are `value / top` of the plot's height. */
	top: number;
	/** Tick values from 0 to top, bottom first. */
	ticks: number[];
}

/** 1, 2, 2.5, 5 × 10ⁿ at or above `raw`, never below 1: counts are whole. */
function roundStep(raw: number): number {
	if (!(raw > 1)) return 1;
	const power = 10 ** Math.floor(Math.log10(raw));
	for (const factor of [1, 2, 2.5, 5, 10]) {
		const step = factor * power;
		// 2.5 × 1 would give ticks of 2.5 votes.
		if (step >= raw && Number.isInteger(step)) return step;
	}
	return 10 * power;
}

/** The smallest round scale with `intervals` steps that holds `max`. */
export function countScale(max: number, intervals = 4): Scale {
	const value = Math.max(0, max);
	const step = roundStep(value / intervals);
	const steps = Math.max(1, Math.ceil(value / step));
	return { top: step * steps, ticks: Array.from({ length: steps + 1 }, (_, i) => i * step) };
}
