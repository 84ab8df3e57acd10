import Dexie, { type EntityTable } from 'dexie';
import type { OutboxItem } from '../domain/outbox.ts';
import { markDeviceDbUsed } from './device-hint.ts';

/** A setting kept on this device only (never replicated). */
export interface Setting {
	key: string;
	value: unknown;
}

/**
 * What a staff editor held when last typed in, kept on this laptop only until
 * it is saved: leaving the page (or losing the tab) loses nothing.
 */
export interface EditorDraft {
	/** `<kind>:<slug>`, or `<kind>:new` for a document not saved yet. */
	key: string;
	/** The revision the form was filled from: a save from the draft branches from it. */
	base_rev: string | null;
	/** The database that revision is in. */
	base_location: 'public' | 'mairie' | null;
	/** The form's fields, as its editor reads them back (files as Blobs). */
	values: unknown;
	saved_at: string;
}

/**
 * The one Dexie database of the device: settings, the outbox and the staff
 * editors' drafts. Only this module constructs it. Never replicated; the
 * outbox is drained to the API.
 */
class DeviceDb extends Dexie {
	settings!: EntityTable<Setting, 'key'>;
	outbox!: EntityTable<OutboxItem, 'id'>;
	drafts!: EntityTable<EditorDraft, 'key'>;

	constructor() {
		super('crieur-device');
		this.version(1).stores({ settings: 'key' });
		this.version(2).stores({ settings: 'key', outbox: 'id, state, subject, created_at' });
		this.version(3).stores({
			settings: 'key',
			outbox: 'id, state, subject, created_at',
			drafts: 'key'
		});
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

export async function readEditorDraft(key: string): Promise<EditorDraft | undefined> {
	return deviceDb().drafts.get(key);
}

export async function writeEditorDraft(draft: Omit<EditorDraft, 'saved_at'>): Promise<void> {
	await deviceDb().drafts.put({ ...draft, saved_at: new Date().toISOString() });
}

export async function deleteEditorDraft(key: string): Promise<void> {
	await deviceDb().drafts.delete(key);
}

/** Signing out forgets the laptop's staff data, drafts included. */
export async function clearEditorDrafts(): Promise<void> {
	await deviceDb().drafts.clear();
}
