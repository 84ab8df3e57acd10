// Runs every benchmark and prints its figures as Markdown. `npm run bench` builds first.
import { measureBallots } from './ballots.ts';
import { measureBundles } from './bundle-size.ts';

const kB = (bytes: number) => (bytes / 1000).toFixed(1);

const bundles = await measureBundles();
console.log('\n## JavaScript per route (gzip, kB = 1000 bytes)\n');
console.log('| route | first render | after idle | budget |');
console.log('| --- | ---: | ---: | --- |');
for (const row of bundles) {
	const budget = row.budget
		? `${kB(row.budget)} kB — ${row.total <= row.budget ? 'within' : 'OVER'}`
		: '';
	console.log(
		`| \`${row.route}\` (${row.label}) | ${kB(row.initial)} | ${kB(row.total)} | ${budget} |`
	);
}

const ballots = await measureBallots();
console.log('\n## Ballots\n');
console.log('| figure | value |');
console.log('| --- | ---: |');
console.log(`| ballots accepted (${ballots.concurrency} at a time) | ${ballots.ballots} |`);
console.log(`| ballots per second | ${ballots.perSecond.toFixed(1)} |`);
console.log(`| tally exact | ${ballots.tallyExact ? 'yes' : 'NO'} |`);
console.log(`| seconds until the tally showed all ballots | ${ballots.tallySeconds.toFixed(1)} |`);
console.log(`| bytes a device sends per ballot (headers + body) | ${ballots.requestBytes} |`);
console.log(`| of which JSON body | ${ballots.bodyBytes} |`);
console.log(`| response body | ${ballots.responseBytes} |`);
if (!ballots.tallyExact) process.exitCode = 1;
