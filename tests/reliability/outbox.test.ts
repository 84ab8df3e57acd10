import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '../e2e/browser.ts';
import {
	closePoll,
	isCountedWrite,
	publishPolls,
	residentPhone,
	seeded,
	serverCounts,
	sleep,
	startVillage,
	storedOutbox,
	suggest,
	vote,
	watchApiAnswers,
	type CouchVerdict,
	type Village
} from './village.ts';

/**
 * Issue 7: the outbox keeps its promise — every private action reaches the
 * server exactly once — through a flapping network, a server killed mid-write,
 * and a page reloaded mid-send.
 */
let village: Village;
const devices: Device[] = [];

beforeAll(async () => {
	village = await startVillage();
});

afterAll(async () => {
	for (const device of devices) await device.close().catch(() => undefined);
	await village?.stop();
});

/** How many ballot or submission writes CouchDB answered, by status. */
function writeSummary(writes: Village['writes']): Record<string, number> {
	const summary: Record<string, number> = {};
	for (const write of writes) {
		const key = `${write.id.split(':')[0]} ${write.status}`;
		summary[key] = (summary[key] ?? 0) + 1;
	}
	return summary;
}

/** Waits until every stored item is sent; fails with the stuck ones. */
async function everythingSent(device: Device, timeout = 60_000) {
	await expect
		.poll(
			async () =>
				(await storedOutbox(device.page))
					.filter((item) => item.state !== 'sent')
					.map((item) => `${item.kind} ${item.state} ${item.error?.code ?? ''}`),
			{ timeout, interval: 500 }
		)
		.toEqual([]);
	return storedOutbox(device.page);
}

describe('the outbox under a flapping network', () => {
	it('sends every item exactly once through 200 network flaps', async () => {
		const polls = await publishPolls(village, 4, 'flap');
		const phone = await residentPhone(village, 'Famille Flap');
		devices.push(phone);
		const { page, context } = phone;
		const answers = watchApiAnswers(context);

		await context.setOffline(true);
		for (const poll of polls) await vote(page, village.app.url, poll._id);
		await page.goto(`${village.app.url}/participer`);
		for (let i = 1; i <= 4; i++) await suggest(page, `Idée ${i} du village`);
		const queued = await storedOutbox(page);
		expect(queued).toHaveLength(8);
		expect(queued.filter((item) => item.state === 'sent')).toEqual([]);

		// Writes are slow (a busy server), and the first three lose their answer on
		// the way back from CouchDB: stored, but the app answers 500 and the phone
		// must send them again. (Chromium's offline emulation refuses new requests
		// but lets one already on the wire finish: the browser alone loses no answer.)
		const random = seeded(7);
		let lost = 0;
		village.onCouchRequest = async (request) => {
			if (!isCountedWrite(request)) return 'pass';
			await sleep(100 + Math.floor(random() * 300));
			return lost++ < 3 ? 'answer-lost' : 'pass';
		};
		const flaps = seeded(2026);
		let offline = true;
		const started = Date.now();
		for (let flap = 0; flap < 200; flap++) {
			offline = !offline;
			await context.setOffline(offline);
			await sleep((offline ? 10 : 20) + Math.floor(flaps() * (offline ? 80 : 150)));
		}
		const flapping = Date.now() - started;
		const atEnd = await storedOutbox(page);
		if (offline) await context.setOffline(false);
		// What only lacked a network goes as soon as it is back, whatever its back-off.
		const onlyOffline = atEnd.filter((item) => item.state === 'waiting' && !item.error);
		await expect
			.poll(
				async () =>
					(await storedOutbox(page)).filter(
						(item) => onlyOffline.some((waiting) => waiting.id === item.id) && item.state !== 'sent'
					).length,
				{ timeout: 5_000, interval: 250 }
			)
			.toBe(0);
		const items = await everythingSent(phone, 90_000);
		const drainedAfter = Date.now() - started - flapping;
		const counts = await serverCounts(
			village,
			polls.map((poll) => poll._id),
			items.filter((item) => item.kind === 'submission').map((item) => item.id)
		);
		console.log('flaps:', {
			flapping,
			unsentAtEnd: atEnd
				.filter((item) => item.state !== 'sent')
				.map((item) => `${item.kind} after ${item.attempts} attempts ${item.error?.code ?? ''}`),
			drainedAfter,
			writes: writeSummary(village.writes),
			answers,
			counts
		});
		expect(items).toHaveLength(8);
		expect(lost).toBeGreaterThanOrEqual(3);
		for (const poll of polls) expect(counts.ballotsPerPoll[poll._id]).toBe(1);
		expect(counts.submissionsFromOutbox).toBe(4);
		expect(counts.submissionsTotal).toBe(4);
		await closePoll(village, polls[0]._id);
		await expect
			.poll(async () => (await serverCounts(village, [polls[0]._id], [])).talliedPerPoll, {
				timeout: 45_000
			})
			.toEqual({ [polls[0]._id]: 1 });
		village.onCouchRequest = null;
	});
});

describe('the outbox when the server dies', () => {
	it('loses and duplicates nothing when the app server is killed mid-write', async () => {
		const polls = await publishPolls(village, 2, 'kill');
		const phone = await residentPhone(village, 'Famille Kill');
		devices.push(phone);
		const { page, context } = phone;
		const answers = watchApiAnswers(context);
		await context.setOffline(true);
		for (const poll of polls) await vote(page, village.app.url, poll._id);
		await page.goto(`${village.app.url}/participer`);
		for (let i = 1; i <= 2; i++) await suggest(page, `Idée ${i} avant la panne`);

		// One kill when CouchDB has just stored a ballot, the app never answering;
		// one while a suggestion waits on CouchDB, never stored. In whichever order
		// the outbox sends them: a send that met the network still coming back
		// waits its back-off while the next item goes.
		const kills: { moment: string; id: string }[] = [];
		const AFTER_STORED = 'after CouchDB stored it';
		let killed = Promise.withResolvers<void>();
		village.afterStored = () => void village.app.kill().then(() => killed.resolve());
		village.onCouchRequest = async (request) => {
			if (!isCountedWrite(request)) return 'pass';
			const ballot = request.docId!.startsWith('ballot:');
			if (kills.some((kill) => kill.id.startsWith('ballot:') === ballot)) return 'pass';
			if (ballot) {
				kills.push({ moment: AFTER_STORED, id: request.docId! });
				return 'answer-lost';
			}
			kills.push({ moment: 'before CouchDB saw it', id: request.docId! });
			await village.app.kill();
			killed.resolve();
			return 'drop';
		};
		await context.setOffline(false);
		for (let round = 0; round < 2; round++) {
			const outcome = await Promise.race([killed.promise.then(() => 'killed'), sleep(60_000)]);
			if (outcome !== 'killed') {
				const states = (await storedOutbox(page)).map(
					(item) =>
						`${item.kind} ${item.state} ${item.attempts} ${item.next_attempt_at - Date.now()}`
				);
				throw new Error(`no kill ${round}: ${JSON.stringify({ states, answers, kills })}`);
			}
			killed = Promise.withResolvers<void>();
			await village.app.restart();
		}
		village.onCouchRequest = null;
		village.afterStored = null;

		const items = await everythingSent(phone);
		const submissionIds = items.filter((item) => item.kind === 'submission').map((item) => item.id);
		const counts = await serverCounts(
			village,
			polls.map((poll) => poll._id),
			submissionIds
		);
		const stored = kills.find((kill) => kill.moment === AFTER_STORED)!;
		const killedWrites = village.writes.filter((write) => write.id === stored.id);
		console.log('kill:', { kills, killedWrites, answers, counts });
		expect(kills).toHaveLength(2);
		expect(items).toHaveLength(4);
		for (const poll of polls) expect(counts.ballotsPerPoll[poll._id]).toBe(1);
		expect(counts.submissionsFromOutbox).toBe(2);
		// The ballot stored before the kill was written once; its resend was a
		// duplicate (the server's first try to store it met a 409, then it read).
		const statuses = killedWrites.map((write) => write.status);
		expect(statuses.filter((status) => status < 300)).toEqual([201]);
		expect(statuses.filter((status) => status >= 300 && status !== 409)).toEqual([]);
		expect(answers['/api/ballots 200']).toBeGreaterThanOrEqual(1);

		// The same outbox_id sent again after the restart counts once.
		const replays = await page.evaluate(async (sent) => {
			const statuses: number[] = [];
			for (const item of sent) {
				const response = await fetch(item.url, {
					method: 'POST',
					headers: { 'content-type': 'application/json', accept: 'application/json' },
					body: JSON.stringify({ ...item.body, outbox_id: item.id })
				});
				statuses.push(response.status);
			}
			return statuses;
		}, items);
		expect(replays).toEqual([200, 200, 200, 200]);
		const after = await serverCounts(
			village,
			polls.map((poll) => poll._id),
			submissionIds
		);
		expect(after.ballotsPerPoll).toEqual(counts.ballotsPerPoll);
		expect(after.submissionsTotal).toBe(counts.submissionsTotal);
		await closePoll(village, polls[0]._id);
		await expect
			.poll(async () => (await serverCounts(village, [polls[0]._id], [])).talliedPerPoll, {
				timeout: 45_000
			})
			.toEqual({ [polls[0]._id]: 1 });
	});
});

describe('the outbox when the page reloads', () => {
	it('sends everything once when the page is reloaded while sending', async () => {
		const polls = await publishPolls(village, 2, 'reload');
		const phone = await residentPhone(village, 'Famille Reload');
		devices.push(phone);
		const { page, context } = phone;
		const answers = watchApiAnswers(context);
		await context.setOffline(true);
		for (const poll of polls) await vote(page, village.app.url, poll._id);
		await page.goto(`${village.app.url}/participer`);
		for (let i = 1; i <= 2; i++) await suggest(page, `Idée ${i} avant le rechargement`);

		// A slow link (CDP) and a slow server: sends stay in flight long enough to reload.
		const cdp = await context.newCDPSession(page);
		await cdp.send('Network.emulateNetworkConditions', {
			offline: false,
			latency: 400,
			downloadThroughput: -1,
			uploadThroughput: -1
		});
		const firstWrite = Promise.withResolvers<void>();
		village.onCouchRequest = async (request): Promise<CouchVerdict> => {
			if (!isCountedWrite(request)) return 'pass';
			firstWrite.resolve();
			await sleep(800);
			return 'pass';
		};
		const writesBefore = village.writes.length;
		await context.setOffline(false);
		await firstWrite.promise;
		const inFlight = (await storedOutbox(page)).map((item) => item.state);
		await page.reload({ waitUntil: 'commit' });
		await cdp.send('Network.emulateNetworkConditions', {
			offline: false,
			latency: 0,
			downloadThroughput: -1,
			uploadThroughput: -1
		});

		// Soon, not at the next periodic drain (30 s): items that fell due during
		// the first pass after the reload are sent by the pass after it.
		const items = await everythingSent(phone, 20_000);
		village.onCouchRequest = null;
		const counts = await serverCounts(
			village,
			polls.map((poll) => poll._id),
			items.filter((item) => item.kind === 'submission').map((item) => item.id)
		);
		const writes = village.writes.slice(writesBefore);
		console.log('reload:', { inFlight, writes: writeSummary(writes), answers, counts });
		expect(inFlight).toContain('sending');
		expect(items).toHaveLength(4);
		for (const poll of polls) expect(counts.ballotsPerPoll[poll._id]).toBe(1);
		expect(counts.submissionsFromOutbox).toBe(2);
		expect(writes.filter((write) => write.status === 201)).toHaveLength(4);
	});
});
