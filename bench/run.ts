// Runs every benchmark and prints its figures as Markdown. `npm run bench` builds first.
import { measureBallots } from './ballots.ts';
import { measureBundles } from './bundle-size.ts';
import { measureLoad, printLoad } from './load.ts';
import { measureOpenApp, printOpenApp } from './open-app.ts';
import { measurePush, printPush } from './push.ts';
import { measureReport } from './submissions.ts';
import { measureSync, printSync } from './sync.ts';
import { measureVisits } from './visits.ts';

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
console.log(
	`| seconds until the tally showed all ballots but the last batch | ${ballots.tallySeconds.toFixed(1)} |`
);
console.log(`| bytes a device sends per ballot (headers + body) | ${ballots.requestBytes} |`);
console.log(`| of which JSON body | ${ballots.bodyBytes} |`);
console.log(`| response body | ${ballots.responseBytes} |`);

const report = await measureReport();
console.log('\n## A report with one phone photo\n');
console.log('| figure | value |');
console.log('| --- | ---: |');
console.log(`| photo from the camera (4000×3000 JPEG) | ${kB(report.originalBytes)} kB |`);
console.log(`| shrinking it on the phone (4× CPU slowdown) | ${report.shrinkMs} ms |`);
console.log(`| bytes sent (multipart: text + shrunk photo) | ${kB(report.requestBytes)} kB |`);
for (const link of report.links) {
	console.log(
		`| send until "Envoyé", ${link.label} | ${(link.sendMs / 1000).toFixed(1)} s (bound ${(link.boundMs / 1000).toFixed(1)} s) |`
	);
}

const visits = await measureVisits();
const within = (value: number, budget: number) =>
	`${budget} ms — ${value <= budget ? 'within' : `OVER by ${value - budget} ms`}`;
console.log('\n## Visits (400 kbps, 400 ms RTT, 4× CPU for the first visit)\n');
console.log('| figure | value | budget |');
console.log('| --- | ---: | --- |');
console.log(
	`| first visit from a shared link: notice text visible | ${visits.firstVisitMs} ms | ${within(visits.firstVisitMs, 2500)} |`
);
console.log(
	`| first visit: bytes on the wire until the app settles (incl. offline precache) | ${kB(visits.firstVisitBytes)} kB in ${visits.firstVisitRequests} requests | |`
);
console.log(
	`| repeat visit offline: home list visible | ${visits.offlineMs} ms | ${within(visits.offlineMs, 300)} |`
);
console.log(
	`| the same at 4× CPU slowdown | ${visits.offlineSlowCpuMs} ms | ${within(visits.offlineSlowCpuMs, 1000)} |`
);
console.log(
	`| offline, a page never opened (app shell + replica) | ${visits.offlineUnseenMs} ms | |`
);

printSync(await measureSync());
printLoad(await measureLoad());

printPush(await measurePush());
printOpenApp(await measureOpenApp());

if (!ballots.tallyExact) process.exitCode = 1;
