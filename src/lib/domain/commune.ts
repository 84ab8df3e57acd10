/** A commune's slug names its databases; it is also the CouchDB role scope. */
export const COMMUNE_SLUG_PATTERN = /^[a-z][a-z0-9-]{1,40}$/;

export function isCommuneSlug(value: string): boolean {
	return COMMUNE_SLUG_PATTERN.test(value) && !value.endsWith('-');
}

export type CommuneDatabase = 'public' | 'mairie' | 'ballots';

export function databaseName(commune: string, which: CommuneDatabase): string {
	return `${commune}-${which}`;
}

export const roles = {
	staff: (commune: string) => `mairie:${commune}`,
	kiosk: (commune: string) => `borne:${commune}`,
	resident: (commune: string) => `habitant:${commune}`
};

export function isStaff(userRoles: readonly string[], commune: string): boolean {
	return userRoles.includes('_admin') || userRoles.includes(roles.staff(commune));
}

/** The `commune` document of <commune>-public: its name, time zone and map centre. */
export interface Commune {
	_id: 'commune';
	_rev?: string;
	type: 'commune';
	slug: string;
	name: string;
	timezone: string;
	/** Where the report map opens; absent, reports have no map. */
	centre?: { lat: number; lng: number };
}
