import { roles } from '../domain/commune.ts';
import type { Backend } from './backend.ts';

export interface SessionUser {
	name: string | null;
	roles: string[];
}

/**
 * Who sent a request, asked of CouchDB itself from the request's session
 * cookie: one identity system, CouchDB's `_users` and `_session`. Basic auth is
 * not read here: every client signs in through /db/_session, and a password
 * checked on any API call would be a guessing channel outside its limit.
 */
export async function sessionOf(backend: Backend, request: Request): Promise<SessionUser> {
	const cookie = request.headers.get('cookie');
	if (!cookie) return { name: null, roles: [] };
	const response = await fetch(`${backend.url}/_session`, {
		headers: { accept: 'application/json', cookie }
	});
	if (!response.ok) return { name: null, roles: [] };
	const body = (await response.json()) as { userCtx?: SessionUser };
	return body.userCtx ?? { name: null, roles: [] };
}

export function isStaffUser(user: SessionUser, commune: string): boolean {
	return (
		user.name !== null &&
		(user.roles.includes('_admin') || user.roles.includes(roles.staff(commune)))
	);
}

export function isResidentUser(user: SessionUser, commune: string): boolean {
	return user.name !== null && user.roles.includes(roles.resident(commune));
}

/** The client's address, for rate limits: the socket's, or the proxy's header when configured. */
export function clientAddress(getClientAddress: () => string): string {
	try {
		return getClientAddress();
	} catch {
		return 'unknown';
	}
}
