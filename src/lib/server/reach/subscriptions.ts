import { createHash, timingSafeEqual } from 'node:crypto';
import type { ReachCategory, SubscribeRequest } from '../../domain/reach.ts';
import type { Backend } from '../backend.ts';
import { getOrNull, rewrite, statusOf } from '../couch-errors.ts';

/**
 * A device's push subscription, in <commune>-reach (server admins only): no
 * client, staff included, reads an endpoint. Dates are days, never finer.
 */
export interface PushSubscriptionDoc {
	_id: string;
	_rev?: string;
	type: 'push-subscription';
	endpoint: string;
	keys: { p256dh: string; auth: string };
	categories: ReachCategory[];
	/** The zones the villager chose; absent or empty, every zone. */
	zones?: string[];
	/** The origin the device subscribed on: a notification opens the notice there. */
	origin: string;
	lang: string;
	since: string;
	updated: string;
}

/** A commune of a few thousand people: far more than one device each is not a village. */
export const SUBSCRIPTIONS_MAX = 50_000;

export const subscriptionId = (endpoint: string) =>
	`push:${createHash('sha256').update(endpoint).digest('base64url')}`;

const day = (now: Date) => now.toISOString().slice(0, 10);

export type SaveOutcome = 'created' | 'updated' | 'full';

/** Subscribes a device, or changes what it asked for (the same endpoint, its newest keys). */
export async function saveSubscription(
	backend: Backend,
	request: SubscribeRequest,
	context: { origin: string; lang: string },
	now = new Date()
): Promise<SaveOutcome> {
	const db = backend.couch.use<PushSubscriptionDoc>(backend.databases.reach);
	const id = subscriptionId(request.subscription.endpoint);
	const saved = await rewrite(db, id, async (current): Promise<PushSubscriptionDoc | null> =>
		!current && (await db.info()).doc_count >= SUBSCRIPTIONS_MAX
			? null
			: {
					_id: id,
					type: 'push-subscription',
					endpoint: request.subscription.endpoint,
					keys: request.subscription.keys,
					categories: request.categories,
					zones: request.zones ?? [],
					origin: context.origin,
					lang: context.lang,
					since: current?.since ?? day(now),
					updated: day(now)
				}
	);
	if (!saved) return 'full';
	return saved.current ? 'updated' : 'created';
}

/**
 * Stops a device's alerts: its endpoint and its own secret, which only the
 * browser holds. A wrong secret reads as unknown, so that nobody learns
 * whether an endpoint is subscribed.
 */
export async function removeSubscription(
	backend: Backend,
	endpoint: string,
	auth: string
): Promise<'removed' | 'unknown'> {
	const db = backend.couch.use<PushSubscriptionDoc>(backend.databases.reach);
	const current = await getOrNull(db, subscriptionId(endpoint));
	if (!current || current.endpoint !== endpoint || !sameSecret(current.keys.auth, auth)) {
		return 'unknown';
	}
	await removeById(backend, current._id, current._rev!);
	return 'removed';
}

export async function removeById(backend: Backend, id: string, rev: string): Promise<void> {
	const db = backend.couch.use(backend.databases.reach);
	await db.destroy(id, rev).catch((error: unknown) => {
		// Already gone, or changed by the device meanwhile: either way not ours to delete.
		if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
	});
}

export function sameSecret(a: string, b: string): boolean {
	const left = new TextEncoder().encode(a);
	const right = new TextEncoder().encode(b);
	return left.length === right.length && timingSafeEqual(left, right);
}

/** Documents of <commune>-reach whose ids start with `prefix`, in id order, after `after`, a page at a time. */
export async function* reachDocs<T>(
	backend: Backend,
	prefixes: { from: string; to: string },
	pageSize = 1000,
	after = ''
): AsyncGenerator<T> {
	const db = backend.couch.use(backend.databases.reach);
	// Ids are ASCII: the smallest id after `after` starts with it and a NUL.
	let startkey = after ? `${after}\u0000` : prefixes.from;
	for (;;) {
		const page = await db.list({
			startkey,
			endkey: `${prefixes.to}\ufff0`,
			include_docs: true,
			limit: pageSize + 1
		});
		const rows = page.rows.slice(0, pageSize);
		for (const row of rows) if (row.doc) yield row.doc as T;
		if (page.rows.length <= pageSize) return;
		startkey = page.rows[pageSize].id;
	}
}

/** Every device's subscription, in id order (a fan-out to thousands reads them in pages). */
export function subscriptionsOf(
	backend: Backend,
	pageSize = 1000,
	after = ''
): AsyncGenerator<PushSubscriptionDoc> {
	return reachDocs<PushSubscriptionDoc>(backend, { from: 'push:', to: 'push:' }, pageSize, after);
}
