import { createHash } from 'node:crypto';
import type { Commune } from '../../domain/commune.ts';
import { visibility, type Notice } from '../../domain/notice.ts';
import { alertMessage, alertTtlSeconds, pushTopic } from '../../domain/reach.ts';
import type { Backend } from '../backend.ts';
import { followChanges } from '../changes.ts';
import { getOrNull, statusOf } from '../couch-errors.ts';
import { pushTo, type PushOutcome } from '../reach/push.ts';
import { removeById, subscriptionsOf, type PushSubscriptionDoc } from '../reach/subscriptions.ts';
import { vapidKeys } from '../reach/vapid.ts';
import { jobInterval, type JobLease } from './lease.ts';
import { startJob, type RunningJob } from './runner.ts';

/** Where the job stands: the public database's changes read, and the alerts still to send. */
interface AlertsState {
	_id: string;
	_rev?: string;
	since: string;
	pending: string[];
}

/**
 * One urgent alert's sending, in <commune>-reach. Subscriptions are visited
 * in id order: every one up to `done_through` has had it, and so has each of
 * `done_after` (sent while an earlier one was still in flight). Written as
 * each push service accepts a message, so that a process taking over from a
 * dead one resumes where it stopped and sends nobody the alert twice.
 */
export interface DeliveryDoc {
	_id: string;
	_rev?: string;
	type: 'push-delivery';
	notice: string;
	/** The text sent: an alert edited after sending goes again, as a correction. */
	version: string;
	state: 'sending' | 'done' | 'withdrawn' | 'expired';
	corrections: number;
	done_through: string;
	done_after: string[];
	counts: Record<PushOutcome, number>;
}

const STATE_ID = '_local/alerts';
const deliveryId = (notice: string) => `delivery:${notice}`;
const versionOf = (notice: Pick<Notice, 'title' | 'body'>) =>
	createHash('sha256').update(`${notice.title}\0${notice.body}`).digest('base64url');
/** Devices sent to at once: push services answer in tens of milliseconds, a fan-out is thousands. */
const CONCURRENCY = 32;

/** Starts (or resets, for a correction) the sending of each urgent alert that changed. */
async function notePublicChanges(backend: Backend, state: AlertsState): Promise<string[]> {
	const publicDb = backend.couch.use<Notice>(backend.databases.public);
	const reach = backend.couch.use<DeliveryDoc>(backend.databases.reach);
	const changes = await publicDb.changes({ since: state.since, include_docs: true, limit: 500 });
	const started: string[] = [];
	for (const change of changes.results) {
		const notice = (change as { doc?: Notice }).doc;
		if (change.deleted || notice?.type !== 'notice' || !notice.urgent) continue;
		const version = versionOf(notice);
		const current = await getOrNull(reach, deliveryId(notice._id));
		if (current?.version === version) {
			// Begun by a process that died before it noted so: carried on here.
			if (current.state === 'sending' && !state.pending.includes(notice._id)) {
				state.pending.push(notice._id);
			}
			continue;
		}
		await reach.insert({
			_id: deliveryId(notice._id),
			...(current ? { _rev: current._rev } : {}),
			type: 'push-delivery',
			notice: notice._id,
			version,
			state: 'sending',
			corrections: current ? current.corrections + 1 : 0,
			done_through: '',
			done_after: [],
			counts: { sent: 0, gone: 0, failed: 0 }
		});
		if (!state.pending.includes(notice._id)) state.pending.push(notice._id);
		started.push(notice._id);
	}
	state.since = String(changes.last_seq);
	return started;
}

/**
 * Sends one alert to every subscription asking for urgent alerts that has not
 * had it. Returns whether the alert is finished with (sent, withdrawn or over).
 */
async function deliver(
	backend: Backend,
	noticeId: string,
	lease: JobLease,
	renewEveryMs: number
): Promise<boolean> {
	const publicDb = backend.couch.use<Notice>(backend.databases.public);
	const reach = backend.couch.use<DeliveryDoc>(backend.databases.reach);
	let delivery = await getOrNull(reach, deliveryId(noticeId));
	if (!delivery || delivery.state !== 'sending') return true;
	const finish = async (state: DeliveryDoc['state']) => {
		delivery = { ...delivery!, state };
		const written = await reach.insert(delivery);
		delivery._rev = written.rev;
		return true;
	};
	const readNotice = async () => {
		const notice = await getOrNull(publicDb, noticeId);
		return notice?.urgent ? notice : null;
	};
	let notice = await readNotice();
	// Retracted (or no longer urgent) before it went: nobody is told.
	if (!notice) return finish('withdrawn');
	const now = new Date();
	const seen = visibility(notice, now);
	if (seen === 'scheduled') return false;
	if (seen === 'expired') return finish('expired');

	const communeDoc = await getOrNull(
		backend.couch.use<Commune>(backend.databases.public),
		'commune'
	);
	const context = {
		vapid: await vapidKeys(backend),
		subject: backend.config.vapidSubject,
		allowed: backend.config.pushServices
	};
	const options = {
		ttlSeconds: alertTtlSeconds(notice, now),
		urgency: 'high' as const,
		topic: pushTopic(createHash('sha256').update(noticeId).digest('base64url'))
	};
	const correction = delivery.corrections > 0;

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
				...delivery!,
				done_through: doneThrough,
				done_after: [...doneAfter].filter((id) => id > doneThrough).sort()
			};
			const written = await reach.insert(delivery);
			delivery._rev = written.rev;
		}
	};
	const noteDone = (id: string, outcome: PushOutcome) => {
		delivery!.counts[outcome]++;
		const entry = handedOut.find((item) => item.id === id)!;
		entry.done = true;
		doneAfter.add(id);
		while (handedOut[0]?.done) doneThrough = handedOut.shift()!.id;
		dirty = true;
		writing ??= writeProgress().finally(() => (writing = null));
	};

	const subscriptions = subscriptionsOf(backend, 1000, doneThrough);
	let stopped: 'withdrawn' | 'lost' | null = null;
	let checkedAt = Date.now();
	const next = async (): Promise<PushSubscriptionDoc | null> => {
		for (;;) {
			const { value, done } = await subscriptions.next();
			if (done) return null;
			if (!value.categories.includes('urgent') || doneAfter.has(value._id)) continue;
			handedOut.push({ id: value._id, done: false });
			return value;
		}
	};
	const worker = async () => {
		for (;;) {
			if (stopped) return;
			if (Date.now() - checkedAt > renewEveryMs) {
				checkedAt = Date.now();
				// Still ours, and still to be sent? A retraction stops the rest.
				if (!(await lease.acquire())) stopped = 'lost';
				else if (!(notice = await readNotice())) stopped = 'withdrawn';
				if (stopped) return;
			}
			const subscription = await next();
			if (!subscription) return;
			const message = alertMessage(notice!, {
				communeName: communeDoc?.name ?? backend.commune,
				origin: subscription.origin,
				lang: subscription.lang,
				correction
			});
			const outcome = await pushTo(subscription, message, options, context);
			if (outcome === 'gone') await removeById(backend, subscription._id, subscription._rev!);
			noteDone(subscription._id, outcome);
		}
	};
	await Promise.all(Array.from({ length: CONCURRENCY }, worker));
	await writing;
	if (dirty) await writeProgress();
	if (stopped === 'lost') return false;
	return finish(stopped ?? 'done');
}

/** One round: new and changed alerts noted, then each pending one sent. */
export async function runAlerts(
	backend: Backend,
	lease: JobLease,
	renewEveryMs: number
): Promise<string[]> {
	const reach = backend.couch.use<AlertsState>(backend.databases.reach);
	const state: AlertsState = (await getOrNull(reach, STATE_ID)) ?? {
		_id: STATE_ID,
		// A commune's first round: alerts already public were published before anyone asked.
		since: String((await backend.couch.use(backend.databases.public).info()).update_seq),
		pending: []
	};
	const save = async () => {
		try {
			const written = await reach.insert(state);
			state._rev = written.rev;
		} catch (error) {
			// Written meanwhile by a process that took the job over: it goes on from there.
			if (statusOf(error) !== 409) throw error;
		}
	};
	const before = JSON.stringify([state.since, state.pending]);
	await notePublicChanges(backend, state);
	// Saved before sending: a long fan-out cut short is resumed, not forgotten.
	if (JSON.stringify([state.since, state.pending]) !== before || !state._rev) await save();
	const sent: string[] = [];
	const pending = state.pending.length;
	for (const noticeId of [...state.pending]) {
		if (await deliver(backend, noticeId, lease, renewEveryMs)) {
			state.pending = state.pending.filter((id) => id !== noticeId);
			sent.push(`alert:${noticeId}`);
		}
	}
	if (state.pending.length !== pending) await save();
	return sent;
}

/**
 * Sends urgent alerts as they become public — published online, by the
 * scheduler, or from a laptop that syncs later — in the one app process
 * holding the job's lease; a change to the public database wakes it at once.
 */
export function startAlerts(backend: Backend, intervalMs = jobInterval(10_000)): RunningJob {
	const job = startJob(backend, 'alerts', intervalMs, (lease) =>
		runAlerts(backend, lease, intervalMs)
	);
	followChanges(backend, backend.databases.public, { changed: job.poke });
	return job;
}
