import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import nano from 'nano';
import {
	COMMUNES_DATABASE,
	databaseName,
	roles,
	type CommuneDatabase,
	type CommuneEntry
} from '../src/lib/domain/commune.ts';
import { listCommune } from './provision.ts';

/**
 * A commune's backup: each of its databases as gzipped JSON lines, every leaf
 * revision of every document (conflicts two laptops left, and deletions, so
 * that a laptop syncing after a restore cannot bring a deleted draft back),
 * attachments inline; its `_security`; and its accounts from `_users` (staff,
 * kiosks, residents' codes, as CouchDB's password hashes). `couchbackup` skips
 * attachments, and a commune's photos and PDFs are what cannot be made again.
 *
 * Never in a backup: the ballot key (DATA_DIR/secrets.json, or
 * CRIEUR_BALLOT_SECRET). With it and the register, ballots could be tied to
 * residents; the host keeps it apart, and the restored app needs the same one.
 */
export const BACKUP_FORMAT = 'crieur-sauvegarde';
const FORMAT_VERSION = 1;
// -reach too: without it every villager's alerts stop after a restore, and its
// devices could not be told; it holds addresses, so backups are kept as the data is.
const DATABASES: CommuneDatabase[] = ['public', 'mairie', 'ballots', 'reach'];
/** The deployment's push key pair and e-mail link key, without which no subscription works. */
const KEYS_DOC = '_local/vapid';
/** Leaves read per _bulk_get: attachments come inline, so pages stay small. */
const READ_PAGE = 50;
/** Bytes of JSON per _bulk_docs when restoring, well under CouchDB's request limit. */
const WRITE_BATCH_BYTES = 8 * 1024 * 1024;

export interface BackupManifest {
	format: typeof BACKUP_FORMAT;
	version: number;
	commune: string;
	created_at: string;
	databases: Record<
		string,
		{ file: string; documents: number; attachments: number; security: unknown }
	>;
	users: { file: string; documents: number };
	/** The host names that reached the commune (absent from backups made before issue 15 §2). */
	hosts?: string[];
	/** The deployment's sending keys (absent from backups made before issue 16). */
	keys?: { file: string };
	/** After a restore: the keys written, kept (the same), or different ones already there. */
	keysRestored?: 'written' | 'same' | 'different' | 'none';
}

/** CouchDB's address split for fetch, which refuses credentials in a URL. */
export function couchClient(adminUrl: string) {
	const parsed = new URL(adminUrl);
	const authorization =
		parsed.username || parsed.password
			? `Basic ${Buffer.from(
					`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`
				).toString('base64')}`
			: null;
	parsed.username = '';
	parsed.password = '';
	const base = parsed.toString().replace(/\/$/, '');
	return async function couch<T>(
		pathAndQuery: string,
		init: { method?: string; body?: unknown; okStatuses?: number[] } = {}
	): Promise<{ status: number; body: T }> {
		const response = await fetch(`${base}/${pathAndQuery}`, {
			method: init.method ?? 'GET',
			headers: {
				accept: 'application/json',
				...(authorization ? { authorization } : {}),
				...(init.body === undefined ? {} : { 'content-type': 'application/json' })
			},
			body: init.body === undefined ? undefined : JSON.stringify(init.body)
		});
		const body = (await response.json().catch(() => null)) as T;
		if (!response.ok && !(init.okStatuses ?? []).includes(response.status)) {
			const reason = (body as { reason?: string } | null)?.reason ?? response.statusText;
			throw new Error(`CouchDB ${response.status} sur ${pathAndQuery.split('?')[0]} : ${reason}`);
		}
		return { status: response.status, body };
	};
}

type Couch = ReturnType<typeof couchClient>;

interface ChangeRow {
	id: string;
	changes: { rev: string }[];
}

/** Every leaf revision of a database, deleted ones included, in pages. */
async function* leaves(couch: Couch, db: string): AsyncGenerator<{ id: string; rev: string }[]> {
	let since = '0';
	for (;;) {
		const { body } = await couch<{ results: ChangeRow[]; last_seq: string }>(
			`${encodeURIComponent(db)}/_changes?style=all_docs&limit=${READ_PAGE}&since=${encodeURIComponent(since)}`
		);
		const page = body.results
			.filter((row) => !row.id.startsWith('_local/'))
			.flatMap((row) => row.changes.map(({ rev }) => ({ id: row.id, rev })));
		if (page.length > 0) yield page;
		if (body.results.length < READ_PAGE) return;
		since = String(body.last_seq);
	}
}

interface BulkGetResult {
	results: { id: string; docs: ({ ok: Record<string, unknown> } | { error: unknown })[] }[];
}

async function currentLeaves(couch: Couch, db: string, id: string) {
	const { status, body } = await couch<({ ok: Record<string, unknown> } | { missing: string })[]>(
		`${db}/${encodeURIComponent(id)}?open_revs=all&revs=true&attachments=true`,
		{ okStatuses: [404] }
	);
	if (status === 404) return [];
	return body.flatMap((row) => ('ok' in row ? [row.ok] : []));
}

async function writeLines(file: string, lines: AsyncIterable<string>): Promise<void> {
	await pipeline(
		Readable.from(lines),
		zlib.createGzip(),
		fs.createWriteStream(file, { mode: 0o600 })
	);
}

async function* readLines(file: string): AsyncGenerator<Record<string, unknown>> {
	const input = fs.createReadStream(file).pipe(zlib.createGunzip());
	for await (const line of readline.createInterface({ input, crlfDelay: Infinity })) {
		if (line.trim()) yield JSON.parse(line) as Record<string, unknown>;
	}
}

/** Backs up one commune into `dir/<commune>/`; returns what it wrote. */
export async function backupCommune(
	adminUrl: string,
	commune: string,
	dir: string
): Promise<BackupManifest> {
	const couch = couchClient(adminUrl);
	const target = path.join(dir, commune);
	fs.mkdirSync(target, { recursive: true, mode: 0o700 });
	const manifest: BackupManifest = {
		format: BACKUP_FORMAT,
		version: FORMAT_VERSION,
		commune,
		created_at: new Date().toISOString(),
		databases: {},
		users: { file: 'users.jsonl.gz', documents: 0 },
		hosts: []
	};
	const listed = await couch<CommuneEntry>(`${COMMUNES_DATABASE}/${commune}`, {
		okStatuses: [404]
	});
	if (listed.status === 200) manifest.hosts = listed.body.hosts;
	for (const kind of DATABASES) {
		const db = databaseName(commune, kind);
		const security = (await couch(`${db}/_security`)).body;
		const entry = { file: `${kind}.jsonl.gz`, documents: 0, attachments: 0, security };
		manifest.databases[kind] = entry;
		const line = (doc: Record<string, unknown>) => {
			entry.documents++;
			entry.attachments += Object.keys(doc._attachments ?? {}).length;
			return `${JSON.stringify(doc)}\n`;
		};
		await writeLines(
			path.join(target, entry.file),
			(async function* () {
				for await (const page of leaves(couch, db)) {
					const { body } = await couch<BulkGetResult>(
						`${db}/_bulk_get?revs=true&attachments=true`,
						{ method: 'POST', body: { docs: page } }
					);
					const rewritten = new Set<string>();
					const written = new Set<string>();
					for (const result of body.results) {
						for (const found of result.docs) {
							if ('ok' in found) {
								written.add(`${result.id} ${String(found.ok._rev)}`);
								yield line(found.ok);
							} else {
								// A tally rewritten since _changes named its leaf: read what it is now.
								rewritten.add(result.id);
							}
						}
					}
					for (const id of rewritten) {
						for (const doc of await currentLeaves(couch, db, id)) {
							if (!written.has(`${id} ${String(doc._rev)}`)) yield line(doc);
						}
					}
				}
			})()
		);
	}
	const keys = await couch<Record<string, unknown>>(`${COMMUNES_DATABASE}/${KEYS_DOC}`, {
		okStatuses: [404]
	});
	if (keys.status === 200) {
		const { _rev, ...kept } = keys.body;
		void _rev;
		manifest.keys = { file: 'keys.json' };
		fs.writeFileSync(path.join(target, manifest.keys.file), JSON.stringify(kept), { mode: 0o600 });
	}
	const accounts = await communeAccounts(couch, commune);
	manifest.users.documents = accounts.length;
	await writeLines(
		path.join(target, manifest.users.file),
		(async function* () {
			for (const account of accounts) yield `${JSON.stringify(account)}\n`;
		})()
	);
	fs.writeFileSync(path.join(target, 'manifest.json'), JSON.stringify(manifest, null, 2), {
		mode: 0o600
	});
	return manifest;
}

/** The `_users` documents holding one of the commune's roles. */
async function communeAccounts(couch: Couch, commune: string) {
	const mine = new Set([roles.staff(commune), roles.kiosk(commune), roles.resident(commune)]);
	const { body } = await couch<{
		rows: { doc?: { roles?: string[] } & Record<string, unknown> }[];
	}>(
		'_users/_all_docs?include_docs=true&startkey=%22org.couchdb.user%3A%22&endkey=%22org.couchdb.user%3A%EF%BF%B0%22'
	);
	return body.rows
		.map((row) => row.doc)
		.filter((doc) => doc?.roles?.some((role) => mine.has(role)))
		.map((doc) => {
			// Written back as a new revision: _users may already hold another history.
			const { _rev, ...account } = doc!;
			void _rev;
			return account;
		});
}

/** The communes of a CouchDB: each public database holding its commune document. */
export async function listCommunes(adminUrl: string): Promise<string[]> {
	const couch = couchClient(adminUrl);
	const { body } = await couch<string[]>('_all_dbs');
	const communes: string[] = [];
	for (const db of body) {
		const match = /^([a-z0-9-]+)-public$/.exec(db);
		if (!match) continue;
		const { status } = await couch(`${db}/commune`, { okStatuses: [404] });
		if (status === 200) communes.push(match[1]);
	}
	return communes;
}

export function readManifest(dir: string): BackupManifest {
	const file = path.join(dir, 'manifest.json');
	if (!fs.existsSync(file))
		throw new Error(`Pas de sauvegarde Crieur dans ${dir} (manifest.json absent).`);
	const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as BackupManifest;
	if (manifest.format !== BACKUP_FORMAT || manifest.version > FORMAT_VERSION) {
		throw new Error(`${file} n’est pas une sauvegarde Crieur que cette version sait lire.`);
	}
	return manifest;
}

/**
 * Restores one commune's backup (`dir/<commune>/`) into CouchDB, before the
 * app serves it. Refuses a database that already holds documents: a restore
 * never mixes two histories. Revisions are written as they were
 * (new_edits=false), so laptops and phones resume syncing where they were.
 */
export async function restoreCommune(adminUrl: string, dir: string): Promise<BackupManifest> {
	const manifest = readManifest(dir);
	const couch = couchClient(adminUrl);
	if ((await couch('_users', { okStatuses: [404] })).status === 404) {
		await couch('_users', { method: 'PUT' });
	}
	// A backup made before -reach was kept restores what it has.
	const kinds = DATABASES.filter((kind) => manifest.databases[kind]);
	for (const kind of kinds) {
		const db = databaseName(manifest.commune, kind);
		// The stand-in's database info has no doc_del_count.
		const existing = await couch<{ doc_count?: number; doc_del_count?: number }>(db, {
			okStatuses: [404]
		});
		if (existing.status === 404) {
			// One shard: a commune's databases are small (CouchDB's advice for many of them).
			await couch(`${db}?q=1`, { method: 'PUT' });
		} else if ((existing.body.doc_count ?? 0) + (existing.body.doc_del_count ?? 0) > 0) {
			throw new Error(
				`La base ${db} existe déjà et contient des documents : rien n’a été restauré dans cette base.`
			);
		}
	}
	for (const kind of kinds) {
		const db = databaseName(manifest.commune, kind);
		const entry = manifest.databases[kind];
		await couch(`${db}/_security`, { method: 'PUT', body: entry.security });
		await writeInBatches(couch, db, readLines(path.join(dir, entry.file)), { newEdits: false });
	}
	const accounts: Record<string, unknown>[] = [];
	for await (const account of readLines(path.join(dir, manifest.users.file))) {
		const current = await couch<{ _rev?: string }>(
			`_users/${encodeURIComponent(String(account._id))}`,
			{ okStatuses: [404] }
		);
		accounts.push(current.status === 200 ? { ...account, _rev: current.body._rev } : account);
	}
	await writeInBatches(couch, '_users', toAsync(accounts), { newEdits: true });
	// Last, as provisioning does: a running app serves the commune once it is listed
	// (which also makes the admin-only directory the keys go in).
	await listCommune(nano(adminUrl), manifest.commune, manifest.hosts ?? []);
	manifest.keysRestored = await restoreKeys(couch, dir, manifest);
	return manifest;
}

/**
 * Puts the deployment's sending keys back where there are none. Where others
 * are there already (a deployment of several communes), they stay: the
 * restored commune's devices then subscribe again on their next visit.
 */
async function restoreKeys(
	couch: Couch,
	dir: string,
	manifest: BackupManifest
): Promise<NonNullable<BackupManifest['keysRestored']>> {
	if (!manifest.keys) return 'none';
	const saved = JSON.parse(fs.readFileSync(path.join(dir, manifest.keys.file), 'utf8')) as {
		publicKey?: string;
	};
	const current = await couch<{ publicKey?: string }>(`${COMMUNES_DATABASE}/${KEYS_DOC}`, {
		okStatuses: [404]
	});
	if (current.status === 200)
		return current.body.publicKey === saved.publicKey ? 'same' : 'different';
	await couch(`${COMMUNES_DATABASE}/${KEYS_DOC}`, { method: 'PUT', body: saved });
	return 'written';
}

async function* toAsync<T>(items: T[]): AsyncGenerator<T> {
	yield* items;
}

async function writeInBatches(
	couch: Couch,
	db: string,
	docs: AsyncIterable<Record<string, unknown>>,
	options: { newEdits: boolean }
): Promise<void> {
	let batch: Record<string, unknown>[] = [];
	let bytes = 0;
	const flush = async () => {
		if (batch.length === 0) return;
		const { body } = await couch<{ id: string; error?: string; reason?: string }[]>(
			`${db}/_bulk_docs`,
			{ method: 'POST', body: { docs: batch, new_edits: options.newEdits } }
		);
		const refused = body.filter((row) => row.error);
		if (refused.length > 0) {
			const first = refused[0];
			throw new Error(
				`${refused.length} document(s) refusé(s) dans ${db}, dont ${first.id} : ${first.error} ${first.reason ?? ''}`
			);
		}
		batch = [];
		bytes = 0;
	};
	for await (const doc of docs) {
		const size = JSON.stringify(doc).length;
		if (bytes + size > WRITE_BATCH_BYTES) await flush();
		batch.push(doc);
		bytes += size;
	}
	await flush();
}
