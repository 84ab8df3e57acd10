import { randomBytes } from 'node:crypto';
import { roles } from '../domain/commune.ts';
import { newId } from '../domain/slug.ts';
import { normalizeCode } from '../domain/resident-code.ts';
import { m } from '../i18n/index.ts';
import { residentErrorMessage } from '../i18n/error-labels.ts';
import { sessionOf } from './auth.ts';
import type { Backend } from './backend.ts';
import { jsonError } from './http.ts';
import { OneAtATime, RateLimiter } from './rate-limit.ts';
import { codeHash, type Resident } from './residents.ts';
import { slugOf } from '../domain/slug.ts';

/**
 * Kiosk tablets in the mairie: a device account `borne-<id>` with the role
 * borne:<commune>, listed in <commune>-mairie. Staff pair a tablet once by
 * opening the pairing link on it; the link carries the account's password.
 */
export interface Kiosk {
	_id: string;
	_rev?: string;
	type: 'kiosk';
	label: string;
	status: 'active' | 'revoked';
	created_at: string;
	updated_at: string;
}

export function kioskUserName(kioskId: string): string {
	return `borne-${slugOf(kioskId)}`;
}

export class KioskError extends Error {
	readonly code: 'not_found' | 'invalid_label';
	constructor(code: KioskError['code']) {
		super(code);
		this.code = code;
	}
}

export async function createKiosk(
	backend: Backend,
	label: string,
	now = new Date()
): Promise<{ id: string; label: string; name: string; password: string }> {
	if (typeof label !== 'string' || label.trim().length === 0 || label.length > 80) {
		throw new KioskError('invalid_label');
	}
	const kiosk: Kiosk = {
		_id: newId('kiosk', now, (n) => new Uint8Array(randomBytes(n))),
		type: 'kiosk',
		label: label.trim(),
		status: 'active',
		created_at: now.toISOString(),
		updated_at: now.toISOString()
	};
	const password = randomBytes(24).toString('base64url');
	await backend.couch.use<Kiosk>(backend.databases.mairie).insert(kiosk);
	await backend.couch.use('_users').insert({
		_id: `org.couchdb.user:${kioskUserName(kiosk._id)}`,
		name: kioskUserName(kiosk._id),
		type: 'user',
		roles: [roles.kiosk(backend.commune)],
		password
	} as never);
	return { id: kiosk._id, label: kiosk.label, name: kioskUserName(kiosk._id), password };
}

/** Unpairs a tablet remotely: its account is deleted, its session ends at once. */
export async function revokeKiosk(backend: Backend, id: string, now = new Date()): Promise<void> {
	const mairie = backend.couch.use<Kiosk>(backend.databases.mairie);
	let kiosk: Kiosk;
	try {
		kiosk = await mairie.get(id);
	} catch {
		throw new KioskError('not_found');
	}
	if (kiosk.type !== 'kiosk') throw new KioskError('not_found');
	await mairie.insert({ ...kiosk, status: 'revoked', updated_at: now.toISOString() });
	const users = backend.couch.use('_users');
	try {
		const user = await users.get(`org.couchdb.user:${kioskUserName(id)}`);
		await users.destroy(user._id, user._rev);
	} catch (error) {
		if ((error as { statusCode?: number }).statusCode !== 404) throw error;
	}
}

/** The kiosk account behind a request's session in this commune, or null. */
export async function kioskOfRequest(backend: Backend, request: Request): Promise<string | null> {
	const user = await sessionOf(backend, request);
	return user.name && user.roles.includes(roles.kiosk(backend.commune)) ? user.name : null;
}

/**
 * Wrong codes per kiosk, counted alike by the early check and by the ballot:
 * a tablet in a public hall must not become a guessing machine. Codes that
 * work are not counted.
 */
export const kioskWrongCodes = new RateLimiter(20, 10 * 60_000, 'kiosk-codes');
/**
 * One code at a time per kiosk, so that parallel guesses cannot all pass the
 * check before any of them is counted.
 */
export const kioskCodeQueue = new OneAtATime();

/**
 * A throttled kiosk: 429 with the seconds to wait, in the body (for the
 * kiosk's own words, "à 14:40") and in Retry-After.
 */
export function kioskThrottled(retryAfterSeconds: number): Response {
	const minutes = Math.ceil(retryAfterSeconds / 60);
	const response = new Response(
		JSON.stringify({
			error: 'too_many_attempts',
			reason: m.kiosk_throttledReason({ minutes }),
			retry_after: retryAfterSeconds
		}),
		{
			status: 429,
			headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }
		}
	);
	response.headers.set('retry-after', String(retryAfterSeconds));
	return response;
}

/**
 * Whether a typed code is an active resident's, and nothing more: no resident,
 * no "already voted", no first use marked (only a ballot uses a code). Looked
 * up by its keyed hash, as residentByCode does.
 */
export async function isActiveCode(backend: Backend, typed: string): Promise<boolean | 'format'> {
	const code = normalizeCode(typed);
	if (!code) return 'format';
	const found = await backend.couch
		.use<Resident>(backend.databases.mairie)
		.view('crieur', 'resident_by_code', {
			key: codeHash(backend.secrets.ballotSecret, code),
			include_docs: true
		});
	const resident = found.rows[0]?.doc as Resident | undefined;
	return resident?.status === 'active';
}

/** The refusal of a wrong code at a kiosk, counted against it. */
export function wrongKioskCode(kiosk: string, kind: 'invalid_format' | 'unknown_code'): Response {
	kioskWrongCodes.hit(kiosk);
	return jsonError(kind === 'invalid_format' ? 400 : 403, kind, residentErrorMessage(kind));
}
