import { describe, expect, it } from 'vitest';
import { sameSecurity, securityFor } from './security.ts';

describe('sameSecurity', () => {
	const mairie = securityFor('demo', 'mairie');

	it('reads a list CouchDB 3 leaves out as empty', () => {
		// What CouchDB 3.5 gives a database just created (issue 15).
		const fresh = { members: { roles: ['_admin'] }, admins: { roles: ['_admin'] } };
		expect(sameSecurity(fresh, mairie)).toBe(false);
		expect(sameSecurity(fresh, securityFor('demo', 'ballots'))).toBe(false);
		expect(
			sameSecurity({ admins: {}, members: { roles: ['_admin'] } }, securityFor('demo', 'ballots'))
		).toBe(true);
	});

	it('ignores order and tells every other difference', () => {
		expect(sameSecurity(JSON.parse(JSON.stringify(mairie)), mairie)).toBe(true);
		expect(
			sameSecurity({ ...mairie, members: { names: ['x'], roles: mairie.members.roles } }, mairie)
		).toBe(false);
		expect(sameSecurity({}, securityFor('demo', 'public'))).toBe(false);
		expect(sameSecurity(null, mairie)).toBe(false);
		expect(sameSecurity({ admins: { names: 'x' }, members: {} }, mairie)).toBe(false);
	});
});
