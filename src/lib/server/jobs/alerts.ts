import { createHash } from 'node:crypto';
import { reachesZones } from '../../domain/zones.ts';
import type { Commune } from '../../domain/commune.ts';
import type { CommuneEvent } from '../../domain/event.ts';
import { visibility, type Notice } from '../../domain/notice.ts';
import type { Poll } from '../../domain/poll.ts';
import {
	alertMessage,
	alertTtlSeconds,
	digestMessage,
	pathOf,
	pushTopic,
	type ReachCategory
} from '../../domain/reach.ts';
import { m, type Locale } from '../../i18n/index.ts';
import type { Backend } from '../backend.ts';
import { followChanges } from '../changes.ts';
import { getOrNull, statusOf } from '../couch-errors.ts';
import { forgetUnconfirmed, unsubscribeToken } from '../reach/email-subscriptions.ts';
import { fanOut, newDelivery, type DeliveryDoc, type DigestItem } from '../reach/fan-out.ts';
import { alertMail, mailEnabled, weeklyMail } from '../reach/mail.ts';
import { jobInterval, type JobLease } from './lease.ts';
import { startJob, type RunningJob } from './runner.ts';

type DigestCategory = Exclude<ReachCategory, 'urgent'>;

/**
 * Where the job stands: the public database's changes read, the sendings
 * under way, what waits for its category's next digest, and what was
 * announced already (an edited notice is not new).
 */
interface AlertsState {
	_id: string;
	_rev?: string;
	since: string;
	/** Ids of delivery documents still sending. */
	pending: string[];
	queued: (DigestItem & { category: DigestCategory; due_at: string })[];
	announced: string[];
	last_digest: Partial<Record<DigestCategory, number>>;
	/** The same news for the weekly e-mail, kept apart: it goes on its own rhythm. */
	weekly_queued?: AlertsState['queued'];
	weekly_announced?: string[];
	last_weekly?: number;
	/** The day unconfirmed addresses were last looked for. */
	last_sweep?: string;
}

const STATE_ID = '_local/alerts';
const alertDeliveryId = (notice: string) => `delivery:${notice}`;
// A changed target is a correction too: a widened alert reaches those it left out.
const versionOf = (notice: Pick<Notice, 'title' | 'body' | 'zones'>) =>
	createHash('sha256')
		.update(`${notice.title}\0${notice.body}\0${[...(notice.zones ?? [])].sort().join(',')}`)
		.digest('base64url');
/**
 * At most one push per category and hour for what is not urgent (issue 16 §2);
 * CRIEUR_DIGEST_SECONDS shortens it for tests.
 */
function digestEveryMs(env: NodeJS.ProcessEnv = process.env): number {
	const seconds = Number(env.CRIEUR_DIGEST_SECONDS);
	return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 3600_000;
}
/** The e-mail of news is weekly; CRIEUR_WEEKLY_SECONDS shortens it for tests. */
function weeklyEveryMs(env: NodeJS.ProcessEnv = process.env): number {
	const seconds = Number(env.CRIEUR_WEEKLY_SECONDS);
	return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 7 * 24 * 3600_000;
}
/** Something published long ago and only now seen (a restored laptop) is not news. */
const NEWS_FOR_MS = 7 * 24 * 3600_000;
const ANNOUNCED_KEPT = 1000;
const DIGEST_TTL_SECONDS = 24 * 3600;

/** What a public document announces to those who asked for its category, and from when. */
function newsOf(doc: Notice | CommuneEvent | Poll | { type?: string }): {
	category: DigestCategory;
	title: string;
	due_at: string;
} | null {
	switch (doc.type) {
		case 'notice': {
			const notice = doc as Notice;
			return notice.urgent
				? null
				: { category: 'notices', title: notice.title, due_at: notice.published_at };
		}
		case 'event': {
			const event = doc as CommuneEvent;
			return event.cancelled
				? null
				: { category: 'agenda', title: event.title, due_at: event.created_at };
		}
		case 'poll': {
			const poll = doc as Poll;
			return { category: 'polls', title: poll.question, due_at: poll.opens_at };
		}
		default:
			return null;
	}
}

/** Notes urgent alerts to send (or send again, corrected) and news to announce. */
async function notePublicChanges(backend: Backend, state: AlertsState, now: Date): Promise<void> {
	const publicDb = backend.couch.use<Notice>(backend.databases.public);
	const reach = backend.couch.use<DeliveryDoc>(backend.databases.reach);
	const changes = await publicDb.changes({ since: state.since, include_docs: true, limit: 500 });
	for (const change of changes.results) {
		const doc = (change as { doc?: Notice }).doc;
		if (change.deleted || !doc) {
			// Retracted before its digest: nobody hears of it.
			state.queued = state.queued.filter((item) => item.id !== change.id);
			state.weekly_queued = state.weekly_queued?.filter((item) => item.id !== change.id);
			continue;
		}
		if (doc.type === 'notice' && doc.urgent) {
			const id = alertDeliveryId(doc._id);
			const version = versionOf(doc);
			const current = await getOrNull(reach, id);
			if (current?.version !== version) {
				await reach.insert(
					newDelivery({
						_id: id,
						...(current ? { _rev: current._rev } : {}),
						kind: 'alert',
						category: 'urgent',
						notice: doc._id,
						version,
						corrections: current ? current.corrections + 1 : 0
					})
				);
			} else if (current.state !== 'sending') continue;
			// Begun by a process that died before it noted so: carried on here.
			if (!state.pending.includes(id)) state.pending.push(id);
			continue;
		}
		const news = newsOf(doc);
		if (!news) continue;
		const queues = [{ queued: state.queued, announced: state.announced }];
		if (mailEnabled(backend)) {
			state.weekly_queued ??= [];
			queues.push({ queued: state.weekly_queued, announced: state.weekly_announced ?? [] });
		}
		for (const { queued, announced } of queues) {
			if (announced.includes(doc._id)) continue;
			const waiting = queued.find((item) => item.id === doc._id);
			if (waiting) Object.assign(waiting, news);
			else if (now.getTime() - Date.parse(news.due_at) < NEWS_FOR_MS) {
				queued.push({ id: doc._id, path: pathOf(doc._id), ...news });
			}
		}
	}
	state.since = String(changes.last_seq);
}

/** Starts the digest of each category whose news is due and whose last digest is an hour old. */
async function startDigests(
	backend: Backend,
	state: AlertsState,
	now: Date,
	everyMs: number
): Promise<void> {
	const reach = backend.couch.use<DeliveryDoc>(backend.databases.reach);
	for (const category of ['notices', 'agenda', 'polls'] as const) {
		const due = state.queued.filter(
			(item) => item.category === category && Date.parse(item.due_at) <= now.getTime()
		);
		const last = state.last_digest[category] ?? 0;
		if (due.length === 0 || now.getTime() - last < everyMs) continue;
		const id = `delivery:nouveautes:${category}:${now.getTime()}`;
		await reach.insert(
			newDelivery({
				_id: id,
				kind: 'digest',
				category,
				version: '',
				items: due.map(({ id: itemId, title, path }) => ({ id: itemId, title, path }))
			})
		);
		state.pending.push(id);
		state.queued = state.queued.filter((item) => !due.includes(item));
		state.announced = [...state.announced, ...due.map((item) => item.id)].slice(-ANNOUNCED_KEPT);
		state.last_digest[category] = now.getTime();
	}
}

/**
 * Starts the weekly e-mail when a week has passed since the last and news
 * waits; the first week begins when e-mail is first seen on. Also forgets,
 * once a day, addresses whose confirmation link was never followed.
 */
async function startWeekly(
	backend: Backend,
	state: AlertsState,
	now: Date,
	everyMs: number
): Promise<void> {
	if (!mailEnabled(backend)) return;
	const today = now.toISOString().slice(0, 10);
	if (state.last_sweep !== today) {
		await forgetUnconfirmed(backend, now);
		state.last_sweep = today;
	}
	state.last_weekly ??= now.getTime();
	const due = (state.weekly_queued ?? []).filter(
		(item) => Date.parse(item.due_at) <= now.getTime()
	);
	if (due.length === 0 || now.getTime() - state.last_weekly < everyMs) return;
	const id = `delivery:semaine:${now.getTime()}`;
	await backend.couch.use<DeliveryDoc>(backend.databases.reach).insert(
		newDelivery({
			_id: id,
			kind: 'weekly',
			category: due[0].category,
			categories: [...new Set(due.map((item) => item.category))],
			version: '',
			items: due.map(({ id: itemId, title, path, category }) => ({
				id: itemId,
				title,
				path,
				category
			}))
		})
	);
	state.pending.push(id);
	state.weekly_queued = (state.weekly_queued ?? []).filter((item) => !due.includes(item));
	state.weekly_announced = [...(state.weekly_announced ?? []), ...due.map((item) => item.id)].slice(
		-ANNOUNCED_KEPT
	);
	state.last_weekly = now.getTime();
}

const digestHeading = (
	category: DigestCategory,
	count: number,
	commune: string,
	locale: Locale
): string => {
	const options = { locale };
	if (count === 1) {
		return { notices: m.push_newNotice, agenda: m.push_newEvent, polls: m.push_newPoll }[category](
			{ commune },
			options
		);
	}
	return { notices: m.push_newNotices, agenda: m.push_newEvents, polls: m.push_newPolls }[category](
		{ commune, count },
		options
	);
};

const localeOf = (lang: string): Locale => (lang === 'en' ? 'en' : 'fr');

/** Sends one delivery; true once it is finished with (sent, withdrawn or over). */
async function deliver(
	backend: Backend,
	deliveryId: string,
	lease: JobLease,
	renewEveryMs: number
): Promise<boolean> {
	const publicDb = backend.couch.use<Notice>(backend.databases.public);
	const reach = backend.couch.use<DeliveryDoc>(backend.databases.reach);
	const delivery = await getOrNull(reach, deliveryId);
	if (!delivery || delivery.state !== 'sending') return true;
	const finish = async (state: DeliveryDoc['state']) => {
		await reach.insert({ ...delivery, state });
		return true;
	};
	const commune = await getOrNull(backend.couch.use<Commune>(backend.databases.public), 'commune');
	const communeName = commune?.name ?? backend.commune;
	const now = new Date();

	if (delivery.kind === 'weekly') {
		const items = delivery.items ?? [];
		const outcome = await fanOut(
			backend,
			delivery,
			{
				// Each address hears of the categories it asked for only.
				mail: async (subscription) =>
					weeklyMail(
						items.filter((item) => subscription.categories.includes(item.category!)),
						{
							to: subscription.address,
							communeName,
							origin: subscription.origin,
							lang: localeOf(subscription.lang),
							unsubscribe: await unsubscribeToken(backend, subscription._id)
						}
					),
				stillWanted: async () => true
			},
			lease,
			renewEveryMs
		);
		return outcome !== 'lost';
	}

	if (delivery.kind === 'digest') {
		const items = delivery.items ?? [];
		const category = delivery.category as DigestCategory;
		const outcome = await fanOut(
			backend,
			delivery,
			{
				push: {
					message: (subscription) =>
						digestMessage(items, {
							category,
							heading: digestHeading(
								category,
								items.length,
								communeName,
								localeOf(subscription.lang)
							),
							origin: subscription.origin,
							lang: subscription.lang
						}),
					options: {
						ttlSeconds: DIGEST_TTL_SECONDS,
						urgency: 'normal',
						topic: pushTopic(`nouveautes-${category}`)
					}
				},
				stillWanted: async () => true
			},
			lease,
			renewEveryMs
		);
		return outcome !== 'lost';
	}

	const noticeId = delivery.notice!;
	const readNotice = async () => {
		const notice = await getOrNull(publicDb, noticeId);
		return notice?.urgent ? notice : null;
	};
	let notice = await readNotice();
	// Retracted (or no longer urgent) before it went: nobody is told.
	if (!notice) return finish('withdrawn');
	const seen = visibility(notice, now);
	if (seen === 'scheduled') return false;
	if (seen === 'expired') return finish('expired');
	const correction = delivery.corrections > 0;
	const titleIn = (locale: Locale) =>
		correction ? m.push_correction({ title: notice!.title }, { locale }) : notice!.title;
	const outcome = await fanOut(
		backend,
		delivery,
		{
			push: {
				message: (subscription) =>
					alertMessage(notice!, {
						title: titleIn(localeOf(subscription.lang)),
						communeName,
						origin: subscription.origin,
						lang: subscription.lang
					}),
				options: {
					ttlSeconds: alertTtlSeconds(notice, now),
					urgency: 'high',
					topic: pushTopic(createHash('sha256').update(noticeId).digest('base64url'))
				}
			},
			mail: async (subscription) =>
				alertMail(notice!, {
					to: subscription.address,
					title: titleIn(localeOf(subscription.lang)),
					communeName,
					origin: subscription.origin,
					lang: localeOf(subscription.lang),
					unsubscribe: await unsubscribeToken(backend, subscription._id)
				}),
			// Still to be sent? A retraction stops the rest.
			stillWanted: async () => {
				const current = await readNotice();
				if (current) notice = current;
				return current !== null;
			},
			concerns: (subscription) => reachesZones(notice!.zones, subscription.zones, commune?.zones)
		},
		lease,
		renewEveryMs
	);
	return outcome !== 'lost';
}

/** One round: new and changed documents noted, digests started, then each sending carried on. */
export async function runAlerts(
	backend: Backend,
	lease: JobLease,
	renewEveryMs: number,
	now = new Date(),
	digestMs = digestEveryMs(),
	weeklyMs = weeklyEveryMs()
): Promise<string[]> {
	const reach = backend.couch.use<AlertsState>(backend.databases.reach);
	const stored = await getOrNull(reach, STATE_ID);
	const state: AlertsState = {
		// A commune's first round: what is public already was published before anyone asked.
		since:
			stored?.since ??
			String((await backend.couch.use(backend.databases.public).info()).update_seq),
		pending: [],
		queued: [],
		announced: [],
		last_digest: {},
		...stored,
		_id: STATE_ID
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
	const before = JSON.stringify(state);
	await notePublicChanges(backend, state, now);
	await startDigests(backend, state, now, digestMs);
	await startWeekly(backend, state, now, weeklyMs);
	// Saved before sending: a long fan-out cut short is resumed, not forgotten.
	if (JSON.stringify(state) !== before || !state._rev) await save();
	const sent: string[] = [];
	const pending = state.pending.length;
	for (const deliveryId of [...state.pending]) {
		if (await deliver(backend, deliveryId, lease, renewEveryMs)) {
			state.pending = state.pending.filter((id) => id !== deliveryId);
			sent.push(deliveryId);
		}
	}
	if (state.pending.length !== pending) await save();
	return sent;
}

/**
 * Sends urgent alerts as they become public — published online, by the
 * scheduler, or from a laptop that syncs later — and digests of the rest, in
 * the one app process holding the job's lease; a change to the public
 * database wakes it at once.
 */
export function startAlerts(backend: Backend, intervalMs = jobInterval(10_000)): RunningJob {
	const job = startJob(backend, 'alerts', intervalMs, (lease) =>
		runAlerts(backend, lease, intervalMs)
	);
	followChanges(backend, backend.databases.public, { changed: job.poke });
	return job;
}
