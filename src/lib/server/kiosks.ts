import { randomBytes } from 'node:crypto';
import { roles } from '../domain/commune.ts';
import { newId } from '../domain/notice.ts';
import type { Backend } from './backend.ts';

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
	return `borne-${kioskId.slice('kiosk:'.length)}`;
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
		_id: newId('kiosk', now),
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
		roles: [roles.kiosk(backend.config.commune)],
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
