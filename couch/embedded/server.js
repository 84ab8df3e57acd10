// Runs in Node (a child process of the app, or alone for tests): the embedded
// CouchDB-protocol server, express-pouchdb on LevelDB. A child process, because
// a few requests kill the stand-in (couch/README.md); the parent restarts it.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const express = require('express');
// The http and replication plugins are not used by Crieur, but without them
// express-pouchdb wraps _users twice and crashes on the first GET /_users.
patchLevelDbForPurge();
const PouchDB = require('pouchdb7-core')
	.plugin(require('pouchdb7-adapter-leveldb'))
	.plugin(require('pouchdb7-adapter-http'))
	.plugin(require('pouchdb7-replication'))
	.plugin(require('pouchdb7-mapreduce'));
patchValidationForReplication();
const expressPouchDB = require('express-pouchdb');

/**
 * Compiles a dependency's source with `edits` applied and puts it in the
 * require cache, so that the modules asking for it get the patched one. Fails
 * loudly if the source changed and an edit no longer applies.
 */
function loadPatched(file, edits, what) {
	const Module = require('node:module');
	let source = fs.readFileSync(file, 'utf8');
	for (const [from, to] of edits) {
		if (!source.includes(from)) {
			throw new Error(`${what} changed: review its patch in couch/embedded/server.js`);
		}
		source = source.replace(from, to);
	}
	const module = new Module(file, null);
	module.filename = file;
	module.paths = Module._nodeModulePaths(path.dirname(file));
	module._compile(source, file);
	module.loaded = true;
	require.cache[file] = module;
}

/**
 * pouchdb-validation replaces an incoming document's _revisions with the stored
 * document's before running validate_doc_update, so a replicated write
 * (new_edits: false, as every PouchDB push sends) is answered 201 and silently
 * dropped. CouchDB 3 keeps the incoming history; so does the patched module,
 * loaded into the require cache before express-pouchdb asks for it.
 */
function patchValidationForReplication() {
	const file = require.resolve('pouchdb-validation', {
		paths: [path.dirname(require.resolve('express-pouchdb'))]
	});
	const buggy = 'newDoc._revisions = (oldDoc || {})._revisions;';
	loadPatched(file, [[buggy, 'if (!newDoc._revisions) ' + buggy]], 'pouchdb-validation');
}

/**
 * The LevelDB adapter has no purge, and what one needs (its stores, its write
 * lock, the document count it caches) lives in a closure: the patch gives each
 * database `_crieurPurge` (couch/embedded/purge.cjs), next to compaction.
 */
function patchLevelDbForPurge() {
	const file = require.resolve('pouchdb-adapter-leveldb-core', {
		paths: [path.dirname(require.resolve('pouchdb7-adapter-leveldb'))]
	});
	const purge = JSON.stringify(require.resolve('./purge.cjs'));
	const compaction =
		'  api._doCompaction = writeLock(function (docId, revs, opts, callback) {\n' +
		'    api._doCompactionNoLock(docId, revs, opts, callback);\n' +
		'  });\n';
	loadPatched(
		file,
		[
			["'use strict';", `'use strict';\nvar crieurMakePurge = require(${purge});`],
			[
				compaction,
				compaction +
					'  api._crieurPurge = crieurMakePurge({ api: api, stores: stores, db: function () { return db; },' +
					' name: name, writeLock: writeLock, LevelTransaction: LevelTransaction,' +
					' levelChanges: levelChanges, merge: pouchdbMerge, getWinningRev: getWinningRev,' +
					' getIsDeleted: getIsDeleted, formatSeq: formatSeq });\n'
			],
			// A changes feed reads a sequence, then its document: one purged in
			// between (a tally republished without history) crashed the whole store.
			[
				'        if (opts.cancelled || opts.done || db.isClosed() ||\n' +
					'          pouchdbAdapterUtils.isLocalId(metadata.id)) {',
				'        if (err || opts.cancelled || opts.done || db.isClosed() ||\n' +
					'          pouchdbAdapterUtils.isLocalId(metadata.id)) {'
			]
		],
		'pouchdb-adapter-leveldb-core'
	);
}

const dir = process.env.EMBEDDED_COUCH_DIR;
const adminName = process.env.EMBEDDED_COUCH_ADMIN;
const adminPassword = process.env.EMBEDDED_COUCH_PASSWORD;
const authSecret = process.env.EMBEDDED_COUCH_SECRET;
const port = Number(process.env.EMBEDDED_COUCH_PORT ?? 0);
if (!dir || !adminName || !adminPassword || !authSecret) {
	console.error('embedded couch: EMBEDDED_COUCH_DIR, _ADMIN, _PASSWORD and _SECRET are required');
	process.exit(2);
}
fs.mkdirSync(dir, { recursive: true });

// Admins and the cookie secret are written before start, so that the server
// never runs in "admin party" and sessions survive restarts.
const configPath = path.join(dir, 'config.json');
const config = fs.existsSync(configPath) ? JSON.parse(fs.readFileSync(configPath, 'utf8')) : {};
config.admins = { ...config.admins };
if (!config.admins[adminName]) config.admins[adminName] = adminPassword;
config.couch_httpd_auth = {
	...config.couch_httpd_auth,
	secret: authSecret,
	timeout: Number(process.env.EMBEDDED_COUCH_SESSION_TIMEOUT ?? 604800),
	allow_persistent_cookies: true
};
config.log = { file: path.join(dir, 'log.txt'), level: 'warning' };
fs.writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });

const LocalPouchDB = PouchDB.defaults({ prefix: dir + path.sep });
const app = express();
app.disable('x-powered-by');
// Before express-pouchdb, which would read `_purge` as a document id.
app.post('/:db/_purge', (req, res) => {
	purgeRoute(req, res).catch((error) => {
		console.error('embedded couch: _purge', error);
		if (!res.headersSent) res.status(500).json({ error: 'unknown_error', reason: String(error) });
	});
});
app.use(
	expressPouchDB(LocalPouchDB, {
		configPath,
		logPath: path.join(dir, 'log.txt'),
		mode: 'fullCouchDB',
		overrideMode: {
			exclude: [
				'routes/fauxton',
				'routes/replicate',
				'replicator',
				'routes/special-test-auth',
				'routes/http-log'
			]
		}
	})
);

/** One handle per database purged: closing it would close express-pouchdb's too (they share LevelDB). */
const purgeHandles = new Map();

/**
 * POST /{db}/_purge as CouchDB 3 answers it, for what Crieur uses (see
 * couch/README.md): server admins only, `{"<id>": ["<rev>", …]}` in,
 * `{"purge_seq": null, "purged": {"<id>": [<leaf revs purged>]}}` out, 201.
 */
async function purgeRoute(req, res) {
	const self = `http://127.0.0.1:${server.address().port}`;
	// The stand-in's own session check, as the client's credentials give it.
	const headers = {};
	for (const name of ['cookie', 'authorization']) {
		if (req.headers[name]) headers[name] = req.headers[name];
	}
	const session = await (await fetch(`${self}/_session`, { headers })).json();
	if (!session.userCtx?.roles?.includes('_admin')) {
		return res.status(401).json({ error: 'unauthorized', reason: 'You are not a server admin.' });
	}
	if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
		return res
			.status(415)
			.json({ error: 'bad_content_type', reason: 'Content-Type must be application/json' });
	}
	const name = req.params.db;
	if ((await fetch(`${self}/${encodeURIComponent(name)}`, { headers })).status === 404) {
		return res.status(404).json({ error: 'not_found', reason: 'Database does not exist.' });
	}
	let body;
	try {
		body = JSON.parse(await readBody(req, 16 * 1024 * 1024));
	} catch {
		return res.status(400).json({ error: 'bad_request', reason: 'invalid UTF-8 JSON' });
	}
	if (!body || typeof body !== 'object' || Array.isArray(body)) {
		return res
			.status(400)
			.json({ error: 'bad_request', reason: 'Request body must be a JSON object' });
	}
	const entries = Object.entries(body);
	if (
		entries.some(([, revs]) => !Array.isArray(revs) || revs.some((rev) => typeof rev !== 'string'))
	) {
		return res.status(400).json({ error: 'bad_request', reason: 'Invalid list of revisions' });
	}
	const purged = {};
	for (const [id, revs] of entries) purged[id] = await purgeOne(name, id, revs);
	res.status(201).json({ purge_seq: null, purged });
}

async function purgeOne(name, id, revs, retried = false) {
	let db = purgeHandles.get(name);
	if (!db) {
		db = new LocalPouchDB(name);
		purgeHandles.set(name, db);
		// Deleted through express-pouchdb: this handle is dead, a new database needs a new one.
		db.once('destroyed', () => purgeHandles.delete(name));
	}
	try {
		await db.info(); // opens it
		return await new Promise((resolve, reject) =>
			db._crieurPurge(id, revs, (error, result) => (error ? reject(error) : resolve(result)))
		);
	} catch (error) {
		// A database deleted and created again since: its old handle is closed.
		purgeHandles.delete(name);
		if (retried) throw error;
		return purgeOne(name, id, revs, true);
	}
}

function readBody(req, limit) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		req.on('data', (chunk) => {
			size += chunk.length;
			if (size > limit) {
				reject(new Error('too large'));
				req.destroy();
			} else chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

const server = app.listen(port, '127.0.0.1', () => {
	const address = server.address();
	const message = {
		ready: true,
		port: typeof address === 'object' && address ? address.port : port
	};
	if (process.send) process.send(message);
	else console.log(JSON.stringify(message));
});

// The app keeps connections to this server open between requests (undici's pool).
// Node closes an idle one after 5 s and undici lets go of it 2 s before the time
// the server announces: on a busy machine a late timer makes the app reuse a
// socket the server has just closed, and a villager's request fails with « other
// side closed ». A minute of idle time makes that window rare (jobs tick every 15 s).
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
