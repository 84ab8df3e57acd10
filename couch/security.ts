import { roles, type CommuneDatabase } from '../src/lib/domain/commune.ts';

export interface SecurityObject {
	admins: { names: string[]; roles: string[] };
	members: { names: string[]; roles: string[] };
}

/**
 * _security per database (ARCHITECTURE §2). Set explicitly everywhere: CouchDB 3
 * makes new databases admin-only, while the stand-in lets any logged-in user read
 * a database whose _security is empty.
 */
export function securityFor(commune: string, which: CommuneDatabase): SecurityObject {
	const none = { names: [], roles: [] };
	switch (which) {
		// Empty members: anyone reads; validate_doc_update restricts writes to staff.
		case 'public':
			return { admins: none, members: none };
		case 'mairie':
			return { admins: none, members: { names: [], roles: [roles.staff(commune)] } };
		// Only server admins: the app server reads and writes ballots, no client does;
		// nor does any client read who subscribed to alerts (push endpoints).
		case 'ballots':
		case 'reach':
			return { admins: none, members: { names: [], roles: ['_admin'] } };
	}
}

/** One side of a _security object as CouchDB may give it: either list may be missing. */
interface SecurityGroup {
	names?: unknown;
	roles?: unknown;
}

/**
 * Whether a database's _security already says what `wanted` does. CouchDB 3
 * gives a new database `{"members":{"roles":["_admin"]},"admins":{"roles":["_admin"]}}`,
 * without `names`: a missing list reads as empty, and anything not a list differs.
 */
export function sameSecurity(current: unknown, wanted: SecurityObject): boolean {
	const list = (value: unknown) =>
		value === undefined ? [] : Array.isArray(value) ? [...value].map(String).sort() : null;
	const normal = (group: SecurityGroup | undefined) => {
		const names = list(group?.names);
		const groupRoles = list(group?.roles);
		return names && groupRoles ? JSON.stringify({ names, roles: groupRoles }) : null;
	};
	const found = current as { admins?: SecurityGroup; members?: SecurityGroup } | null;
	// Missing altogether is never the same: it is written out, explicitly.
	if (!found?.admins || !found.members) return false;
	const [admins, members] = [normal(found.admins), normal(found.members)];
	return (
		admins !== null &&
		members !== null &&
		admins === normal(wanted.admins) &&
		members === normal(wanted.members)
	);
}
