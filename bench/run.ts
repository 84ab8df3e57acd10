// Runs every benchmark and prints its figures. `npm run bench` builds first.
await import('./bundle-size.ts').then(async ({ measureBundles }) => {
	const results = await measureBundles();
	const kB = (bytes: number) => (bytes / 1000).toFixed(1);
	console.log('\n## JavaScript per route (gzip, kB = 1000 bytes)\n');
	console.log('| route | first render | after idle | budget |');
	console.log('| --- | ---: | ---: | --- |');
	for (const row of results) {
		const budget = row.budget
			? `${kB(row.budget)} kB — ${row.total <= row.budget ? 'within' : 'OVER'}`
			: '';
		console.log(
			`| \`${row.route}\` (${row.label}) | ${kB(row.initial)} | ${kB(row.total)} | ${budget} |`
		);
	}
});
