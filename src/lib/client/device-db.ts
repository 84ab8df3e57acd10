import Dexie, { type EntityTable } from 'dexie';
import type { OutboxItem } from '../domain/outbox.ts';
import { markDeviceDbUsed } from './device-hint.ts';

/** A setting kept on this device only (never replicated). */
export interface Setting {
	key: string;
	value: unknown;
}

/**
 * The one Dexie database of the device: settings and the outbox. Only this
 * module constructs it. Never replicated; the outbox is drained to the API.
 */
class DeviceDb extends Dexie {
	settings!: EntityTable<Setting, 'key'>;
	outbox!: EntityTable<OutboxItem, 'id'>;

	constructor() {
		super('crieur-device');
		this.version(1).stores({ settings: 'key' });
		this.version(2).stores({ settings: 'key', outbox: 'id, state, subject, created_at' });
	}
}

let db: DeviceDb | null = null;
export function deviceDb(): DeviceDb {
	db ??= new DeviceDb();
	markDeviceDbUsed();
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
