/**
 * Whether this device ever stored something in its Dexie database. Kept in
 * localStorage and read without loading Dexie, so that a villager who only
 * reads notices never downloads it.
 */
const USED_HINT = 'crieur.device-db';

export function markDeviceDbUsed(): void {
	try {
		localStorage.setItem(USED_HINT, '1');
	} catch {
		// Private mode: the hint only saves a download.
	}
}

export function deviceDbUsed(): boolean {
	try {
		return localStorage.getItem(USED_HINT) === '1';
	} catch {
		return true;
	}
}
