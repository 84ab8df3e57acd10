// One urgent alert fanned out to 10,000 subscribed devices (issue 16: ≤ 30 s),
// and the app process's memory meanwhile. The push service is on loopback
// (tests/harness/push-service.ts, counting without decrypting), so the figure
// is the app's own work: signing, encrypting, sending, noting its progress.
// `node bench/push.ts [count] [couchdb]`.
import nano from 'nano';
import { startApp } from '../tests/harness/app.ts';
import { provisionDemo, STAFF } from '../tests/harness/couch.ts';
import { startPushService } from '../tests/harness/push-service.ts';
import { startStore, type StoreKind } from '../tests/harness/store.ts';
import { noticeFactory } from '../tests/factories.ts';
import { subscriptionId } from '../src/lib/server/reach/subscriptions.ts';
import { pssMB } from './load.ts';

export interface PushFigures {
	store: StoreKind;
	devices: number;
	seconds: number;
	perSecond: number;
	everyDeviceOnce: boolean;
	peakMB: number;
	idleMB: number;
	/** The bilan's reach section: counting every subscription, read by staff. */
	reachReportMs: number;
}

export async function measurePush(
	count = 10_000,
	store: StoreKind = 'embedded'
): Promise<PushFigures> {
	const push = await startPushService({ decrypt: false });
	const server = await startStore(store);
	await provisionDemo(server.adminUrl);
	const app = await startApp({
		COUCHDB_URL: server.adminUrl,
		NODE_EXTRA_CA_CERTS: push.caFile,
		CRIEUR_PUSH_SERVICES: push.host
	});
	try {
		// Subscriptions written straight into the store: the API's per-address
		// limit is not what is measured here.
		const reach = nano(server.adminUrl).use('demo-reach');
		const today = new Date().toISOString().slice(0, 10);
		for (let from = 0; from < count; from += 1000) {
			const docs = Array.from({ length: Math.min(1000, count - from) }, (_, i) => {
				const { subscription } = push.device(`bench-${from + i}`);
				return {
					_id: subscriptionId(subscription.endpoint),
					type: 'push-subscription',
					endpoint: subscription.endpoint,
					keys: subscription.keys,
					categories: ['urgent'],
					origin: app.url,
					lang: 'fr',
					since: today,
					updated: today
				};
			});
			await reach.bulk({ docs });
		}
		const idleMB = pssMB(app.pid);
		const login = await fetch(`${app.url}/db/_session`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(STAFF)
		});
		const cookie = login.headers.getSetCookie()[0].split(';')[0];
		const storm = noticeFactory({
			title: 'Alerte crue : évacuez les rez-de-chaussée',
			category: 'alerte',
			urgent: true,
			published_at: new Date().toISOString(),
			expires_at: new Date(Date.now() + 6 * 3600_000).toISOString()
		});
		const started = performance.now();
		const put = await fetch(`${app.url}/db/demo-public/${encodeURIComponent(storm._id)}`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json', cookie },
			body: JSON.stringify(storm)
		});
		if (put.status !== 201) throw new Error(`publish: ${put.status}`);
		let peakMB = idleMB;
		let lastProgress = performance.now();
		let lastCount = 0;
		while (push.received.length < count) {
			await new Promise((resolve) => setTimeout(resolve, 250));
			peakMB = Math.max(peakMB, pssMB(app.pid));
			if (push.received.length !== lastCount) {
				lastCount = push.received.length;
				lastProgress = performance.now();
			} else if (performance.now() - lastProgress > 30_000) {
				throw new Error(`stalled at ${lastCount} of ${count}`);
			}
		}
		const seconds = (performance.now() - started) / 1000;
		// Done and noted: nothing more comes.
		for (;;) {
			const delivery = (await reach.get(`delivery:${storm._id}`)) as unknown as { state: string };
			if (delivery.state === 'done') break;
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		const perDevice = new Map<string, number>();
		for (const received of push.received) {
			perDevice.set(received.device, (perDevice.get(received.device) ?? 0) + 1);
		}
		const everyDeviceOnce =
			perDevice.size === count && [...perDevice.values()].every((times) => times === 1);
		const reportStarted = performance.now();
		const report = await fetch(`${app.url}/api/mairie/portee`, { headers: { cookie } });
		if (report.status !== 200) throw new Error(`reach report: ${report.status}`);
		const counted = ((await report.json()) as { subscribers: { total: number } }).subscribers;
		const reachReportMs = performance.now() - reportStarted;
		if (counted.total !== count) throw new Error(`reach report counted ${counted.total}`);
		return {
			store,
			devices: count,
			seconds,
			perSecond: count / seconds,
			everyDeviceOnce,
			peakMB,
			idleMB,
			reachReportMs
		};
	} finally {
		await app.stop();
		await server.stop();
		await push.stop();
	}
}

export function printPush(figures: PushFigures): void {
	console.log(`\n## One urgent alert to ${figures.devices} devices (${figures.store})\n`);
	console.log('| figure | value | budget |');
	console.log('| --- | ---: | --- |');
	console.log(
		`| publish until the last device's message was taken | ${figures.seconds.toFixed(1)} s | 30 s — ${figures.seconds <= 30 ? 'within' : 'OVER'} |`
	);
	console.log(`| messages per second | ${figures.perSecond.toFixed(0)} | |`);
	console.log(`| every device exactly once | ${figures.everyDeviceOnce ? 'yes' : 'NO'} | |`);
	console.log(
		`| app memory (PSS) before, at peak | ${figures.idleMB.toFixed(0)} MB, ${figures.peakMB.toFixed(0)} MB | |`
	);
	console.log(
		`| staff's reach report (counts every subscription) | ${figures.reachReportMs.toFixed(0)} ms | |`
	);
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const count = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 10_000);
	const store: StoreKind = process.argv.includes('couchdb') ? 'couchdb' : 'embedded';
	printPush(await measurePush(count, store));
}
