import {
	BarController,
	BarElement,
	CategoryScale,
	Chart,
	Legend,
	LinearScale,
	Tooltip
} from 'chart.js';

// Only what the report draws, so the chart chunk stays small (loaded on the report page only).
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface Series {
	label: string;
	data: number[];
	color: string;
	/** Drawn against a second scale on the right: counts of a different size (notices beside reads). */
	rightAxis?: boolean;
}

/** A bar chart that prints as it shows: no animation, fixed colours with a legend in words. */
export function drawBars(
	canvas: HTMLCanvasElement,
	options: { labels: string[]; series: Series[]; horizontal?: boolean; locale: string }
): () => void {
	const chart = new Chart(canvas, {
		type: 'bar',
		data: {
			labels: options.labels,
			datasets: options.series.map((series) => ({
				label: series.label,
				data: series.data,
				backgroundColor: series.color,
				borderColor: series.color,
				borderWidth: 1,
				yAxisID: series.rightAxis ? 'y2' : undefined
			}))
		},
		options: {
			animation: false,
			responsive: true,
			maintainAspectRatio: false,
			indexAxis: options.horizontal ? 'y' : 'x',
			locale: options.locale,
			plugins: { legend: { position: 'bottom' } },
			scales: {
				[options.horizontal ? 'x' : 'y']: { beginAtZero: true, ticks: { precision: 0 } },
				...(options.series.some((series) => series.rightAxis)
					? {
							y2: {
								position: 'right' as const,
								beginAtZero: true,
								ticks: { precision: 0 },
								grid: { drawOnChartArea: false },
								title: {
									display: true,
									text: options.series.find((series) => series.rightAxis)!.label
								}
							}
						}
					: {})
			}
		}
	});
	return () => chart.destroy();
}
