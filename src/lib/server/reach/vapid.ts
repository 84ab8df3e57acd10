import webpush from 'web-push';
import { COMMUNES_DATABASE } from '../../domain/commune.ts';
import type { Store } from '../backend.ts';
import { getOrNull, statusOf } from '../couch-errors.ts';

export interface VapidKeys {
	publicKey: string;
	privateKey: string;
}

interface VapidDoc extends VapidKeys {
	_id: string;
	_rev?: string;
	created_at: string;
}

/**
 * The deployment's one VAPID key pair, made by the first process to need it and
 * kept in a `_local/` document of the admin-only directory: every app process
 * in front of one CouchDB signs with the same pair (a push service refuses a
 * subscription's messages signed with another), none holds it in a file of its
 * own, and `_local/` documents never replicate.
 */
const VAPID_DOC = '_local/vapid';
/** By CouchDB: every commune's backend of one store shares the pair. */
const known = new Map<string, Promise<VapidKeys>>();

async function loadOrCreate(store: Store): Promise<VapidKeys> {
	const db = store.couch.use<VapidDoc>(COMMUNES_DATABASE);
	const existing = await getOrNull(db, VAPID_DOC);
	if (existing) return { publicKey: existing.publicKey, privateKey: existing.privateKey };
	const keys = webpush.generateVAPIDKeys();
	try {
		await db.insert({ _id: VAPID_DOC, ...keys, created_at: new Date().toISOString() });
		return keys;
	} catch (error) {
		// Another process made the pair first: use that one.
		if (statusOf(error) !== 409) throw error;
		const winner = await db.get(VAPID_DOC);
		return { publicKey: winner.publicKey, privateKey: winner.privateKey };
	}
}

export function vapidKeys(store: Store): Promise<VapidKeys> {
	let keys = known.get(store.adminUrl);
	if (!keys) {
		keys = loadOrCreate(store);
		known.set(store.adminUrl, keys);
		keys.catch(() => known.delete(store.adminUrl));
	}
	return keys;
}
