import Dexie, { type EntityTable } from 'dexie';

/** A setting kept on this device only (never replicated). */
export interface Setting {
	key: string;
	value: unknown;
}

/**
 * The one Dexie database of the device: settings now, the outbox with issue 3.
 * Only this module constructs it.
 */
class DeviceDb extends Dexie {
	settings!: EntityTable<Setting, 'key'>;

	constructor() {
		super('crieur-device');
		this.version(1).stores({ settings: 'key' });
	}
}

let db: DeviceDb | null = null;

export function deviceDb(): DeviceDb {
	db ??= new DeviceDb();
	return db;
}

export async function readSetting<T>(key: string): Promise<T | undefined> {
	return (await deviceDb().settings.get(key))?.value as T | undefined;
}

export async function writeSetting(key: string, value: unknown): Promise<void> {
	await deviceDb().settings.put({ key, value });
}

export async function deleteSetting(key: string): Promise<void> {
	await deviceDb().settings.delete(key);
}
