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

/**
 * sessionOf for a resident's action, which goes on to read the resident's
 * register entry (requireResident → isCurrentResidentSession): a resident's
 * session as CouchDB last confirmed it is held a few seconds, so that a vote
 * sent right after another, or a burst after an alert, asks CouchDB once. A
 * code revoked or reissued is still refused at once, by the register, and
 * the session asked again. Staff and kiosk sessions, and every other caller,
 * ask CouchDB each time.
 */
export async function residentSessionOf(
	backend: Backend,
	request: Request
): Promise<{ user: SessionUser; held: boolean }> {
	const cookie = request.headers.get('cookie');
	const cached = cookie ? residentSessions.get(cookie) : undefined;
	if (cookie && cached) {
		residentSessions.delete(cookie);
		if (cached.until > Date.now()) {
			residentSessions.set(cookie, cached);
			return { user: cached.user, held: true };
		}
	}
	const user = await sessionOf(backend, request);
	if (cookie && isOnlyResident(user)) {
		// Oldest first (insertion order): forget the oldest beyond a bound.
		if (residentSessions.size >= 10_000) {
			residentSessions.delete(residentSessions.keys().next().value!);
		}
		residentSessions.set(cookie, { user, until: Date.now() + RESIDENT_SESSION_MS });
	}
	return { user, held: false };
}

const RESIDENT_SESSION_MS = 5000;
const residentSessions = new Map<string, { user: SessionUser; until: number }>();

function isOnlyResident(user: SessionUser): boolean {
	return (
		user.name !== null &&
		user.roles.length > 0 &&
		user.roles.every((role) => role.startsWith(roles.resident('')))
	);
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
