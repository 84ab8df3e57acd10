import type { Zone } from './zones.ts';

/** A commune's slug names its databases; it is also the CouchDB role scope. */
export const COMMUNE_SLUG_PATTERN = /^[a-z][a-z0-9-]{1,40}$/;

export function isCommuneSlug(value: string): boolean {
	return COMMUNE_SLUG_PATTERN.test(value) && !value.endsWith('-');
}

export type CommuneDatabase = 'public' | 'mairie' | 'ballots' | 'reach';

export function databaseName(commune: string, which: CommuneDatabase): string {
	return `${commune}-${which}`;
}

/**
 * A host name as a commune is reached by (`saint-crieur.example.fr`): lower
 * case, no port, no scheme; null when it is not one. Internationalised names
 * are given in their ASCII (punycode) form, as the Host header carries them.
 */
export function hostName(value: string): string | null {
	const host = value.trim().toLowerCase().replace(/\.$/, '');
	const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
	return host.length <= 253 && new RegExp(`^${label}(?:\\.${label})*$`).test(host) ? host : null;
}

/** The host name of a Host header (`exemple.fr:8443`, `[::1]:80`), without its port. */
export function hostOfHeader(header: string | null): string {
	const value = (header ?? '').trim().toLowerCase();
	if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
	return value.replace(/:\d*$/, '').replace(/\.$/, '');
}

/**
 * The deployment's list of communes, readable by server admins only: which
 * host names reach which commune. Provisioning writes it; the app follows it.
 */
export const COMMUNES_DATABASE = 'crieur-communes';

/** Each app process's rate-limit counts, for the others (server admins only). */
export const LIMITS_DATABASE = 'crieur-limits';

export interface CommuneEntry {
	/** The commune's slug. */
	_id: string;
	_rev?: string;
	type: 'commune-entry';
	hosts: string[];
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
	/** The parts of the commune alerts can be aimed at; villagers choose theirs. */
	zones?: Zone[];
}
