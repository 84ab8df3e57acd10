import {
	documentAttachmentProblem,
	mergeBulkResults,
	rawAttachmentProblem,
	splitBulkDocs,
	type BulkDocsSplit
} from './attachment-check.ts';
import { REQUEST_BYTES_MAX } from '../domain/limits.ts';
import { isStaffUser, sessionOf } from './auth.ts';
import type { Backend } from './backend.ts';
import { readBodyWithin, sizeLabel } from './body-limit.ts';
import { jsonError } from './http.ts';
import { errorText, logEvent } from './log.ts';
import { basicAuthName, loginCredentials, passwordGuesses } from './login-limit.ts';
import { decideProxy } from './proxy-rules.ts';
import { loginAttemptOf, trustDevice } from './trusted-device.ts';

const FORWARDED_REQUEST_HEADERS = [
	'accept',
	'authorization',
	'content-type',
	'cookie',
	'if-match',
	'if-none-match',
	'x-couch-full-commit'
];
const FORWARDED_RESPONSE_HEADERS = [
	'cache-control',
	'content-disposition',
	'content-length',
	'content-type',
	'etag',
	'set-cookie',
	'x-couch-request-id'
];

// A notice and its files go up in one _bulk_docs; anything beyond is refused before CouchDB.
const MAX_BODY_BYTES = REQUEST_BYTES_MAX;
const UPSTREAM_TIMEOUT_MS = 60_000;

function tooLarge(limit: number): Response {
	return jsonError(413, 'too_large', `Envoi trop volumineux (${sizeLabel(limit)} au plus).`);
}

/** How long CouchDB's lockout lasts by default ([chttpd_auth_lockout] max_lifetime). */
const COUCH_LOCKOUT_SECONDS = 300;

function tooManyLogins(retryAfterSeconds: number, trustedDevice: string | null = null): Response {
	const minutes = Math.ceil(retryAfterSeconds / 60);
	const response = jsonError(
		429,
		'too_many_attempts',
		trustedDevice === null
			? `Trop d’essais de connexion manqués : réessayez dans ${minutes} min, ou depuis un poste de la mairie où ce compte s’est déjà connecté.`
			: `Trop d’essais de connexion manqués sur ce poste : réessayez dans ${minutes} min.`
	);
	response.headers.set('retry-after', String(retryAfterSeconds));
	return response;
}

/** Whether a `_bulk_docs` body names a `_local/` document (escapes and all). */
function namesLocalDocs(body: Uint8Array): boolean | 'unreadable' {
	const text = new TextDecoder().decode(body);
	// Most bodies can be cleared without parsing: no "_local", and no \u escape to spell it.
	if (!text.includes('_local') && !text.includes('\\u')) return false;
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return 'unreadable';
	}
	const docs = (parsed as { docs?: unknown } | null)?.docs;
	if (!Array.isArray(docs)) return false;
	return docs.some(
		(doc) => typeof doc?._id === 'string' && (doc._id as string).startsWith('_local')
	);
}

/**
 * The /db/ reverse proxy: checks the allow-list, then forwards the request with
 * the client's own credentials so that CouchDB's _security and
 * validate_doc_update judge it as the client.
 */
export async function proxyToCouch(
	request: Request,
	rawPath: string,
	search: string,
	backend: Backend,
	clientAddress: string
): Promise<Response> {
	const decision = decideProxy(request.method, rawPath, search, {
		databases: new Set([backend.databases.public, backend.databases.mairie]),
		embedded: backend.kind === 'embedded'
	});
	if (!decision.allow) return jsonError(decision.status, decision.error, decision.reason);

	const maxBodyBytes = decision.maxBodyBytes ?? MAX_BODY_BYTES;
	const declared = Number(request.headers.get('content-length') ?? 0);
	if (declared > maxBodyBytes) return tooLarge(maxBodyBytes);

	// Basic auth tries a password on any request: checked once here, through the same
	// limit as logins, before anything else can answer differently for a wrong one.
	const basicName = basicAuthName(request.headers.get('authorization'));
	if (basicName !== null) {
		const authorization = request.headers.get('authorization') ?? '';
		const outcome = await passwordGuesses.attempt(
			loginAttemptOf(backend.secrets, request, clientAddress, basicName),
			() =>
				fetch(`${backend.url}/_session`, {
					headers: { authorization, accept: 'application/json' },
					signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS)
				}),
			(response) => Promise.resolve(response.status === 401)
		);
		if (outcome.blocked) return tooManyLogins(outcome.retryAfterSeconds);
		await outcome.response.body?.cancel();
		if (outcome.response.status === 401) {
			return jsonError(401, 'unauthorized', 'Identifiant ou mot de passe incorrect.');
		}
	}

	if (decision.check === 'staff') {
		const user = await sessionOf(backend, request);
		if (!isStaffUser(user, backend.commune)) {
			return user.name === null
				? jsonError(401, 'unauthorized', 'Connectez-vous avec un compte de la mairie.')
				: jsonError(403, 'forbidden', 'Réservé au personnel de la mairie.');
		}
	}

	const headers = new Headers();
	for (const name of FORWARDED_REQUEST_HEADERS) {
		const value = request.headers.get(name);
		if (value !== null) headers.set(name, value);
	}
	// Node's fetch would otherwise ask for gzip and hand back an inflated body with
	// the compressed length; the app compresses on the way out instead.
	headers.set('accept-encoding', 'identity');

	// The stand-in answers _bulk_get without reading _security: anyone would get every
	// document of -mairie. Ask it first whether this client may read the database at all
	// (CouchDB 3 checks by itself; one local request per replication batch).
	if (decision.path.endsWith('/_bulk_get')) {
		const database = decision.path.slice(0, -'/_bulk_get'.length);
		const credentials = new Headers({ accept: 'application/json' });
		for (const name of ['cookie', 'authorization']) {
			const value = request.headers.get(name);
			if (value !== null) credentials.set(name, value);
		}
		const access = await fetch(backend.url + database, {
			headers: credentials,
			signal: AbortSignal.any([request.signal, AbortSignal.timeout(UPSTREAM_TIMEOUT_MS)])
		}).catch(() => null);
		if (!access) {
			return jsonError(
				503,
				'unavailable',
				'Le serveur de données ne répond pas pour le moment. Réessayez dans un instant.'
			);
		}
		if (!access.ok) {
			const refusal = await asCouchDbRefuses(access, request, database, backend);
			if (refusal !== access) return refusal;
			return new Response(await access.text(), {
				status: access.status,
				headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }
			});
		}
		await access.body?.cancel();
	}
	let body: Uint8Array<ArrayBuffer> | undefined;
	if (!['GET', 'HEAD'].includes(request.method)) {
		const read = await readBodyWithin(request, maxBodyBytes);
		if (!read.ok) {
			return read.reason === 'too_large'
				? tooLarge(maxBodyBytes)
				: jsonError(400, 'bad_request', 'Envoi interrompu ou illisible.');
		}
		body = read.bytes;
	}
	let bulkSplit: BulkDocsSplit | null = null;
	if (decision.check === 'no_local_docs' && body) {
		const local = namesLocalDocs(body);
		if (local === 'unreadable') return jsonError(400, 'bad_request', 'JSON invalide.');
		if (local) {
			return jsonError(403, 'forbidden', 'Les documents _local ne s’écrivent pas par _bulk_docs.');
		}
		const parsed = parseIfChecked(body);
		if (parsed === 'unreadable') return jsonError(400, 'bad_request', 'JSON invalide.');
		bulkSplit = parsed ? splitBulkDocs(parsed) : null;
		if (bulkSplit?.forward === null) return bulkAnswer(mergeBulkResults(bulkSplit, []));
		if (bulkSplit) body = new TextEncoder().encode(JSON.stringify(bulkSplit.forward));
	}
	if (decision.check === 'document' && body) {
		if (/^multipart\//i.test(request.headers.get('content-type') ?? '')) {
			return jsonError(415, 'unsupported_media_type', 'Envoyez le document en JSON.');
		}
		const parsed = parseIfChecked(body);
		if (parsed === 'unreadable') return jsonError(400, 'bad_request', 'JSON invalide.');
		const problem = parsed ? documentAttachmentProblem(parsed) : null;
		if (problem) return jsonError(403, 'forbidden', problem);
	}
	if (decision.check === 'attachment') {
		const name = decodeURIComponent(decision.path.split('/').slice(3).join('/'));
		const problem = rawAttachmentProblem(
			name,
			request.headers.get('content-type'),
			body ?? new Uint8Array(0)
		);
		if (problem) return jsonError(403, 'forbidden', problem);
	}

	const forward = async (): Promise<Response> => {
		let upstream: Response;
		try {
			upstream = await fetch(backend.url + decision.path + decision.search, {
				method: request.method,
				headers,
				body,
				redirect: 'manual',
				signal: AbortSignal.any([request.signal, AbortSignal.timeout(UPSTREAM_TIMEOUT_MS)])
			});
		} catch (error) {
			if (request.signal.aborted) return new Response(null, { status: 499 });
			logEvent('error', 'couchdb_unreachable', { error: errorText(error) });
			return jsonError(
				503,
				'unavailable',
				'Le serveur de données ne répond pas pour le moment. Réessayez dans un instant.'
			);
		}
		return relay(await asCouchDbRefuses(upstream, request, decision.path, backend));
	};

	if (bulkSplit) {
		const split = bulkSplit;
		const upstream = await forward();
		if (upstream.status !== 201) return upstream;
		const results = (await upstream.json().catch(() => null)) as unknown;
		return bulkAnswer(mergeBulkResults(split, Array.isArray(results) ? results : []));
	}
	if (decision.check !== 'login') return forward();
	const credentials = loginCredentials(
		body ?? new Uint8Array(0),
		request.headers.get('content-type') ?? ''
	);
	if (!credentials) {
		return jsonError(400, 'bad_request', 'Donnez un identifiant et un mot de passe.');
	}
	body = new TextEncoder().encode(JSON.stringify(credentials));
	headers.set('content-type', 'application/json');
	headers.delete('content-length');
	const { name } = credentials;
	const attempt = loginAttemptOf(backend.secrets, request, clientAddress, name);
	const outcome = await passwordGuesses.attempt(attempt, forward, (response) =>
		Promise.resolve(response.status === 401)
	);
	if (outcome.blocked) return tooManyLogins(outcome.retryAfterSeconds, attempt.trustedDevice);
	if (outcome.response.status === 401) {
		// Apache CouchDB also clears the session cookie here; the stand-in does not.
		await outcome.response.body?.cancel();
		return jsonError(401, 'unauthorized', 'Identifiant ou mot de passe incorrect.');
	}
	if (outcome.response.status === 403) {
		// Apache CouchDB's own lockout, where provisioning could not turn it to a warning.
		await outcome.response.body?.cancel();
		return tooManyLogins(COUCH_LOCKOUT_SECONDS, attempt.trustedDevice);
	}
	trustDevice(backend.secrets, request, attempt, outcome.response, backend.config.origin);
	return outcome.response;
}

/**
 * A parsed JSON body when it names attachments or a design document, what the
 * proxy checks (most bodies are let through unparsed).
 */
function parseIfChecked(body: Uint8Array): Record<string, unknown> | null | 'unreadable' {
	const text = new TextDecoder().decode(body);
	if (!/_attachments|_design|\\u/.test(text)) return null;
	try {
		const parsed = JSON.parse(text) as unknown;
		return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
	} catch {
		return 'unreadable';
	}
}

/**
 * The stand-in answers 401 to a logged-in user who is not a member of a
 * database; Apache CouchDB 3 answers 403, and is right: one answer on both
 * back ends. Logins keep their 401, which the login limit counts.
 */
async function asCouchDbRefuses(
	upstream: Response,
	request: Request,
	path: string,
	backend: Backend
): Promise<Response> {
	// Whatever the configured kind: COUCHDB_URL may name a stand-in too.
	if (upstream.status !== 401 || path === '/_session' || !request.headers.has('cookie')) {
		return upstream;
	}
	const user = await sessionOf(backend, request);
	if (user.name === null) return upstream;
	await upstream.body?.cancel();
	return jsonError(403, 'forbidden', 'Ce compte n’a pas accès à ces données.');
}

/** A `_bulk_docs` answer as CouchDB gives it: 201 with one result per document. */
function bulkAnswer(results: unknown[]): Response {
	return new Response(JSON.stringify(results), {
		status: 201,
		headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }
	});
}

/** CouchDB's answer with the headers a client needs, never cached. */
function relay(upstream: Response): Response {
	const responseHeaders = new Headers();
	for (const name of FORWARDED_RESPONSE_HEADERS) {
		if (name === 'set-cookie') {
			for (const cookie of upstream.headers.getSetCookie()) responseHeaders.append(name, cookie);
			continue;
		}
		const value = upstream.headers.get(name);
		if (value !== null) responseHeaders.set(name, value);
	}
	responseHeaders.set('cache-control', 'no-store');
	return new Response(upstream.body, { status: upstream.status, headers: responseHeaders });
}
