import { createHmac, randomBytes } from 'node:crypto';
import { roles } from '../domain/commune.ts';
import { dayOf } from '../domain/event.ts';
import { CODES_PER_REQUEST, DEFAULT_TIME_ZONE, LIMITS } from '../domain/limits.ts';
import { newId } from '../domain/slug.ts';
import { type Commune } from '../domain/commune.ts';
import { generateCode, normalizeCode } from '../domain/resident-code.ts';
import { isResidentUser, sessionOf, type SessionUser } from './auth.ts';
import { isWithdrawn, markerKey, markerOf } from './resident-marker.ts';
import type { Backend } from './backend.ts';
import type { ResidentErrorCode } from '../i18n/error-labels.ts';
import { getOrNull, statusOf } from './couch-errors.ts';
import {
	lastIdOnly,
	planVersion,
	readLeaves,
	winnerOf,
	writeSoleVersion,
	type PlannedVersion
} from './history-free.ts';
import { slugOf } from '../domain/slug.ts';

/**
 * The resident register: who may vote, without the server ever storing a code.
 * A resident is a document in <commune>-mairie (label, keyed hash of the code)
 * and a CouchDB user `habitant-<id>` with the role habitant:<commune>; entering
 * the code on any device opens a session as that same user, so a resident
 * votes once whatever devices they use.
 */
export interface Resident {
	_id: string;
	_rev?: string;
	type: 'resident';
	label: string;
	/** HMAC of the code under the server secret: useless without the secret. */
	code_hash: string;
	/** Bumped when a new code replaces the old one; part of the account password. */
	code_version: number;
	status: 'active' | 'revoked';
	issued_at: string;
	updated_at: string;
	/**
	 * The commune's calendar day ("2026-11-26") the code first opened a session
	 * or cast a kiosk ballot; absent until then. Never finer than the day: a
	 * time would let staff match a resident to a ballot.
	 */
	first_used_at?: string;
}

export interface IssuedCode {
	id: string;
	label: string;
	/** Shown once, to print the letter; never stored. */
	code: string;
}

export class ResidentError extends Error {
	readonly code: ResidentErrorCode;
	constructor(code: ResidentError['code']) {
		super(code);
		this.code = code;
	}
}

function hmac(secret: string, input: string): string {
	return createHmac('sha256', secret).update(input).digest('base64url');
}

export function codeHash(secret: string, code: string): string {
	return hmac(secret, `code:${code}`);
}

export function residentUserName(residentId: string): string {
	return `habitant-${slugOf(residentId)}`;
}

export function residentIdOfUser(name: string): string | null {
	return name.startsWith('habitant-') ? `resident:${name.slice('habitant-'.length)}` : null;
}

/** The resident behind a request's session in this commune, or null. */
export async function residentOfRequest(
	backend: Backend,
	request: Request
): Promise<string | null> {
	return residentOfUser(await sessionOf(backend, request), backend.commune);
}

export function residentOfUser(user: SessionUser, commune: string): string | null {
	const residentId = user.name ? residentIdOfUser(user.name) : null;
	return residentId && isResidentUser(user, commune) ? residentId : null;
}

function accountPassword(secret: string, resident: Pick<Resident, '_id' | 'code_version'>): string {
	return hmac(secret, `password:${resident._id}:${resident.code_version}`);
}

/**
 * Replaces the resident's CouchDB account. Deleting and recreating gives the
 * account a new salt, so sessions opened with an old code stop at once.
 */
async function resetAccount(backend: Backend, resident: Resident, active: boolean): Promise<void> {
	const users = backend.couch.use<{
		name: string;
		roles: string[];
		type: string;
		password: string;
	}>('_users');
	const id = `org.couchdb.user:${residentUserName(resident._id)}`;
	try {
		const existing = await users.get(id);
		await users.destroy(id, existing._rev);
	} catch (error) {
		if (statusOf(error) !== 404) throw error;
	}
	if (!active) return;
	await users.insert({
		_id: id,
		name: residentUserName(resident._id),
		type: 'user',
		roles: [
			roles.resident(backend.commune),
			codeVersionRole(backend.commune, resident.code_version)
		],
		password: accountPassword(backend.secrets.ballotSecret, resident)
	} as never);
}

async function freshCode(backend: Backend): Promise<{ code: string; hash: string }> {
	const mairie = backend.couch.use(backend.databases.mairie);
	for (;;) {
		const code = generateCode((n) => new Uint8Array(randomBytes(n)));
		const hash = codeHash(backend.secrets.ballotSecret, code);
		const taken = await mairie.view('crieur', 'resident_by_code', { key: hash });
		if (taken.rows.length === 0) return { code, hash };
	}
}

/** Accounts created side by side: CouchDB hashes their passwords on its own cores. */
const ISSUED_TOGETHER = 4;

/**
 * Issues one code per label (a person or a household; the label may be empty),
 * at most CODES_PER_REQUEST at a time: the staff page sends larger issues in
 * requests of that size.
 */
export async function issueCodes(
	backend: Backend,
	labels: string[],
	now = new Date()
): Promise<IssuedCode[]> {
	if (labels.length === 0 || labels.length > CODES_PER_REQUEST) {
		throw new ResidentError('too_many');
	}
	if (labels.some((label) => typeof label !== 'string' || label.length > LIMITS.residentLabelMax)) {
		throw new ResidentError('invalid_label');
	}
	const mairie = backend.couch.use<Resident>(backend.databases.mairie);
	const issueOne = async (raw: string): Promise<IssuedCode> => {
		const label = raw.trim();
		const { code, hash } = await freshCode(backend);
		const resident: Resident = {
			_id: newId('resident', now, (n) => new Uint8Array(randomBytes(n))),
			type: 'resident',
			label,
			code_hash: hash,
			code_version: 1,
			status: 'active',
			issued_at: now.toISOString(),
			updated_at: now.toISOString()
		};
		await mairie.insert(resident);
		await resetAccount(backend, resident, true);
		return { id: resident._id, label, code };
	};
	const issued: IssuedCode[] = [];
	for (let start = 0; start < labels.length; start += ISSUED_TOGETHER) {
		issued.push(...(await Promise.all(labels.slice(start, start + ISSUED_TOGETHER).map(issueOne))));
	}
	return issued;
}

async function getResident(backend: Backend, id: string): Promise<Resident> {
	if (!id.startsWith('resident:')) throw new ResidentError('not_found');
	try {
		return await backend.couch.use<Resident>(backend.databases.mairie).get(id);
	} catch (error) {
		if (statusOf(error) === 404) throw new ResidentError('not_found');
		throw error;
	}
}

/** The old code stops working at once; the resident keeps their identity (and their ballots). */
export async function reissueCode(
	backend: Backend,
	id: string,
	now = new Date()
): Promise<IssuedCode> {
	const resident = await getResident(backend, id);
	const { code, hash } = await freshCode(backend);
	const updated: Resident = {
		...resident,
		code_hash: hash,
		code_version: resident.code_version + 1,
		status: 'active',
		updated_at: now.toISOString()
	};
	await backend.couch.use<Resident>(backend.databases.mairie).insert(updated);
	await resetAccount(backend, updated, true);
	return { id, label: resident.label, code };
}

export async function revokeCode(backend: Backend, id: string, now = new Date()): Promise<void> {
	const resident = await getResident(backend, id);
	const updated: Resident = { ...resident, status: 'revoked', updated_at: now.toISOString() };
	await backend.couch.use<Resident>(backend.databases.mairie).insert(updated);
	await resetAccount(backend, updated, false);
}

/** The active resident behind a typed code, or a named error. */
export async function residentByCode(backend: Backend, typed: string): Promise<Resident> {
	const code = normalizeCode(typed);
	if (!code) throw new ResidentError('invalid_format');
	const mairie = backend.couch.use<Resident>(backend.databases.mairie);
	const found = await mairie.view('crieur', 'resident_by_code', {
		key: codeHash(backend.secrets.ballotSecret, code),
		include_docs: true
	});
	const resident = found.rows[0]?.doc as Resident | undefined;
	if (!resident || resident.status !== 'active') throw new ResidentError('unknown_code');
	if (!resident.first_used_at) await markFirstUse(backend, resident);
	return resident;
}

/** The commune's calendar day at `now`. */
async function communeDay(backend: Backend, now: Date): Promise<string> {
	const commune = (await getOrNull(
		backend.couch.use(backend.databases.public),
		'commune'
	)) as unknown as Commune | null;
	return dayOf(now.toISOString(), commune?.timezone ?? DEFAULT_TIME_ZONE);
}

/**
 * The day a code was first used, on a phone or at the kiosk: the participation
 * report counts residents who took part, never what they did.
 */
async function markFirstUse(backend: Backend, resident: Resident, now = new Date()): Promise<void> {
	try {
		await backend.couch
			.use<Resident>(backend.databases.mairie)
			.insert({ ...resident, first_used_at: await communeDay(backend, now) });
	} catch (error) {
		// Two devices at once: the other one marked it. Using the code must not fail on this.
		if (statusOf(error) !== 409) throw error;
	}
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** The rewrite under way, in the admin-only ballots database: a restart finishes it. */
const PENDING_ID = '_local/first-use-rewrite';

interface PendingRewrite {
	_id: string;
	_rev?: string;
	planned: PlannedVersion;
	over: string;
}

/**
 * Registers written before first uses were kept to the day held the
 * millisecond: each is rewritten once with its day, and without its earlier
 * versions (history-free.ts), which held the same time. Idempotent: a day is
 * left alone. Run at start, before requests are served; a record changed
 * meanwhile by another app server is left for the next start.
 */
export async function coarsenFirstUses(backend: Backend): Promise<number> {
	const ballots = backend.couch.use<PendingRewrite>(backend.databases.ballots);
	const mairie = backend.databases.mairie;
	const finish = async (pending: PendingRewrite) => {
		const done = await writeSoleVersion(backend.couch, mairie, pending.planned, {
			onlyOver: pending.over
		});
		const saved = await ballots.get(PENDING_ID);
		await ballots.destroy(PENDING_ID, saved._rev!);
		return done;
	};
	const left = await getOrNull(ballots, PENDING_ID);
	if (left) await finish(left);

	const commune = (await getOrNull(
		backend.couch.use(backend.databases.public),
		'commune'
	)) as unknown as Commune | null;
	const timeZone = commune?.timezone ?? DEFAULT_TIME_ZONE;
	const rows = await backend.couch
		.use<Resident>(mairie)
		.list({ startkey: 'resident:', endkey: 'resident:\ufff0', include_docs: true });
	let rewritten = 0;
	for (const row of rows.rows) {
		const doc = row.doc;
		if (!doc?.first_used_at || DAY.test(doc.first_used_at)) continue;
		const current = winnerOf(await readLeaves(backend.couch, mairie, doc._id));
		if (!current || current.rev !== doc._rev) continue;
		const { _id, _rev, ...body } = doc;
		void _rev;
		const pending: PendingRewrite = {
			_id: PENDING_ID,
			planned: planVersion(
				_id,
				{ ...body, first_used_at: dayOf(doc.first_used_at, timeZone) },
				lastIdOnly(current)
			),
			over: current.rev
		};
		await ballots.insert(pending, PENDING_ID);
		if (await finish(pending)) rewritten++;
	}
	return rewritten;
}

/**
 * Opens a CouchDB session for the resident behind a code, and returns the
 * session cookie CouchDB set, for the app to hand to the device.
 */
export async function openResidentSession(
	backend: Backend,
	typed: string
): Promise<{ residentId: string; codeVersion: number; setCookie: string[] }> {
	const resident = await residentByCode(backend, typed);
	for (let attempt = 0; ; attempt++) {
		const response = await fetch(`${backend.url}/_session`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', accept: 'application/json' },
			body: JSON.stringify({
				name: residentUserName(resident._id),
				password: accountPassword(backend.secrets.ballotSecret, resident)
			})
		});
		if (response.ok) {
			return {
				residentId: resident._id,
				codeVersion: resident.code_version,
				setCookie: response.headers.getSetCookie().map((cookie) => persistentCookie(cookie))
			};
		}
		await response.body?.cancel();
		if (response.status !== 401) throw new Error(`CouchDB _session answered ${response.status}`);
		if (attempt >= LOGIN_RETRY_MS.length) throw new ResidentError('session_unavailable');
		// Missing (a restored database) or not this version's: made again. Right but
		// refused: CouchDB's login cache still holds the account it replaced.
		if (attempt === 0 && !(await accountIsCurrent(backend, resident))) {
			await resetAccount(backend, resident, true);
		}
		await new Promise((resolve) => setTimeout(resolve, LOGIN_RETRY_MS[attempt]));
	}
}

/** Waits after a refused right code, while CouchDB's login cache catches up (ms, or ~5 s on a new node). */
const LOGIN_RETRY_MS = [50, 150, 400, 1000, 2000, 3000];

async function accountIsCurrent(backend: Backend, resident: Resident): Promise<boolean> {
	const account = await getOrNull(
		backend.couch.use<{ roles?: string[] }>('_users'),
		`org.couchdb.user:${residentUserName(resident._id)}`
	);
	return account?.roles?.includes(codeVersionRole(backend.commune, resident.code_version)) ?? false;
}

/** How long a device stays recognised after a code is entered (the embedded store's session timeout). */
export const RESIDENT_SESSION_SECONDS = 7 * 24 * 3600;

/**
 * A session cookie without Max-Age or Expires dies with the browser session:
 * a phone that closes the app would forget the resident, and an outbox item
 * written offline would wait for the code again. The device keeps it instead,
 * for as long as CouchDB accepts it.
 */
export function persistentCookie(cookie: string, maxAgeSeconds = RESIDENT_SESSION_SECONDS): string {
	if (/;\s*(max-age|expires)=/i.test(cookie)) return cookie;
	return `${cookie}; Max-Age=${maxAgeSeconds}`;
}

/**
 * Whether a request without a working resident session comes from a device
 * whose code the mairie revoked or replaced since (resident-marker.ts), as
 * opposed to one that never entered a code or whose session merely expired.
 */
export async function hasWithdrawnCode(backend: Backend, request: Request): Promise<boolean> {
	const marker = markerOf(
		markerKey(backend.secrets.ballotSecret, backend.commune),
		request.headers.get('cookie')
	);
	if (!marker) return false;
	const resident = await getOrNull(
		backend.couch.use<Resident>(backend.databases.mairie),
		marker.residentId
	);
	return isWithdrawn(marker, resident);
}

/**
 * The code version an account was made for, as one of its roles: CouchDB
 * hands a session's roles from its login cache, which after a reissue may
 * still hold the old account for seconds, so a session of the replaced code
 * shows its old version and is refused at once, whatever the cache does.
 */
export function codeVersionRole(commune: string, version: number): string {
	return `${roles.resident(commune)}:code:${version}`;
}

function sessionCodeVersion(user: SessionUser, commune: string): number | null {
	const prefix = `${roles.resident(commune)}:code:`;
	const role = user.roles.find((r) => r.startsWith(prefix));
	return role ? Number(role.slice(prefix.length)) : null;
}

/**
 * Whether the session is one of the resident's working code: still on the
 * register, and opened with the code's current version (accounts made before
 * versions were roles carry none, and are taken as they are).
 */
export async function isCurrentResidentSession(
	backend: Backend,
	residentId: string,
	user: SessionUser
): Promise<boolean> {
	try {
		const resident = await getResident(backend, residentId);
		const version = sessionCodeVersion(user, backend.commune);
		return resident.status === 'active' && (version === null || version === resident.code_version);
	} catch (error) {
		if (error instanceof ResidentError) return false;
		throw error;
	}
}
