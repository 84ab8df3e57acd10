/** The kiosk's device account: kept on the tablet, which is the mairie's device, not a person's. */
export interface KioskAccount {
	name: string;
	password: string;
}

/** What a pairing link carries in its fragment: the device account, and the kiosk's name. */
export interface Pairing {
	account: KioskAccount;
	label: string;
}

/**
 * Reads a pairing link's fragment: `#compte=<name>:<password>&nom=<label>`, or
 * the bare `<name>:<password>` of links made before the name was added.
 */
export function parsePairing(fragment: string): Pairing | null {
	const raw = fragment.replace(/^#/, '');
	const params = new URLSearchParams(raw);
	const token = params.get('compte') ?? decodeURIComponent(raw);
	const separator = token.indexOf(':');
	if (separator < 1 || separator === token.length - 1) return null;
	return {
		account: { name: token.slice(0, separator), password: token.slice(separator + 1) },
		label: params.get('nom') ?? ''
	};
}

/** The pairing link the staff page shows, for the tablet to open. */
export function pairingUrl(origin: string, pairing: string, label: string): string {
	return `${origin}/borne/appairage#${new URLSearchParams({ compte: pairing, nom: label })}`;
}
