import { createHmac, timingSafeEqual } from 'node:crypto';
import { slugOf } from '../domain/slug.ts';

/**
 * A device that opened a resident session also keeps a signed note of whose
 * code it entered, and which version of it. Revoking or replacing a code
 * recreates the resident's CouchDB account, so the old session simply stops
 * existing: without the note the server could only answer "no session", and
 * the phone asked for the code again as if typing it would help. With it, the
 * server can say the mairie withdrew the code. It names nothing the session
 * cookie did not already name (CouchDB's cookie carries the user name).
 */
export const MARKER_COOKIE = 'crieur-habitant';
/** Long enough to tell a resident who comes back months later; a new code replaces it. */
export const MARKER_SECONDS = 180 * 24 * 3600;

export interface ResidentMarker {
	residentId: string;
	codeVersion: number;
}

/**
 * The key of the note, derived from the ballot key so no new secret needs
 * sharing; one per commune, so that a note is worth nothing on another's host.
 */
export function markerKey(ballotSecret: string, commune: string): string {
	return createHmac('sha256', ballotSecret)
		.update(`crieur resident-marker cookie ${commune}`)
		.digest('hex');
}

function signature(key: string, body: string): string {
	return createHmac('sha256', key).update(body).digest('base64url');
}

/** `<id after "resident:">.<version>.<mac>`: cookie-safe, since ids are [a-z0-9-]. */
function bodyOf(marker: ResidentMarker): string {
	return `${slugOf(marker.residentId)}.${marker.codeVersion}`;
}

export function markerCookie(key: string, marker: ResidentMarker, secure: boolean): string {
	const body = bodyOf(marker);
	return [
		`${MARKER_COOKIE}=${body}.${signature(key, body)}`,
		'Path=/',
		`Max-Age=${MARKER_SECONDS}`,
		'HttpOnly',
		'SameSite=Lax',
		...(secure ? ['Secure'] : [])
	].join('; ');
}

/** The note a request carries, if its signature holds. */
export function markerOf(key: string, cookieHeader: string | null): ResidentMarker | null {
	if (!cookieHeader) return null;
	for (const part of cookieHeader.split(';')) {
		const [name, value] = part.trim().split('=', 2);
		if (name !== MARKER_COOKIE || !value) continue;
		const match = /^([A-Za-z0-9_-]{1,80})\.(\d{1,9})\.([A-Za-z0-9_-]{43})$/.exec(value);
		if (!match) continue;
		const body = `${match[1]}.${match[2]}`;
		const expected = new TextEncoder().encode(signature(key, body));
		const given = new TextEncoder().encode(match[3]);
		if (expected.length !== given.length || !timingSafeEqual(expected, given)) continue;
		return { residentId: `resident:${match[1]}`, codeVersion: Number(match[2]) };
	}
	return null;
}

/** Whether the code the note names is no longer the resident's working code. */
export function isWithdrawn(
	marker: ResidentMarker,
	resident: { status: 'active' | 'revoked'; code_version: number } | null
): boolean {
	if (!resident) return true;
	return resident.status !== 'active' || resident.code_version !== marker.codeVersion;
}

/** Set-Cookie headers that make the device forget the note. */
export function clearMarkerCookie(): string {
	return `${MARKER_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`;
}

/** Makes the device drop a CouchDB session that no longer works. */
export function clearSessionCookie(): string {
	return 'AuthSession=; Path=/; Max-Age=0; HttpOnly';
}
