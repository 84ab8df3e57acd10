import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import PouchDB from 'pouchdb-core';
import httpAdapter from 'pouchdb-adapter-http';
import replication from 'pouchdb-replication';

/**
 * Issue 13: every way a CouchDB-protocol server can hand out an earlier
 * version of a document, tried against a database URL (the app's /db/ proxy
 * or the server itself) with a client's headers. Shared by the stand-in and
 * the Apache CouchDB tests. Returns what leaked, so a test reads `toEqual([])`.
 */

// Local replicas in Node: the stand-in's own LevelDB adapter (the only one
// installed), with PouchDB 9's HTTP and replication, as in the browser.
PouchDB.plugin(httpAdapter)
	.plugin(replication)
	.plugin(createRequire(import.meta.url)('pouchdb7-adapter-leveldb') as PouchDB.Plugin);
export { PouchDB };

interface Probe {
	dbUrl: string;
	id: string;
	/** The revision now published; every other one must stay out of reach. */
	current: string;
	earlier: string[];
	headers?: Record<string, string>;
}

async function json(url: string, headers: Record<string, string>, init: RequestInit = {}) {
	const response = await fetch(url, {
		...init,
		headers: { accept: 'application/json', 'content-type': 'application/json', ...headers }
	});
	const text = await response.text();
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		body = text;
	}
	return { status: response.status, body };
}

/** Revisions of `id` whose body shows up anywhere in a response. */
function bodiesIn(value: unknown, id: string, out = new Set<string>()): Set<string> {
	if (Array.isArray(value)) {
		for (const item of value) bodiesIn(item, id, out);
	} else if (value && typeof value === 'object') {
		const doc = value as Record<string, unknown>;
		if (doc._id === id && typeof doc._rev === 'string' && !doc._deleted) out.add(doc._rev);
		for (const item of Object.values(doc)) bodiesIn(item, id, out);
	}
	return out;
}

export async function earlierVersionLeaks(probe: Probe): Promise<string[]> {
	const { dbUrl, id, current, earlier } = probe;
	const headers = probe.headers ?? {};
	const doc = `${dbUrl}/${encodeURIComponent(id)}`;
	const leaks: string[] = [];
	const check = (route: string, body: unknown) => {
		for (const rev of bodiesIn(body, id)) if (rev !== current) leaks.push(`${route} gave ${rev}`);
	};
	const list = encodeURIComponent(JSON.stringify(earlier));

	for (const rev of earlier) {
		const byRev = await json(`${doc}?rev=${encodeURIComponent(rev)}`, headers);
		if (byRev.status !== 404) leaks.push(`?rev=${rev} answered ${byRev.status}`);
		check('?rev', byRev.body);
	}
	const info = await json(`${doc}?revs_info=true`, headers);
	const statuses = (info.body as { _revs_info?: { rev: string; status: string }[] })._revs_info;
	for (const entry of statuses ?? []) {
		if (entry.rev !== current && entry.status === 'available')
			leaks.push(`revs_info: ${entry.rev}`);
	}
	check('revs_info', info.body);
	check('open_revs=all', (await json(`${doc}?revs=true&open_revs=all`, headers)).body);
	check('open_revs=[old]', (await json(`${doc}?open_revs=${list}`, headers)).body);
	check('open_revs=[old]&revs', (await json(`${doc}?open_revs=${list}&revs=true`, headers)).body);
	check('conflicts', (await json(`${doc}?conflicts=true&deleted_conflicts=true`, headers)).body);
	for (const query of ['', '?revs=true', '?revs=true&attachments=true']) {
		const bulk = await json(`${dbUrl}/_bulk_get${query}`, headers, {
			method: 'POST',
			body: JSON.stringify({ docs: earlier.map((rev) => ({ id, rev })) })
		});
		check(`_bulk_get${query}`, bulk.body);
	}
	for (const query of [
		'style=all_docs&include_docs=true&conflicts=true',
		'style=all_docs',
		'include_docs=true&revs=true'
	]) {
		const changes = await json(`${dbUrl}/_changes?${query}`, headers);
		check(`_changes?${query}`, changes.body);
		const rows = (changes.body as { results?: { id: string; changes: { rev: string }[] }[] })
			.results;
		for (const row of rows ?? []) {
			if (row.id !== id) continue;
			for (const change of row.changes) {
				if (change.rev !== current) leaks.push(`_changes?${query} lists ${change.rev}`);
			}
		}
	}
	const allDocs = await json(
		`${dbUrl}/_all_docs?include_docs=true&conflicts=true&keys=${encodeURIComponent(JSON.stringify([id]))}`,
		headers
	);
	check('_all_docs', allDocs.body);
	return leaks;
}

/**
 * A PouchDB replication of the database into a fresh local replica, as a
 * staff laptop pulls: what it holds of `id` afterwards besides `current`.
 */
export async function replicatedLeaks(probe: Probe): Promise<string[]> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-replica-'));
	const local = new PouchDB(path.join(dir, 'replica'), { adapter: 'leveldb' });
	const remote = new PouchDB(probe.dbUrl, {
		skip_setup: true,
		headers: probe.headers ?? {}
	} as PouchDB.Configuration.RemoteDatabaseConfiguration);
	try {
		await local.replicate.from(remote);
		const leaks: string[] = [];
		const doc = await local.get(probe.id, { revs_info: true, conflicts: true });
		if (doc._rev !== probe.current) leaks.push(`replica holds ${doc._rev}`);
		if (doc._conflicts?.length) leaks.push(`replica has conflicts ${doc._conflicts.join(', ')}`);
		for (const info of doc._revs_info ?? []) {
			if (info.rev !== probe.current && info.status === 'available') {
				leaks.push(`replica has the body of ${info.rev}`);
			}
		}
		return leaks;
	} finally {
		await local.destroy().catch(() => undefined);
		fs.rmSync(dir, { recursive: true, force: true });
	}
}
