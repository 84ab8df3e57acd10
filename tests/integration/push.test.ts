import nano from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notice } from '../../src/lib/domain/notice.ts';
import type { ReachReport } from '../../src/lib/domain/reach.ts';
import { freshAddress, issueCodes, residentCookie, staffCookie } from '../harness/api.ts';
import { startOwnApp, type OwnApp } from '../harness/own-app.ts';
import { startPushService, type FakeDevice, type PushService } from '../harness/push-service.ts';
import { noticeFactory } from '../factories.ts';

/**
 * Issue 16 §1–2: urgent alerts pushed with VAPID to the devices that asked,
 * in the shape every browser shows, once each, whatever the path to public;
 * and the push API refuses what it must. Its own app: it trusts the loopback
 * push service (NODE_EXTRA_CA_CERTS) and allows only that one.
 */
let push: PushService;
let own: OwnApp;
let staff: string;

beforeAll(async () => {
	push = await startPushService();
	own = await startOwnApp({
		env: {
			NODE_EXTRA_CA_CERTS: push.caFile,
			CRIEUR_PUSH_SERVICES: push.host,
			CRIEUR_JOB_INTERVAL_SECONDS: '1',
			CRIEUR_DIGEST_SECONDS: '5',
			ADDRESS_HEADER: 'x-forwarded-for'
		}
	});
	staff = await staffCookie(own.url, own.staff);
});
afterAll(async () => {
	await own?.stop();
	await push?.stop();
});

async function subscribe(
	device: FakeDevice,
	categories: string[],
	address = freshAddress()
): Promise<Response> {
	return fetch(`${own.url}/api/push`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
		body: JSON.stringify({ subscription: device.subscription, categories })
	});
}

async function publish(notice: Notice): Promise<string> {
	const response = await fetch(`${own.url}/db/demo-public/${encodeURIComponent(notice._id)}`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json', cookie: staff },
		body: JSON.stringify(notice)
	});
	expect(response.status).toBe(201);
	return ((await response.json()) as { rev: string }).rev;
}

const inHours = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();
const alert = (overrides: Partial<Notice> = {}) =>
	noticeFactory({
		category: 'alerte',
		urgent: true,
		published_at: new Date(Date.now() - 1000).toISOString(),
		expires_at: inHours(3),
		...overrides
	});

/** The state of an alert's sending, as the server keeps it (admins only). */
async function delivery(noticeId: string): Promise<{ state: string } | null> {
	return nano(own.store.adminUrl)
		.use<{ state: string }>('demo-reach')
		.get(`delivery:${noticeId}`)
		.catch(() => null);
}

describe('urgent alerts by push', () => {
	it('go once to each device that asked, signed, in the shape every browser shows', async () => {
		const key = (await (await fetch(`${own.url}/api/push`)).json()) as { public_key: string };
		expect(key.public_key).toMatch(/^[A-Za-z0-9_-]{87}$/);

		const phone = push.device('telephone');
		const tablet = push.device('tablette');
		const agendaOnly = push.device('agenda-seulement');
		const dead = push.device('desinstalle');
		expect((await subscribe(phone, ['urgent'])).status).toBe(201);
		expect((await subscribe(tablet, ['urgent', 'agenda'])).status).toBe(201);
		expect((await subscribe(agendaOnly, ['agenda'])).status).toBe(201);
		expect((await subscribe(dead, ['urgent'])).status).toBe(201);
		// The same device again: its choices change, it is not a second subscription.
		expect((await subscribe(phone, ['urgent', 'polls'])).status).toBe(200);
		push.forget('desinstalle');

		// An ordinary notice is not an alert.
		await publish(noticeFactory({ published_at: new Date().toISOString() }));
		const storm = alert({
			title: 'Alerte orages : restez chez vous',
			body: 'Vigilance **orange** jusqu’à 21 h. Évitez les bords de la Saône.',
			expires_at: inHours(3)
		});
		const rev = await publish(storm);
		await expect
			.poll(() => push.receivedBy('telephone').length + push.receivedBy('tablette').length, {
				timeout: 20_000
			})
			.toBe(2);
		await expect.poll(async () => (await delivery(storm._id))?.state).toBe('done');

		const [received] = push.receivedBy('telephone');
		expect(received.message).toEqual({
			web_push: 8030,
			notification: {
				title: 'Alerte orages : restez chez vous',
				body: 'Saint-Crieur · Vigilance orange jusqu’à 21 h. Évitez les bords de la Saône.',
				navigate: `${own.url}/avis/${storm._id.slice('notice:'.length)}`,
				lang: 'fr',
				tag: `avis:${storm._id}`,
				silent: false,
				data: { notice: storm._id, category: 'urgent' }
			}
		});
		expect(received.urgency).toBe('high');
		expect(received.topic).toMatch(/^[A-Za-z0-9_-]{32}$/);
		// Until the alert ends, give or take the time it took.
		expect(received.ttl).toBeGreaterThan(3 * 3600 - 120);
		expect(received.ttl).toBeLessThanOrEqual(3 * 3600);
		expect(received.vapidKey).toBe(key.public_key);
		expect(push.receivedBy('agenda-seulement')).toEqual([]);
		// The uninstalled app's subscription answered 410: it is forgotten.
		const reach = nano(own.store.adminUrl).use('demo-reach');
		const subscriptions = await reach.list({ startkey: 'push:', endkey: 'push:\ufff0' });
		expect(subscriptions.rows).toHaveLength(3);

		// A correction goes under the same topic, and replaces the notification.
		await publish({ ...storm, _rev: rev, body: 'Vigilance **rouge** jusqu’à 23 h.' });
		await expect.poll(() => push.receivedBy('telephone').length, { timeout: 20_000 }).toBe(2);
		const correction = push.receivedBy('telephone')[1];
		expect(correction.topic).toBe(received.topic);
		expect(correction.message).toMatchObject({
			notification: {
				title: 'Correction — Alerte orages : restez chez vous',
				tag: `avis:${storm._id}`
			}
		});

		// After a restart, nothing goes twice: the next alert is the only new message.
		await own.app.stop();
		await own.app.restart();
		const flood = alert({ title: 'Crue de la Saône : route de la Forge fermée' });
		await publish(flood);
		// The fan-out reaches devices in turn: wait for both, then check nothing came twice.
		await expect
			.poll(() => [push.receivedBy('tablette').length, push.receivedBy('telephone').length], {
				timeout: 30_000
			})
			.toEqual([3, 3]);
		expect(
			push
				.receivedBy('tablette')
				.map((pushed) => (pushed.message as { notification: { title: string } }).notification.title)
		).toEqual([
			'Alerte orages : restez chez vous',
			'Correction — Alerte orages : restez chez vous',
			'Crue de la Saône : route de la Forge fermée'
		]);
	});

	it('are not sent once retracted before their time', async () => {
		const device = push.device('retrait');
		expect((await subscribe(device, ['urgent'])).status).toBe(201);
		// Public only in a few seconds, and retracted before then.
		const early = alert({
			title: 'Coupure d’eau annulée',
			published_at: new Date(Date.now() + 8000).toISOString()
		});
		const rev = await publish(early);
		// The job has it, waiting for its time.
		await expect.poll(async () => (await delivery(early._id))?.state).toBe('sending');
		const retracted = await fetch(
			`${own.url}/db/demo-public/${encodeURIComponent(early._id)}?rev=${rev}`,
			{ method: 'DELETE', headers: { cookie: staff } }
		);
		expect(retracted.status).toBe(200);
		// A later alert arrives: the retracted one, due before it, would have gone first.
		const later = alert({
			title: 'Coupure d’eau rue Haute',
			published_at: new Date(Date.now() + 9000).toISOString()
		});
		await publish(later);
		await expect.poll(() => push.receivedBy('retrait').length, { timeout: 30_000 }).toBe(1);
		expect(push.receivedBy('retrait')[0].message).toMatchObject({
			notification: { title: 'Coupure d’eau rue Haute' }
		});
		expect((await delivery(early._id))?.state).toBe('withdrawn');
	});
});

describe('news by push', () => {
	const titles = (name: string) =>
		push
			.receivedBy(name)
			.map(
				(pushed) =>
					(pushed.message as { notification: { title: string; body: string } }).notification
			);

	/** Waits for the reader's nth digest; if it never comes, says what the app's jobs said. */
	const digests = async (count: number) => {
		try {
			await expect.poll(() => push.receivedBy('nouvelles').length, { timeout: 30_000 }).toBe(count);
		} catch (error) {
			const jobs = own.app
				.output()
				.split('\n')
				.filter((line) => line.includes('"job'))
				.slice(-40)
				.join('\n');
			throw new Error(`${(error as Error).message}\nThe app’s last job lines:\n${jobs}`, {
				cause: error
			});
		}
	};

	it('go to those who asked, gathered: at most one push per category and interval', async () => {
		const urgentOnly = push.receivedBy('telephone').length;
		const reader = push.device('nouvelles');
		expect((await subscribe(reader, ['notices'])).status).toBe(201);
		const now = () => new Date().toISOString();
		const first = noticeFactory({ title: 'Fermeture de la mairie samedi', published_at: now() });
		const firstRev = await publish(first);
		await digests(1);
		expect(titles('nouvelles')[0]).toMatchObject({
			title: 'Fermeture de la mairie samedi',
			body: 'Nouvel avis — Saint-Crieur',
			navigate: `${own.url}/avis/${first._id.slice('notice:'.length)}`
		});
		expect(push.receivedBy('nouvelles')[0].urgency).toBe('normal');

		// Two more at once, within the interval: one push names both.
		const more = [
			noticeFactory({ title: 'Collecte des encombrants', published_at: now() }),
			noticeFactory({ title: 'Nouveaux horaires de la déchetterie', published_at: now() })
		];
		const bulk = await fetch(`${own.url}/db/demo-public/_bulk_docs`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', cookie: staff },
			body: JSON.stringify({ docs: more })
		});
		expect(bulk.status).toBe(201);
		await digests(2);
		expect(titles('nouvelles')[1]).toMatchObject({
			title: '2 nouveaux avis — Saint-Crieur',
			body: expect.stringMatching(
				/^(Collecte des encombrants · Nouveaux horaires de la déchetterie|Nouveaux horaires de la déchetterie · Collecte des encombrants)$/
			),
			navigate: `${own.url}/`
		});

		// An edited notice is not news; the next one is the only one named.
		await publish({ ...first, _rev: firstRev, body: 'Fermée aussi lundi matin.' });
		await publish(noticeFactory({ title: 'Vœux du maire', published_at: now() }));
		await digests(3);
		expect(titles('nouvelles')[2]).toMatchObject({ title: 'Vœux du maire' });
		// Those who asked only for urgent alerts heard of none of it.
		expect(push.receivedBy('telephone')).toHaveLength(urgentOnly);
	});
});

describe('the push API', () => {
	const device = () => push.device(`hostile-${Math.random().toString(36).slice(2)}`);
	const put = (body: unknown, address = freshAddress()) =>
		fetch(`${own.url}/api/push`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
			body: typeof body === 'string' ? body : JSON.stringify(body)
		});

	it.each([
		['a private address', 'https://10.0.0.1/push/x'],
		['the host itself', 'https://localhost/push/x'],
		[
			'the loopback service over http',
			() => device().subscription.endpoint.replace('https:', 'http:')
		],
		['a foreign server', 'https://evil.example/push/x'],
		[
			'credentials in the address',
			() => device().subscription.endpoint.replace('https://', 'https://a:b@')
		],
		['another port of the push host', 'https://127.0.0.1:1/push/x'],
		['a file', 'file:///etc/passwd'],
		['not an address', 'bonjour']
	])('refuses an endpoint at %s (SSRF)', async (_, endpoint) => {
		const subscription = {
			...device().subscription,
			endpoint: typeof endpoint === 'function' ? endpoint() : endpoint
		};
		const response = await put({ subscription, categories: ['urgent'] });
		expect(response.status).toBe(400);
		expect(await response.json()).toMatchObject({
			error: 'endpoint_refused',
			reason: expect.stringMatching(/service de notifications/)
		});
	});

	it.each([
		['no body', ''],
		['not JSON', '{'],
		['no categories', () => ({ subscription: device().subscription, categories: [] })],
		['an unknown category', () => ({ subscription: device().subscription, categories: ['tout'] })],
		[
			'a repeated category',
			() => ({ subscription: device().subscription, categories: ['urgent', 'urgent'] })
		],
		[
			'a short key',
			() => ({
				subscription: { ...device().subscription, keys: { p256dh: 'abc', auth: 'abc' } },
				categories: ['urgent']
			})
		],
		[
			'an extra field',
			() => ({ subscription: device().subscription, categories: ['urgent'], owner: 'mairie' })
		],
		[
			'an endpoint of 2,000 characters',
			() => ({
				subscription: {
					...device().subscription,
					endpoint: `https://${push.host}/push/${'x'.repeat(2000)}`
				},
				categories: ['urgent']
			})
		]
	])('refuses %s with a French reason', async (_, body) => {
		const response = await put(typeof body === 'function' ? body() : body);
		expect(response.status).toBe(400);
		expect(await response.json()).toMatchObject({
			error: 'invalid_request',
			reason: expect.stringMatching(/abonnement/)
		});
	});

	it('refuses a body far too large, and mass subscription from one address', async () => {
		const huge = await put({
			subscription: device().subscription,
			categories: ['urgent'],
			filler: 'x'.repeat(10_000)
		});
		expect(huge.status).toBe(413);
		const address = freshAddress();
		const statuses: number[] = [];
		for (let i = 0; i < 32; i++) {
			statuses.push(
				(await put({ subscription: device().subscription, categories: ['urgent'] }, address)).status
			);
		}
		expect(statuses.slice(0, 30).every((status) => status === 201)).toBe(true);
		const refused = await put(
			{ subscription: device().subscription, categories: ['urgent'] },
			address
		);
		expect(refused.status).toBe(429);
		expect(await refused.json()).toMatchObject({
			error: 'too_many',
			reason: expect.stringMatching(/une heure/)
		});
	});

	it('stops a device only with its own secret, and keeps endpoints from every client', async () => {
		const kept = device();
		expect((await subscribe(kept, ['urgent'])).status).toBe(201);
		const forged = await fetch(`${own.url}/api/push`, {
			method: 'DELETE',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				endpoint: kept.subscription.endpoint,
				auth: push.device('autre').subscription.keys.auth
			})
		});
		expect(forged.status).toBe(404);
		expect(await forged.json()).toMatchObject({ error: 'unknown_subscription' });
		const stop = () =>
			fetch(`${own.url}/api/push`, {
				method: 'DELETE',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({
					endpoint: kept.subscription.endpoint,
					auth: kept.subscription.keys.auth
				})
			});
		expect((await stop()).status).toBe(204);
		expect((await stop()).status).toBe(404);

		// Nobody reads who subscribed: not anonymously, not staff, not through any route.
		for (const path of ['/db/demo-reach/_all_docs', '/db/demo-reach/_changes', '/db/demo-reach']) {
			for (const headers of [{}, { cookie: staff }] as Record<string, string>[]) {
				const response = await fetch(`${own.url}${path}`, { headers });
				expect(response.status, `${path} ${JSON.stringify(headers)}`).toBeGreaterThanOrEqual(400);
				expect(await response.text()).not.toContain(push.host);
			}
		}
		const feed = await (await fetch(`${own.url}/api/sync?since=0&limit=1000`)).text();
		expect(feed).not.toContain(push.host);
	});
});

// Last in the file: its alerts would otherwise be news for the digest test above.
describe('alerts by zone', () => {
	it('go to the zones aimed at, to those who chose none, and to everyone when aimed at none', async () => {
		const admin = nano(own.store.adminUrl).use<Record<string, unknown>>('demo-public');
		const commune = await admin.get('commune');
		await admin.insert({
			...commune,
			zones: [
				{ id: 'bourg', name: 'Le Bourg' },
				{ id: 'granges', name: 'Les Granges' }
			]
		});
		const zoned = (device: FakeDevice, zones: unknown) =>
			fetch(`${own.url}/api/push`, {
				method: 'PUT',
				headers: { 'content-type': 'application/json', 'x-forwarded-for': freshAddress() },
				body: JSON.stringify({ subscription: device.subscription, categories: ['urgent'], zones })
			});
		const inTown = push.device('zone-bourg');
		const farm = push.device('zone-granges');
		const anywhere = push.device('zone-aucune');
		const created = await zoned(inTown, ['bourg']);
		expect(created.status).toBe(201);
		expect(await created.json()).toMatchObject({ zones: ['bourg'] });
		expect((await zoned(farm, ['granges'])).status).toBe(201);
		expect((await zoned(anywhere, [])).status).toBe(201);

		// Another commune's zone, or none at all: refused, and said why.
		for (const zones of [['ailleurs'], ['bourg', 'bourg'], ['../x'], 'bourg']) {
			const refused = await zoned(push.device(`zone-refusee-${Math.random()}`), zones);
			expect(refused.status, JSON.stringify(zones)).toBe(400);
			expect(await refused.json()).toMatchObject({ reason: expect.any(String) });
		}

		const flood = alert({ title: 'Crue : route des Granges fermée', zones: ['granges'] });
		await publish(flood);
		await expect
			.poll(async () => (await delivery(flood._id))?.state, { timeout: 20_000 })
			.toBe('done');
		const storm = alert({ title: 'Tempête : toute la commune' });
		await publish(storm);
		await expect
			.poll(async () => (await delivery(storm._id))?.state, { timeout: 20_000 })
			.toBe('done');
		const titlesOf = (name: string) =>
			push
				.receivedBy(name)
				.map(
					(pushed) => (pushed.message as { notification: { title: string } }).notification.title
				);
		expect(titlesOf('zone-granges')).toEqual([
			'Crue : route des Granges fermée',
			'Tempête : toute la commune'
		]);
		expect(titlesOf('zone-aucune')).toEqual([
			'Crue : route des Granges fermée',
			'Tempête : toute la commune'
		]);
		expect(titlesOf('zone-bourg')).toEqual(['Tempête : toute la commune']);

		// A notice naming a zone by anything but its id is refused.
		const bad = await fetch(`${own.url}/db/demo-public/notice:zone-mal-formee`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json', cookie: staff },
			body: JSON.stringify(alert({ _id: 'notice:zone-mal-formee', zones: ['Pas Un Id'] }))
		});
		expect(bad.status).toBe(403);
		expect(await bad.text()).toMatch(/zones/);

		// Staff see how far each alert went, and who asked for what, in counts only.
		const portee = await fetch(`${own.url}/api/mairie/portee`, { headers: { cookie: staff } });
		expect(portee.status).toBe(200);
		const text = await portee.text();
		expect(text).not.toContain(push.host);
		const report = JSON.parse(text) as ReachReport;
		// The storm went to every device asking for urgent alerts; the flood to all but Le Bourg's.
		const urgent = report.subscribers.categories.urgent;
		expect(report.alerts.find((sent) => sent.notice === storm._id)).toEqual({
			notice: storm._id,
			state: 'done',
			corrections: 0,
			sent: urgent,
			gone: 0,
			failed: 0,
			mailed: 0,
			mailFailed: 0
		});
		expect(report.alerts.find((sent) => sent.notice === flood._id)).toMatchObject({
			sent: urgent - 1
		});
		expect(report.subscribers.zones).toMatchObject({ bourg: 1, granges: 1 });
		expect(report.subscribers.total).toBe(
			report.subscribers.everywhere + 2 // the two devices that chose a zone
		);
		expect(report.subscribers.months.at(-1)?.total).toBe(report.subscribers.total);
		const [code] = await issueCodes(own.url, staff, ['Curieux de la portée']);
		const resident = await residentCookie(own.url, code, freshAddress());
		for (const headers of [{}, { cookie: resident }] as Record<string, string>[]) {
			const refused = await fetch(`${own.url}/api/mairie/portee`, { headers });
			expect(refused.status).toBeGreaterThanOrEqual(401);
			expect(await refused.json()).toMatchObject({ reason: expect.any(String) });
		}
	});
});
