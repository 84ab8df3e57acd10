import nano from 'nano';
import {
	COMMUNES_DATABASE,
	databaseName,
	hostName,
	isCommuneSlug,
	roles,
	type CommuneDatabase,
	type CommuneEntry
} from '../src/lib/domain/commune.ts';
import { DEFAULT_TIME_ZONE } from '../src/lib/domain/limits.ts';
import { designDoc, designDocChanged, type DesignedDatabase } from './ddocs.ts';
import { sameSecurity, securityFor } from './security.ts';

export interface StaffAccount {
	name: string;
	password: string;
}

export interface ProvisionOptions {
	slug: string;
	name: string;
	timezone?: string;
	/** Centre of the commune, where the report map opens. */
	centre?: { lat: number; lng: number } | null;
	/** Host names that reach the commune (added to those it had; none taken from it). */
	hosts?: string[];
	/**
	 * false: made, but not listed in `crieur-communes`, so no running app
	 * serves it or runs its jobs yet (a commune being prepared; a test's own).
	 */
	listed?: boolean;
	staff?: StaffAccount;
}

export interface ProvisionReport {
	/** What this run changed, in French; empty when everything was already in place. */
	changes: string[];
	staffCreated: boolean;
}

const DATABASES: CommuneDatabase[] = ['public', 'mairie', 'ballots', 'reach'];
const DESIGNED: DesignedDatabase[] = ['public', 'mairie'];

function statusOf(error: unknown): number | undefined {
	return (error as { statusCode?: number }).statusCode;
}

async function getOrNull<T>(request: Promise<T>): Promise<T | null> {
	try {
		return await request;
	} catch (error) {
		if (statusOf(error) === 404) return null;
		throw error;
	}
}

/** The staff account name must be a plain CouchDB user name without a colon. */
export function isStaffName(name: string): boolean {
	return /^[a-z0-9][a-z0-9._-]{1,40}$/.test(name);
}

/**
 * Creates a commune — databases, _security, design documents, the commune
 * document and a first staff account — or completes what is missing.
 * Idempotent: a second run with the same options changes nothing and never
 * resets a password. `couchUrl` carries the server admin credentials.
 */
export async function provisionCommune(
	couchUrl: string,
	options: ProvisionOptions
): Promise<ProvisionReport> {
	const { slug } = options;
	if (!isCommuneSlug(slug)) {
		throw new Error(
			`Identifiant de commune invalide : « ${slug} » (minuscules, chiffres, tirets).`
		);
	}
	if (options.staff && !isStaffName(options.staff.name)) {
		throw new Error(`Nom de compte invalide : « ${options.staff.name} ».`);
	}
	const hosts = (options.hosts ?? []).map((host) => {
		const name = hostName(host);
		if (!name) throw new Error(`Nom d’hôte invalide : « ${host} » (sans port ni https://).`);
		return name;
	});
	const couch = nano({ url: couchUrl });
	const changes: string[] = [];

	// CouchDB 3 does not create _users by itself on a single node.
	if (!(await getOrNull(couch.db.get('_users')))) {
		await couch.db.create('_users');
		changes.push('base _users créée');
	}

	changes.push(...(await storeSettings(couch)));

	for (const which of DATABASES) {
		const db = databaseName(slug, which);
		if (!(await getOrNull(couch.db.get(db)))) {
			// One shard: a commune's databases are small, and a host runs hundreds
			// of them (CouchDB's advice for many small databases).
			await couch.db.create(db, { q: 1 });
			changes.push(`base ${db} créée`);
		}
		const wanted = securityFor(slug, which);
		const current = await couch.request({ db, path: '_security' });
		if (!sameSecurity(current, wanted)) {
			await couch.request({ db, path: '_security', method: 'PUT', body: wanted });
			changes.push(`droits de ${db} posés`);
		}
	}

	for (const which of DESIGNED) {
		const db = couch.use(databaseName(slug, which));
		const wanted = designDoc(which, slug);
		const current = await getOrNull(db.get(wanted._id));
		if (designDocChanged(current as never, wanted)) {
			await db.insert({ ...wanted, _rev: current?._rev } as never);
			changes.push(`règles de ${databaseName(slug, which)} mises à jour`);
		}
	}

	const publicDb = couch.use(databaseName(slug, 'public'));
	const communeDoc = (await getOrNull(publicDb.get('commune'))) as { centre?: unknown } | null;
	if (!communeDoc) {
		await publicDb.insert({
			_id: 'commune',
			type: 'commune',
			slug,
			name: options.name,
			timezone: options.timezone ?? DEFAULT_TIME_ZONE,
			...(options.centre ? { centre: options.centre } : {})
		} as never);
		changes.push(`commune « ${options.name} » enregistrée`);
	} else if (options.centre && !sameCentre(communeDoc.centre, options.centre)) {
		// The centre comes from the server's configuration (COMMUNE_CENTRE).
		await publicDb.insert({ ...communeDoc, centre: options.centre } as never);
		changes.push(`centre de la commune placé en ${options.centre.lat}, ${options.centre.lng}`);
	}

	// Last: the running app starts serving a commune once it is listed.
	if (options.listed !== false) changes.push(...(await listCommune(couch, slug, hosts)));

	let staffCreated = false;
	if (options.staff) {
		const users = couch.use<{ name: string; roles: string[]; type: string; password?: string }>(
			'_users'
		);
		const id = `org.couchdb.user:${options.staff.name}`;
		const role = roles.staff(slug);
		const existing = await getOrNull(users.get(id));
		if (!existing) {
			await users.insert({
				_id: id,
				name: options.staff.name,
				type: 'user',
				roles: [role],
				password: options.staff.password
			});
			changes.push(`compte ${options.staff.name} créé`);
			staffCreated = true;
		} else if (!existing.roles.includes(role)) {
			await users.insert({ ...existing, roles: [...existing.roles, role] });
			changes.push(`rôle ${role} ajouté à ${options.staff.name}`);
		}
	}

	return { changes, staffCreated };
}

/**
 * A deployment-wide database that only server admins read or write (one
 * shard on a cluster: it stays small). `revsLimit` keeps the history of
 * documents rewritten every second short.
 */
export async function ensureAdminOnlyDatabase(
	couch: nano.ServerScope,
	name: string,
	options: { revsLimit?: number } = {}
): Promise<string[]> {
	const changes: string[] = [];
	if (!(await getOrNull(couch.db.get(name)))) {
		await couch.db.create(name, { q: 1 }).catch((error: unknown) => {
			// Created meanwhile by another process.
			if (statusOf(error) !== 412) throw error;
		});
		changes.push(`base ${name} créée`);
		if (options.revsLimit) {
			// The embedded stand-in has no _revs_limit: its history just stays longer.
			await couch
				.request({ db: name, path: '_revs_limit', method: 'PUT', body: options.revsLimit })
				.catch(() => undefined);
		}
	}
	const security = { admins: { names: [], roles: [] }, members: { names: [], roles: ['_admin'] } };
	if (!sameSecurity(await couch.request({ db: name, path: '_security' }), security)) {
		await couch.request({ db: name, path: '_security', method: 'PUT', body: security });
	}
	return changes;
}

/**
 * Lists the commune in the deployment's directory with its host names. A host
 * name already given to another commune is refused: it would serve two.
 */
export async function listCommune(couch: nano.ServerScope, slug: string, hosts: string[]) {
	// Only server admins, as <commune>-ballots: host names are not secret, but nobody else needs them.
	const changes = await ensureAdminOnlyDatabase(couch, COMMUNES_DATABASE);
	const directory = couch.use<CommuneEntry>(COMMUNES_DATABASE);
	const listed = await directory.list({ include_docs: true });
	for (const row of listed.rows) {
		const taken = row.doc?.hosts.filter((host) => hosts.includes(host)) ?? [];
		if (row.id !== slug && taken.length > 0) {
			throw new Error(`L’adresse ${taken[0]} sert déjà la commune « ${row.id} ».`);
		}
	}
	const entry = listed.rows.find((row) => row.id === slug)?.doc;
	const wanted = [...new Set([...(entry?.hosts ?? []), ...hosts])];
	if (!entry || wanted.length !== entry.hosts.length) {
		await directory.insert({ ...entry, _id: slug, type: 'commune-entry', hosts: wanted });
		const added = wanted.filter((host) => !entry?.hosts.includes(host));
		changes.push(
			added.length > 0
				? `commune ${slug} servie à ${added.join(', ')}`
				: `commune ${slug} inscrite dans ${COMMUNES_DATABASE}`
		);
	}
	return changes;
}

/**
 * Apache CouchDB's own login lockout (5 failures per name and address) sees
 * only the app server's address, so five wrong tries from anyone would lock
 * the mairie out for everyone: the app's limit, per device and name, is the
 * one that holds (docs/architecture.md); CouchDB only logs. Set on every node
 * of a cluster; the stand-in has no such setting and no _membership.
 */
async function storeSettings(couch: nano.ServerScope): Promise<string[]> {
	const welcome = (await couch.request({ path: '' })) as { couchdb?: string };
	// The stand-in greets as "express-pouchdb"; only Apache CouchDB has nodes.
	if (welcome.couchdb !== 'Welcome') return [];
	const membership = (await couch.request({ path: '_membership' })) as { all_nodes?: string[] };
	const changes: string[] = [];
	for (const node of membership.all_nodes ?? []) {
		const path = `_node/${encodeURIComponent(node)}/_config/chttpd_auth_lockout/mode`;
		const mode = await getOrNull(couch.request({ path }));
		if (mode === 'warn' || mode === 'off') continue;
		await couch.request({ path, method: 'PUT', body: 'warn' });
		changes.push(`verrouillage des connexions de CouchDB en simple avertissement sur ${node}`);
	}
	return changes;
}

function sameCentre(current: unknown, wanted: { lat: number; lng: number }): boolean {
	const centre = current as { lat?: unknown; lng?: unknown } | undefined;
	return centre?.lat === wanted.lat && centre?.lng === wanted.lng;
}
