import type { PushMessage, ReachCategory } from '../../domain/reach.ts';
import type { Backend } from '../backend.ts';
import type { JobLease } from '../jobs/lease.ts';
import type { EmailSubscriptionDoc } from './email-subscriptions.ts';
import { sendMail, type Mail } from './mail.ts';
import { pushTo, type PushOptions, type PushOutcome } from './push.ts';
import { reachDocs, removeById, type PushSubscriptionDoc } from './subscriptions.ts';
import { vapidKeys } from './vapid.ts';

/** Who a message can go to: a device, or a confirmed e-mail address. */
export type Recipient = PushSubscriptionDoc | EmailSubscriptionDoc;

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
	/** An urgent alert (push and e-mail), an hourly push digest, or the weekly e-mail. */
	kind: 'alert' | 'digest' | 'weekly';
	category: ReachCategory;
	/** Several categories (the weekly e-mail): whoever asked for any of them. */
	categories?: ReachCategory[];
	/** An alert's notice. */
	notice?: string;
	/** A digest's items. */
	items?: (DigestItem & { category?: ReachCategory })[];
	/** An alert's text: edited after sending, it goes again, as a correction. */
	version: string;
	state: 'sending' | 'done' | 'withdrawn' | 'expired';
	corrections: number;
	done_through: string;
	done_after: string[];
	/** Devices; e-mail addresses in `mail_counts`. */
	counts: Record<PushOutcome, number>;
	mail_counts?: Record<PushOutcome, number>;
}

export interface DigestItem {
	id: string;
	title: string;
	/** The page that shows it (`/avis/…`, `/agenda/…`, `/sondages/…`). */
	path: string;
}

export function newDelivery(
	fields: Pick<DeliveryDoc, '_id' | 'kind' | 'category' | 'version'> &
		Partial<Pick<DeliveryDoc, 'notice' | 'items' | 'categories' | 'corrections' | '_rev'>>
): DeliveryDoc {
	return {
		type: 'push-delivery',
		state: 'sending',
		corrections: 0,
		done_through: '',
		done_after: [],
		counts: { sent: 0, gone: 0, failed: 0 },
		mail_counts: { sent: 0, gone: 0, failed: 0 },
		...fields
	};
}

/** Devices sent to at once: push services answer in tens of milliseconds, a fan-out is thousands. */
const CONCURRENCY = 32;

/**
 * Sends `delivery` to each recipient asking for its category that has not had
 * it: devices by push (`how.push`), confirmed addresses by e-mail (`how.mail`).
 * Every `renewEveryMs` it renews the job's lease and asks `stillWanted` (a
 * retracted alert stops the rest). Returns how it ended: `lost` when another
 * process took the job over (it carries on from the progress).
 */
export async function fanOut(
	backend: Backend,
	initial: DeliveryDoc,
	how: {
		push?: { message(subscription: PushSubscriptionDoc): PushMessage; options: PushOptions };
		mail?(subscription: EmailSubscriptionDoc): Promise<Mail>;
		stillWanted(): Promise<boolean>;
		/** Whether the recipient is concerned at all (an alert aimed at other zones); absent, all who asked. */
		concerns?(recipient: Recipient): boolean;
	},
	lease: JobLease,
	renewEveryMs: number
): Promise<'done' | 'withdrawn' | 'lost'> {
	const reach = backend.couch.use<DeliveryDoc>(backend.databases.reach);
	let delivery: DeliveryDoc = {
		...initial,
		mail_counts: initial.mail_counts ?? { sent: 0, gone: 0, failed: 0 }
	};
	const context = {
		vapid: await vapidKeys(backend),
		subject: backend.config.vapidSubject,
		allowed: backend.config.pushServices
	};
	const categories = delivery.categories ?? [delivery.category];
	const wanted = (recipient: Recipient) => {
		if (recipient.type === 'email-subscription') {
			if (!how.mail || recipient.state !== 'confirmed') return false;
		} else if (recipient.type !== 'push-subscription' || !how.push) return false;
		if (!categories.some((category) => (recipient.categories ?? []).includes(category)))
			return false;
		return !how.concerns || how.concerns(recipient);
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
	const noteDone = (recipient: Recipient, outcome: PushOutcome) => {
		const counts =
			recipient.type === 'email-subscription' ? delivery.mail_counts! : delivery.counts;
		counts[outcome]++;
		handedOut.find((item) => item.id === recipient._id)!.done = true;
		doneAfter.add(recipient._id);
		while (handedOut[0]?.done) doneThrough = handedOut.shift()!.id;
		dirty = true;
		writing ??= writeProgress().finally(() => (writing = null));
	};

	// E-mail addresses, then devices: ids sort `email:` before `push:`.
	const recipients = reachDocs<Recipient>(
		backend,
		{ from: 'email:', to: 'push:' },
		1000,
		doneThrough
	);
	const next = async (): Promise<Recipient | null> => {
		for (;;) {
			const { value, done } = await recipients.next();
			if (done) return null;
			if (doneAfter.has(value._id) || !wanted(value)) continue;
			handedOut.push({ id: value._id, done: false });
			return value;
		}
	};
	const send = async (recipient: Recipient): Promise<PushOutcome> =>
		recipient.type === 'email-subscription'
			? sendMail(backend, await how.mail!(recipient))
			: pushTo(recipient, how.push!.message(recipient), how.push!.options, context);
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
			const recipient = await next();
			if (!recipient) return;
			const outcome = await send(recipient);
			if (outcome === 'gone') await removeById(backend, recipient._id, recipient._rev!);
			noteDone(recipient, outcome);
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
