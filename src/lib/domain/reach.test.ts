import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	alertMessage,
	alertTtlSeconds,
	digestMessage,
	isAllowedPushHost,
	KNOWN_PUSH_SERVICES,
	pushEndpoint,
	pushTopic,
	SubscribeRequestSchema,
	subscriberCounter
} from './reach.ts';

const keys = {
	p256dh: `B${'A'.repeat(86)}`,
	auth: 'A'.repeat(22)
};

describe('push endpoints', () => {
	it.each([
		['https://fcm.googleapis.com/fcm/send/abc', true],
		['https://updates.push.services.mozilla.com/wpush/v2/abc', true],
		['https://web.push.apple.com/QGx', true],
		['https://db5p.notify.windows.com/w/?token=x', true],
		['https://notify.windows.com/w', false],
		['https://evilnotify.windows.com/w', false],
		['https://fcm.googleapis.com.evil.example/x', false],
		['http://fcm.googleapis.com/fcm/send/abc', false],
		['https://fcm.googleapis.com:8443/fcm/send/abc', false],
		['https://user:pw@fcm.googleapis.com/fcm/send/abc', false],
		['https://10.0.0.1/x', false],
		['https://[::1]/x', false],
		['javascript:alert(1)', false]
	])('%s is allowed: %s', (endpoint, allowed) => {
		expect(pushEndpoint(endpoint, KNOWN_PUSH_SERVICES) !== null).toBe(allowed);
	});

	it('matches a named port exactly, and wildcards only without a port', () => {
		expect(isAllowedPushHost('127.0.0.1:4443', ['127.0.0.1:4443'])).toBe(true);
		expect(isAllowedPushHost('127.0.0.1:4444', ['127.0.0.1:4443'])).toBe(false);
		expect(isAllowedPushHost('a.push.apple.com:1', ['*.push.apple.com'])).toBe(false);
	});
});

describe('subscription requests', () => {
	const endpoint = 'https://fcm.googleapis.com/fcm/send/abc';
	const parse = (body: unknown) => v.safeParse(SubscribeRequestSchema, body).success;

	it('take a browser’s subscription and at least one category, once each', () => {
		expect(parse({ subscription: { endpoint, keys }, categories: ['urgent'] })).toBe(true);
		expect(
			parse({
				subscription: { endpoint, expirationTime: null, keys },
				categories: ['urgent', 'polls']
			})
		).toBe(true);
		expect(parse({ subscription: { endpoint, keys }, categories: [] })).toBe(false);
		expect(parse({ subscription: { endpoint, keys }, categories: ['urgent', 'urgent'] })).toBe(
			false
		);
	});

	it('refuse keys of the wrong size', () => {
		const wrong = (patch: Partial<typeof keys>) =>
			parse({ subscription: { endpoint, keys: { ...keys, ...patch } }, categories: ['urgent'] });
		expect(wrong({ p256dh: 'A'.repeat(86) })).toBe(false);
		expect(wrong({ auth: 'A'.repeat(21) })).toBe(false);
		expect(wrong({ auth: `${'A'.repeat(21)}!` })).toBe(false);
		expect(wrong({ auth: `${'A'.repeat(22)}==` })).toBe(true);
	});
});

describe('alert messages', () => {
	const now = new Date('2026-12-03T10:00:00Z');

	it('live until the alert ends, two days without an end, four weeks at most', () => {
		expect(alertTtlSeconds({ expires_at: '2026-12-03T13:00:00Z' }, now)).toBe(3 * 3600);
		expect(alertTtlSeconds({ expires_at: '2026-12-03T09:00:00Z' }, now)).toBe(60);
		expect(alertTtlSeconds({ expires_at: null }, now)).toBe(2 * 86400);
		expect(alertTtlSeconds({ expires_at: '2027-12-03T10:00:00Z' }, now)).toBe(28 * 86400);
	});

	it('open the notice on the device’s own origin', () => {
		const message = alertMessage(
			{ _id: 'notice:coupure-eau', body: '# Rue Haute\n\nDe **8 h** à 12 h.' },
			{
				title: 'Coupure d’eau',
				communeName: 'Saint-Crieur',
				origin: 'https://saint-crieur.example.fr',
				lang: 'fr'
			}
		);
		expect(message.notification).toMatchObject({
			title: 'Coupure d’eau',
			body: 'Saint-Crieur · Rue Haute De 8 h à 12 h.',
			navigate: 'https://saint-crieur.example.fr/avis/coupure-eau',
			tag: 'avis:notice:coupure-eau',
			data: { notice: 'notice:coupure-eau', category: 'urgent' }
		});
	});

	it('gather news in one push: the item itself, or how many and their titles', () => {
		const context = { origin: 'https://x.fr', lang: 'fr' };
		const one = digestMessage([{ id: 'event:repas', title: 'Repas des anciens' }], {
			...context,
			category: 'agenda',
			heading: 'Nouvel événement à l’agenda — Saint-Crieur'
		});
		expect(one.notification).toMatchObject({
			title: 'Repas des anciens',
			body: 'Nouvel événement à l’agenda — Saint-Crieur',
			navigate: 'https://x.fr/agenda/repas',
			tag: 'nouveautes:agenda'
		});
		const two = digestMessage(
			[
				{ id: 'poll:marche', title: 'Quel jour pour le marché ?' },
				{ id: 'poll:fete', title: 'Un thème pour la fête ?' }
			],
			{ ...context, category: 'polls', heading: '2 nouveaux sondages — Saint-Crieur' }
		);
		expect(two.notification).toMatchObject({
			title: '2 nouveaux sondages — Saint-Crieur',
			body: 'Quel jour pour le marché ? · Un thème pour la fête ?',
			navigate: 'https://x.fr/sondages'
		});
	});

	it('have topics push services accept', () => {
		expect(pushTopic('ab+/=cd'.repeat(10))).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
	});
});

describe('the mairie’s count of subscribers', () => {
	it('adds up categories, zones and months, naming no device', () => {
		const counter = subscriberCounter();
		counter.add({ categories: ['urgent'], zones: ['bourg'], since: '2026-10-03' });
		counter.add({ categories: ['urgent', 'polls'], zones: [], since: '2026-10-20' });
		counter.add({ categories: ['notices'], since: '2026-12-01' });
		counter.add({ categories: ['urgent'], zones: ['bourg', 'granges'], since: '2026-11-15' });
		expect(counter.result()).toEqual({
			total: 4,
			categories: { urgent: 3, notices: 1, agenda: 0, polls: 1 },
			zones: { bourg: 2, granges: 1 },
			everywhere: 2,
			months: [
				{ month: '2026-10', joined: 2, total: 2 },
				{ month: '2026-11', joined: 1, total: 3 },
				{ month: '2026-12', joined: 1, total: 4 }
			]
		});
	});

	it('says nothing but zeros for a commune without subscribers', () => {
		expect(subscriberCounter().result()).toMatchObject({ total: 0, everywhere: 0, months: [] });
	});
});
