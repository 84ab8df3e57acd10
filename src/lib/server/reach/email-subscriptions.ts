import { createHash, createHmac, randomBytes } from 'node:crypto';
import { addressKey, type EmailSubscribeRequest } from '../../domain/email.ts';
import type { ReachCategory } from '../../domain/reach.ts';
import type { Backend } from '../backend.ts';
import { getOrNull, rewrite } from '../couch-errors.ts';
import { removeById, sameSecret } from './subscriptions.ts';
import { vapidKeys } from './vapid.ts';

/**
 * An address asking for the commune's alerts, in <commune>-reach (server
 * admins only): never on a laptop, never in a replica; staff see counts. Its
 * links carry secrets of which only hashes are kept. Dates are days.
 */
export interface EmailSubscriptionDoc {
	_id: string;
	_rev?: string;
	type: 'email-subscription';
	address: string;
	categories: ReachCategory[];
	zones: string[];
	/** `pending` until its link is followed; nothing but that link is sent before. */
	state: 'pending' | 'confirmed';
	/** A change asked for by a confirmed address waits for its own link. */
	change?: { categories: ReachCategory[]; zones: string[]; confirm: string } | null;
	confirm: string | null;
	/** How the person agreed: by their own link, or at the counter before a staff member. */
	consent: { channel: 'link' | 'counter'; day: string; staff?: string } | null;
	/** Links in messages open there, in this language. */
	origin: string;
	lang: string;
	requested: string;
	since: string | null;
	/** Confirmation messages sent on `mail_day`: a script asking again and again gets few. */
	mail_day: string;
	mails: number;
}

/** Confirmation messages one address is sent in a day, at the most. */
const CONFIRMATIONS_PER_DAY = 3;
/** An address never confirmed is forgotten after this many days. */
export const PENDING_DAYS = 7;

const day = (now: Date) => now.toISOString().slice(0, 10);
const hash = (secret: string) => createHash('sha256').update(secret).digest('base64url');
const idPart = (address: string) =>
	createHash('sha256').update(addressKey(address)).digest('base64url');
export const emailId = (address: string) => `email:${idPart(address)}`;

/** A confirmation link's secret, as the link carries it and as the document keeps it (hashed). */
function newSecret(id: string): { token: string; hashed: string } {
	const secret = randomBytes(24).toString('base64url');
	return { token: `${id.slice('email:'.length)}.${secret}`, hashed: hash(secret) };
}

/**
 * The unsubscribe link's secret: made from the address's id with the
 * deployment's link key, so every message carries one and nothing is kept.
 */
export async function unsubscribeToken(backend: Backend, id: string): Promise<string> {
	const { linkKey } = await vapidKeys(backend);
	const mac = createHmac('sha256', linkKey).update(id).digest('base64url').slice(0, 32);
	return `${id.slice('email:'.length)}.${mac}`;
}

export interface Links {
	confirm?: string;
	unsubscribe: string;
}

export type RequestOutcome =
	{ kind: 'send-confirmation'; doc: EmailSubscriptionDoc; links: Links } | { kind: 'too-many' };

/**
 * Asks for alerts by e-mail, or for a change to what an address gets: either
 * waits for the link in the message sent. Whether the address was known is
 * never said (the answer is the same), so nobody learns who subscribed.
 */
export async function requestSubscription(
	backend: Backend,
	request: EmailSubscribeRequest,
	context: { origin: string; lang: string },
	now = new Date()
): Promise<RequestOutcome> {
	const db = backend.couch.use<EmailSubscriptionDoc>(backend.databases.reach);
	const id = emailId(request.address);
	const today = day(now);
	const confirm = newSecret(id);
	const wanted = { categories: request.categories, zones: request.zones ?? [] };
	const saved = await rewrite(db, id, (current): EmailSubscriptionDoc | null => {
		const mails = current?.mail_day === today ? current.mails : 0;
		if (mails >= CONFIRMATIONS_PER_DAY) return null;
		const counted = { mail_day: today, mails: mails + 1 };
		return current?.state === 'confirmed'
			? { ...current, change: { ...wanted, confirm: confirm.hashed }, ...counted }
			: {
					_id: id,
					type: 'email-subscription',
					address: request.address,
					...wanted,
					state: 'pending',
					change: null,
					confirm: confirm.hashed,
					consent: null,
					origin: context.origin,
					lang: context.lang,
					requested: today,
					since: null,
					...counted
				};
	});
	if (!saved) return { kind: 'too-many' };
	return {
		kind: 'send-confirmation',
		doc: saved.written,
		links: { confirm: confirm.token, unsubscribe: await unsubscribeToken(backend, id) }
	};
}

/** Registers an address at the counter for a person who asked there: confirmed at once. */
export async function registerAtCounter(
	backend: Backend,
	request: EmailSubscribeRequest,
	context: { origin: string; lang: string; staff: string },
	now = new Date()
): Promise<{ doc: EmailSubscriptionDoc; links: Links }> {
	const db = backend.couch.use<EmailSubscriptionDoc>(backend.databases.reach);
	const id = emailId(request.address);
	const today = day(now);
	const saved = await rewrite(db, id, (current): EmailSubscriptionDoc => ({
		_id: id,
		type: 'email-subscription',
		address: request.address,
		categories: request.categories,
		zones: request.zones ?? [],
		state: 'confirmed',
		change: null,
		confirm: null,
		consent: { channel: 'counter', day: today, staff: context.staff },
		origin: context.origin,
		lang: context.lang,
		requested: today,
		since: current?.since ?? today,
		mail_day: current?.mail_day ?? today,
		mails: current?.mails ?? 0
	}));
	return { doc: saved!.written, links: { unsubscribe: await unsubscribeToken(backend, id) } };
}

async function byToken(
	backend: Backend,
	token: string
): Promise<{ doc: EmailSubscriptionDoc; secret: string } | null> {
	const [part, secret] = token.split('.');
	const doc = await getOrNull(
		backend.couch.use<EmailSubscriptionDoc>(backend.databases.reach),
		`email:${part}`
	);
	return doc?.type === 'email-subscription' ? { doc, secret } : null;
}

/** Follows a confirmation link: the address gets what it asked for from now on. */
export async function confirmSubscription(
	backend: Backend,
	token: string,
	now = new Date()
): Promise<'confirmed' | 'unknown'> {
	const found = await byToken(backend, token);
	if (!found) return 'unknown';
	const { doc, secret } = found;
	const db = backend.couch.use<EmailSubscriptionDoc>(backend.databases.reach);
	if (doc.change && sameSecret(doc.change.confirm, hash(secret))) {
		const { categories, zones } = doc.change;
		await db.insert({ ...doc, categories, zones, change: null });
		return 'confirmed';
	}
	if (!doc.confirm || !sameSecret(doc.confirm, hash(secret))) {
		// Followed twice (a mail scanner, then the person): already done, say so.
		return doc.state === 'confirmed' && doc.confirm === null ? 'confirmed' : 'unknown';
	}
	await db.insert({
		...doc,
		state: 'confirmed',
		confirm: null,
		consent: { channel: 'link', day: day(now) },
		since: day(now)
	});
	return 'confirmed';
}

/** Follows an unsubscribe link (or a mail client's one-click): the address is deleted. */
export async function unsubscribeEmail(
	backend: Backend,
	token: string
): Promise<'removed' | 'unknown'> {
	const found = await byToken(backend, token);
	if (!found || !sameSecret(await unsubscribeToken(backend, found.doc._id), token))
		return 'unknown';
	await removeById(backend, found.doc._id, found.doc._rev!);
	return 'removed';
}

/** Forgets addresses whose link was never followed. */
export async function forgetUnconfirmed(backend: Backend, now = new Date()): Promise<number> {
	const db = backend.couch.use<EmailSubscriptionDoc>(backend.databases.reach);
	const limit = day(new Date(now.getTime() - PENDING_DAYS * 86_400_000));
	const rows = await db.list({ startkey: 'email:', endkey: 'email:\ufff0', include_docs: true });
	const stale = rows.rows.flatMap((row) =>
		row.doc && row.doc.state === 'pending' && row.doc.requested < limit ? [row.doc] : []
	);
	for (const doc of stale) await removeById(backend, doc._id, doc._rev!);
	return stale.length;
}
