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
		// Only server admins: the app server reads and writes ballots, no client does.
		case 'ballots':
			return { admins: none, members: { names: [], roles: ['_admin'] } };
	}
}

export function sameSecurity(a: unknown, b: SecurityObject): boolean {
	const normal = (s: SecurityObject) =>
		JSON.stringify({
			admins: { names: [...s.admins.names].sort(), roles: [...s.admins.roles].sort() },
			members: { names: [...s.members.names].sort(), roles: [...s.members.roles].sort() }
		});
	const current = a as Partial<SecurityObject> | null;
	if (!current?.admins || !current?.members) return false;
	return normal(current as SecurityObject) === normal(b);
}
