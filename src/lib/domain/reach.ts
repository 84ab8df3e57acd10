import * as v from 'valibot';
import { ZoneIdsSchema } from './zones.ts';
import { excerpt } from './search.ts';
import { slugOf } from './slug.ts';
import type { Notice } from './notice.ts';

/** What a villager may ask to be told of. Urgent alerts are on by default once subscribed. */
export const REACH_CATEGORIES = ['urgent', 'notices', 'agenda', 'polls'] as const;
export type ReachCategory = (typeof REACH_CATEGORIES)[number];

/**
 * The push services browsers use (Chrome, Edge, Firefox, Safari). The server
 * posts to a subscription's endpoint, so an endpoint anywhere else — the
 * host's private network, a foreign server — is refused: the app would
 * otherwise send requests wherever a client names.
 */
export const KNOWN_PUSH_SERVICES = [
	'fcm.googleapis.com',
	'android.googleapis.com',
	'updates.push.services.mozilla.com',
	'web.push.apple.com',
	'*.push.apple.com',
	'*.notify.windows.com'
];

export const PUSH_LIMITS = {
	endpointMax: 1024,
	/** An uncompressed P-256 point (65 bytes) and a 16-byte secret, in base64url. */
	p256dhBytes: 65,
	authBytes: 16
};

/** Whether `host` (`name` or `name:port`) is one of `allowed` (`*.` matches any subdomain). */
export function isAllowedPushHost(host: string, allowed: readonly string[]): boolean {
	const name = host.toLowerCase();
	return allowed.some((pattern) => {
		const wanted = pattern.toLowerCase();
		if (!wanted.startsWith('*.')) return name === wanted;
		const domain = wanted.slice(1);
		return name.endsWith(domain) && name.length > domain.length && !name.includes(':');
	});
}

/** The endpoint as the server will post to it, or null when it must not. */
export function pushEndpoint(value: string, allowed: readonly string[]): URL | null {
	if (value.length > PUSH_LIMITS.endpointMax) return null;
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return null;
	}
	if (url.protocol !== 'https:' || url.username || url.password) return null;
	return isAllowedPushHost(url.host, allowed) ? url : null;
}

function base64urlBytes(length: number) {
	return v.pipe(
		v.string(),
		v.regex(/^[A-Za-z0-9_-]+={0,2}$/),
		v.check((text) => {
			const digits = text.replace(/=+$/, '').length;
			return digits % 4 !== 1 && Math.floor((digits * 3) / 4) === length;
		})
	);
}

export const PushSubscriptionSchema = v.strictObject({
	endpoint: v.pipe(v.string(), v.maxLength(PUSH_LIMITS.endpointMax)),
	expirationTime: v.optional(v.nullable(v.number())),
	keys: v.strictObject({
		p256dh: base64urlBytes(PUSH_LIMITS.p256dhBytes),
		auth: base64urlBytes(PUSH_LIMITS.authBytes)
	})
});

export const SubscribeRequestSchema = v.strictObject({
	subscription: PushSubscriptionSchema,
	categories: v.pipe(
		v.array(v.picklist(REACH_CATEGORIES)),
		v.minLength(1),
		v.maxLength(REACH_CATEGORIES.length),
		v.check((list) => new Set(list).size === list.length)
	),
	/** Where the villager lives, among the commune's zones; absent or empty, everywhere. */
	zones: v.optional(ZoneIdsSchema)
});
export type SubscribeRequest = v.InferOutput<typeof SubscribeRequestSchema>;

/** Stopping needs the subscription's secret too: its address alone (in a log, say) is not enough. */
export const UnsubscribeRequestSchema = v.strictObject({
	endpoint: v.pipe(v.string(), v.maxLength(PUSH_LIMITS.endpointMax)),
	auth: base64urlBytes(PUSH_LIMITS.authBytes)
});

/**
 * What a push carries, in the Declarative Web Push shape: Safari 18.4+ shows
 * it without running the worker; other browsers hand it to the worker, which
 * shows the same notification.
 */
export interface PushMessage {
	web_push: 8030;
	notification: {
		title: string;
		body: string;
		navigate: string;
		lang: string;
		tag: string;
		silent: false;
		data: { notice?: string; category: ReachCategory };
	};
}

export function pushMessage(fields: {
	title: string;
	body: string;
	path: string;
	origin: string;
	lang: string;
	/** One notification per tag on a device: a newer one replaces it. */
	tag: string;
	category: ReachCategory;
	notice?: string;
}): PushMessage {
	return {
		web_push: 8030,
		notification: {
			title: fields.title,
			body: fields.body,
			navigate: new URL(fields.path, fields.origin).href,
			lang: fields.lang,
			tag: fields.tag,
			silent: false,
			data: { ...(fields.notice ? { notice: fields.notice } : {}), category: fields.category }
		}
	};
}

/** Where a notice, an event or a poll is shown. */
export function pathOf(id: string): string {
	const slug = encodeURIComponent(slugOf(id));
	if (id.startsWith('event:')) return `/agenda/${slug}`;
	if (id.startsWith('poll:')) return `/sondages/${slug}`;
	return `/avis/${slug}`;
}

/** An urgent alert; `title` is worded by the caller (a correction says so). */
export function alertMessage(
	notice: Pick<Notice, '_id' | 'body'>,
	context: { title: string; communeName: string; origin: string; lang: string }
): PushMessage {
	return pushMessage({
		title: context.title,
		body: `${context.communeName} · ${excerpt(notice.body, 160)}`,
		path: pathOf(notice._id),
		origin: context.origin,
		lang: context.lang,
		tag: `avis:${notice._id}`,
		category: 'urgent',
		notice: notice._id
	});
}

/** New notices, events or polls since the last digest of their category: one, or how many. */
export function digestMessage(
	items: readonly { id: string; title: string }[],
	context: {
		category: Exclude<ReachCategory, 'urgent'>;
		/** « Nouvel avis — Saint-Crieur », or « 3 nouveaux avis — Saint-Crieur ». */
		heading: string;
		origin: string;
		lang: string;
	}
): PushMessage {
	const single = items.length === 1;
	const lists = { notices: '/', agenda: '/agenda', polls: '/sondages' };
	return pushMessage({
		title: single ? items[0].title : context.heading,
		body: single ? context.heading : excerpt(items.map((item) => item.title).join(' · '), 160),
		path: single ? pathOf(items[0].id) : lists[context.category],
		origin: context.origin,
		lang: context.lang,
		tag: `nouveautes:${context.category}`,
		category: context.category
	});
}

const MINUTE = 60;
const DAY = 24 * 60 * MINUTE;
/** Without an end date, an alert is stale after two days for a phone that was off. */
const ALERT_TTL_DEFAULT = 2 * DAY;
/** Push services keep a message four weeks at most. */
const TTL_MAX = 28 * DAY;

/** How long a push service keeps the message for a phone that is off: until the alert ends. */
export function alertTtlSeconds(notice: Pick<Notice, 'expires_at'>, now: Date): number {
	if (notice.expires_at === null) return ALERT_TTL_DEFAULT;
	const left = Math.floor((Date.parse(notice.expires_at) - now.getTime()) / 1000);
	return Math.min(TTL_MAX, Math.max(MINUTE, left));
}

/**
 * A push `topic` (32 characters of base64url at most): a newer message with
 * the same topic replaces one the push service still holds.
 */
export function pushTopic(digest: string): string {
	return digest.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32);
}

/**
 * What the mairie sees of its subscribers (issue 16 §6): counts only, by
 * category, by zone and by the month they subscribed; nothing names a device.
 */
export interface SubscriberCounts {
	total: number;
	categories: Record<ReachCategory, number>;
	/** By zone id; a device may live in several. */
	zones: Record<string, number>;
	/** Devices that chose no zone: they hear of every zone. */
	everywhere: number;
	/** Devices still subscribed, by the month (YYYY-MM) they subscribed, then in all up to it. */
	months: { month: string; joined: number; total: number }[];
}

/** Adds up subscriptions, read one at a time: a commune may have tens of thousands. */
export function subscriberCounter() {
	const counts: Omit<SubscriberCounts, 'months'> = {
		total: 0,
		categories: { urgent: 0, notices: 0, agenda: 0, polls: 0 },
		zones: {},
		everywhere: 0
	};
	const joined = new Map<string, number>();
	return {
		add(subscription: {
			categories: readonly ReachCategory[];
			zones?: readonly string[];
			since: string;
		}) {
			counts.total++;
			for (const category of subscription.categories) counts.categories[category]++;
			const zones = subscription.zones ?? [];
			if (zones.length === 0) counts.everywhere++;
			for (const zone of zones) counts.zones[zone] = (counts.zones[zone] ?? 0) + 1;
			const month = subscription.since.slice(0, 7);
			joined.set(month, (joined.get(month) ?? 0) + 1);
		},
		result(): SubscriberCounts {
			let total = 0;
			const months = [...joined.keys()].sort().map((month) => {
				total += joined.get(month)!;
				return { month, joined: joined.get(month)!, total };
			});
			return {
				...counts,
				categories: { ...counts.categories },
				zones: { ...counts.zones },
				months
			};
		}
	};
}

/** How far one urgent alert went: its latest version's sending, devices counted, never named. */
export interface AlertReach {
	notice: string;
	state: 'sending' | 'done' | 'withdrawn' | 'expired';
	/** Corrections sent after the first message; the counts are the latest one's. */
	corrections: number;
	sent: number;
	/** Devices whose push service said they are gone (app removed): forgotten since. */
	gone: number;
	failed: number;
	/** Confirmed e-mail addresses it was sent to, and those that refused it. */
	mailed: number;
	mailFailed: number;
}

export interface ReachReport {
	/** Devices, by push. */
	subscribers: SubscriberCounts;
	/** Confirmed e-mail addresses (those not yet confirmed are not counted). */
	emails: SubscriberCounts;
	alerts: AlertReach[];
}
