// First visit from a shared link on a slow phone, and the repeat visit offline
// (issue 7, budgets 1 and 2). Chromium's own throttling: 400 kbps down and up,
// 400 ms round trip, 4× CPU slowdown; Network events give the bytes on the wire.
import { startApp } from '../tests/harness/app.ts';
import {
	PHONE,
	openDevice,
	waitForServiceWorker,
	waitForVillagerSync
} from '../tests/e2e/browser.ts';

export interface VisitFigures {
	firstVisitMs: number;
	firstVisitBytes: number;
	firstVisitRequests: number;
	offlineMs: number;
	offlineSlowCpuMs: number;
	offlineUnseenMs: number;
}

const NOTICE = '/avis/demo-arrete-circulation-forge';

export async function measureVisits(): Promise<VisitFigures> {
	const app = await startApp();
	const phone = await openDevice(PHONE);
	try {
		const { page, context } = phone;
		const cdp = await context.newCDPSession(page);
		await cdp.send('Network.enable');
		await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
		let bytes = 0;
		let requests = 0;
		cdp.on('Network.loadingFinished', (event) => {
			bytes += event.encodedDataLength;
			requests++;
		});
		await cdp.send('Network.emulateNetworkConditions', {
			offline: false,
			latency: 400,
			downloadThroughput: 400_000 / 8,
			uploadThroughput: 400_000 / 8
		});
		await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });

		// 1. A link shared in the village's group chat, opened for the first time.
		const started = Date.now();
		await page.goto(app.url + NOTICE, { waitUntil: 'commit' });
		await page.getByText('la circulation est alternée').first().waitFor({ timeout: 60_000 });
		const firstVisitMs = Date.now() - started;
		// Everything the visit downloads, until the app settles (service worker, replica).
		await waitForServiceWorker(page);
		await waitForVillagerSync(page);
		await page.waitForTimeout(3000);
		const firstVisit = { bytes, requests };

		// 2. Later, without network: the home page's list from the service worker and the replica.
		await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
		await cdp.send('Network.emulateNetworkConditions', {
			offline: false,
			latency: 0,
			downloadThroughput: -1,
			uploadThroughput: -1
		});
		// The villager also opened the home page once, as anyone who installs the app does.
		await page.goto(app.url + '/');
		await page.locator('main .cards li').first().waitFor();
		await page.waitForTimeout(1000);
		await context.setOffline(true);
		const offlineRun = async (rate: number) => {
			await cdp.send('Emulation.setCPUThrottlingRate', { rate });
			const begin = Date.now();
			await page.goto(app.url + '/', { waitUntil: 'commit' });
			await page.locator('main .cards li').first().waitFor({ timeout: 30_000 });
			return Date.now() - begin;
		};
		const offlineMs = await offlineRun(1);
		const offlineSlowCpuMs = await offlineRun(4);
		// A page never opened before: the app shell, filled from the replica.
		await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
		const shellBegin = Date.now();
		await page.goto(app.url + '/sondages', { waitUntil: 'commit' });
		await page.locator('main .cards li').first().waitFor({ timeout: 30_000 });
		const offlineUnseenMs = Date.now() - shellBegin;
		return {
			firstVisitMs,
			firstVisitBytes: firstVisit.bytes,
			firstVisitRequests: firstVisit.requests,
			offlineMs,
			offlineSlowCpuMs,
			offlineUnseenMs
		};
	} finally {
		await phone.close();
		await app.stop();
	}
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const figures = await measureVisits();
	console.log(JSON.stringify(figures, null, 2));
}
