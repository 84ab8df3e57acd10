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
const PouchDB = require('pouchdb7-core')
	.plugin(require('pouchdb7-adapter-leveldb'))
	.plugin(require('pouchdb7-adapter-http'))
	.plugin(require('pouchdb7-replication'))
	.plugin(require('pouchdb7-mapreduce'));
patchValidationForReplication();
const expressPouchDB = require('express-pouchdb');

/**
 * pouchdb-validation replaces an incoming document's _revisions with the stored
 * document's before running validate_doc_update, so a replicated write
 * (new_edits: false, as every PouchDB push sends) is answered 201 and silently
 * dropped. CouchDB 3 keeps the incoming history; so does the patched module,
 * loaded into the require cache before express-pouchdb asks for it.
 */
function patchValidationForReplication() {
	const Module = require('node:module');
	const file = require.resolve('pouchdb-validation', {
		paths: [path.dirname(require.resolve('express-pouchdb'))]
	});
	const source = fs.readFileSync(file, 'utf8');
	const buggy = 'newDoc._revisions = (oldDoc || {})._revisions;';
	if (!source.includes(buggy)) {
		throw new Error(
			'pouchdb-validation changed: review the _revisions patch in couch/embedded/server.js'
		);
	}
	const patched = source.replace(buggy, 'if (!newDoc._revisions) ' + buggy);
	const module = new Module(file, null);
	module.filename = file;
	module.paths = Module._nodeModulePaths(path.dirname(file));
	module._compile(patched, file);
	module.loaded = true;
	require.cache[file] = module;
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
