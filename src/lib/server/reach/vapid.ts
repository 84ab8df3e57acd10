import { randomBytes } from 'node:crypto';
import webpush from 'web-push';
import { COMMUNES_DATABASE } from '../../domain/commune.ts';
import type { Store } from '../backend.ts';
import { getOrNull, statusOf } from '../couch-errors.ts';

export interface VapidKeys {
	publicKey: string;
	privateKey: string;
	/** Keys the HMAC of e-mails' unsubscribe links: the same in every process, never stored per address. */
	linkKey: string;
}

interface VapidDoc {
	_id: string;
	_rev?: string;
	publicKey: string;
	privateKey: string;
	link_key?: string;
	created_at: string;
}

/**
 * The deployment's one VAPID key pair, made by the first process to need it and
 * kept in a `_local/` document of the admin-only directory: every app process
 * in front of one CouchDB signs with the same pair (a push service refuses a
 * subscription's messages signed with another), none holds it in a file of its
 * own, and `_local/` documents never replicate. The e-mail links' key lives
 * beside it, added to a pair made before e-mail existed.
 */
const VAPID_DOC = '_local/vapid';
/** By CouchDB: every commune's backend of one store shares the pair. */
const known = new Map<string, Promise<VapidKeys>>();

async function loadOrCreate(store: Store): Promise<VapidKeys> {
	const db = store.couch.use<VapidDoc>(COMMUNES_DATABASE);
	for (let attempt = 0; attempt < 3; attempt++) {
		const existing = await getOrNull(db, VAPID_DOC);
		if (existing?.link_key) {
			return {
				publicKey: existing.publicKey,
				privateKey: existing.privateKey,
				linkKey: existing.link_key
			};
		}
		const doc: VapidDoc = {
			...(existing ?? {
				_id: VAPID_DOC,
				...webpush.generateVAPIDKeys(),
				created_at: new Date().toISOString()
			}),
			link_key: randomBytes(32).toString('base64url')
		};
		try {
			await db.insert(doc);
			return { publicKey: doc.publicKey, privateKey: doc.privateKey, linkKey: doc.link_key! };
		} catch (error) {
			// Another process wrote them first: use those.
			if (statusOf(error) !== 409) throw error;
		}
	}
	throw new Error('deployment keys kept changing');
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
