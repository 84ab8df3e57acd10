import type { PushMessage, ReachCategory } from '../../domain/reach.ts';
import type { Backend } from '../backend.ts';
import type { JobLease } from '../jobs/lease.ts';
import { pushTo, type PushOptions, type PushOutcome } from './push.ts';
import { removeById, subscriptionsOf, type PushSubscriptionDoc } from './subscriptions.ts';
import { vapidKeys } from './vapid.ts';

/**
 * One message's sending to every device that asked for its category, in
 * <commune>-reach: an urgent alert (`notice`), or a digest of new notices,
 * events or polls (`items`). Subscriptions are visited in id order: every one
 * up to `done_through` has had it, and so has each of `done_after` (sent while
 * an earlier one was still in flight). Written as each push service accepts a
 * message, so that a process taking over from a dead one resumes where it
 * stopped and sends nobody the message twice.
 */
export interface DeliveryDoc {
	_id: string;
	_rev?: string;
	type: 'push-delivery';
	kind: 'alert' | 'digest';
	category: ReachCategory;
	/** An alert's notice. */
	notice?: string;
	/** A digest's items. */
	items?: DigestItem[];
	/** An alert's text: edited after sending, it goes again, as a correction. */
	version: string;
	state: 'sending' | 'done' | 'withdrawn' | 'expired';
	corrections: number;
	done_through: string;
	done_after: string[];
	counts: Record<PushOutcome, number>;
}

export interface DigestItem {
	id: string;
	title: string;
	/** The page that shows it (`/avis/…`, `/agenda/…`, `/sondages/…`). */
	path: string;
}

export function newDelivery(
	fields: Pick<DeliveryDoc, '_id' | 'kind' | 'category' | 'version'> &
		Partial<Pick<DeliveryDoc, 'notice' | 'items' | 'corrections' | '_rev'>>
): DeliveryDoc {
	return {
		type: 'push-delivery',
		state: 'sending',
		corrections: 0,
		done_through: '',
		done_after: [],
		counts: { sent: 0, gone: 0, failed: 0 },
		...fields
	};
}

/** Devices sent to at once: push services answer in tens of milliseconds, a fan-out is thousands. */
const CONCURRENCY = 32;

/**
 * Sends `delivery` to each device asking for its category that has not had
 * it. Every `renewEveryMs` it renews the job's lease and asks `stillWanted`
 * (a retracted alert stops the rest). Returns how it ended: `lost` when
 * another process took the job over (it carries on from the progress).
 */
export async function fanOut(
	backend: Backend,
	initial: DeliveryDoc,
	how: {
		message(subscription: PushSubscriptionDoc): PushMessage;
		options: PushOptions;
		stillWanted(): Promise<boolean>;
		/** Whether the device is concerned at all (an alert aimed at other zones); absent, every device asking for the category. */
		concerns?(subscription: PushSubscriptionDoc): boolean;
	},
	lease: JobLease,
	renewEveryMs: number
): Promise<'done' | 'withdrawn' | 'lost'> {
	const reach = backend.couch.use<DeliveryDoc>(backend.databases.reach);
	let delivery = initial;
	const context = {
		vapid: await vapidKeys(backend),
		subject: backend.config.vapidSubject,
		allowed: backend.config.pushServices
	};
	// Progress: ids handed out in order, and which of them are done.
	const handedOut: { id: string; done: boolean }[] = [];
	const doneAfter = new Set(delivery.done_after);
	let doneThrough = delivery.done_through;
	let writing: Promise<void> | null = null;
	let dirty = false;
	const writeProgress = async (): Promise<void> => {
		while (dirty) {
			dirty = false;
			delivery = {
				...delivery,
				done_through: doneThrough,
				done_after: [...doneAfter].filter((id) => id > doneThrough).sort()
			};
			const written = await reach.insert(delivery);
			delivery._rev = written.rev;
		}
	};
	const noteDone = (id: string, outcome: PushOutcome) => {
		delivery.counts[outcome]++;
		handedOut.find((item) => item.id === id)!.done = true;
		doneAfter.add(id);
		while (handedOut[0]?.done) doneThrough = handedOut.shift()!.id;
		dirty = true;
		writing ??= writeProgress().finally(() => (writing = null));
	};

	const subscriptions = subscriptionsOf(backend, 1000, doneThrough);
	const next = async (): Promise<PushSubscriptionDoc | null> => {
		for (;;) {
			const { value, done } = await subscriptions.next();
			if (done) return null;
			if (!value.categories.includes(delivery.category) || doneAfter.has(value._id)) continue;
			if (how.concerns && !how.concerns(value)) continue;
			handedOut.push({ id: value._id, done: false });
			return value;
		}
	};
	let stopped: 'withdrawn' | 'lost' | null = null;
	let checkedAt = Date.now();
	const worker = async () => {
		for (;;) {
			if (stopped) return;
			if (Date.now() - checkedAt > renewEveryMs) {
				checkedAt = Date.now();
				if (!(await lease.acquire())) stopped = 'lost';
				else if (!(await how.stillWanted())) stopped = 'withdrawn';
				if (stopped) return;
			}
			const subscription = await next();
			if (!subscription) return;
			const outcome = await pushTo(subscription, how.message(subscription), how.options, context);
			if (outcome === 'gone') await removeById(backend, subscription._id, subscription._rev!);
			noteDone(subscription._id, outcome);
		}
	};
	await Promise.all(Array.from({ length: CONCURRENCY }, worker));
	await writing;
	if (dirty) await writeProgress();
	if (stopped === 'lost') return 'lost';
	const state = stopped ?? 'done';
	await reach.insert({ ...delivery, state });
	return state;
}
