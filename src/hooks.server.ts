import type { Handle, ServerInit } from '@sveltejs/kit/hooks';
import { building } from '$app/env';
import { roles } from '#lib/domain/commune.ts';
import { getLocale, m } from '#lib/i18n/index.ts';
import { paraglideMiddleware } from '#lib/i18n/paraglide/server.js';
import { clientAddress, sessionOf } from '#lib/server/auth.ts';
import { getStore, type Backend } from '#lib/server/backend.ts';
import { getDirectory } from '#lib/server/communes.ts';
import { apiBodyLimit, readBodyWithin, sizeLabel } from '#lib/server/body-limit.ts';
import { compress, jsonError } from '#lib/server/http.ts';
import { errorText, loggedPath, logEvent } from '#lib/server/log.ts';
import { startLimitExchange } from '#lib/server/limit-exchange.ts';
import { startAlerts } from '#lib/server/jobs/alerts.ts';
import { startPublisher } from '#lib/server/jobs/publisher.ts';
import { lifecycle, tallies } from '#lib/server/jobs/registry.ts';
import { startTally } from '#lib/server/jobs/tally.ts';
import { proxyToCouch } from '#lib/server/proxy.ts';
import { coarsenFirstUses } from '#lib/server/residents.ts';

export const init: ServerInit = async () => {
	if (building) return;
	const store = await getStore();
	const directory = await getDirectory(store);
	const stops: (() => Promise<void>)[] = [];
	// Other app processes may share an external CouchDB; the embedded store has this one only.
	if (store.kind === 'external') stops.push(startLimitExchange(store));
	const serve = async (backend: Backend) => {
		// Before its jobs: registers from before issue 13 held first uses to the millisecond.
		await coarsenFirstUses(backend);
		const tally = startTally(backend);
		tallies.set(backend.commune, tally);
		stops.push(startPublisher(backend).stop, tally.stop, startAlerts(backend).stop);
	};
	await Promise.all(directory.all().map(serve));
	// A commune provisioned while the app runs: its jobs start as it is listed.
	const known = new Set(directory.all().map((backend) => backend.commune));
	directory.onCommune((backend) => {
		if (known.has(backend.commune)) return;
		known.add(backend.commune);
		serve(backend).catch((error: unknown) =>
			logEvent('error', 'commune_failed', { commune: backend.commune, error: errorText(error) })
		);
	});
	// adapter-node answers SIGTERM by refusing new connections and letting the
	// requests in flight finish (SHUTDOWN_TIMEOUT): only then are the jobs and
	// the store stopped.
	for (const signal of ['SIGTERM', 'SIGINT'] as const) {
		process.once(signal, () => (lifecycle.stopping = true));
	}
	process.once('sveltekit:shutdown', async (reason: string) => {
		logEvent('info', 'shutdown', { reason });
		directory.stop();
		await Promise.all(stops.map((stop) => stop())).catch(() => undefined);
		await store.stop();
		process.exit(0);
	});
};

const SECURITY_HEADERS: Record<string, string> = {
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'same-origin',
	'x-frame-options': 'DENY'
};

function trySetHeader(response: Response, name: string, value: string): void {
	try {
		response.headers.set(name, value);
	} catch {
		// Immutable headers (a fetched response passed through): leave them.
	}
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a host's monitor asks of the process, on whatever host name it uses. */
const PROCESS_WIDE = new Set(['/healthz', '/readyz']);

/** Behind a proxy that passes the public host in another header (adapter-node's HOST_HEADER). */
const HOST_HEADER = process.env.HOST_HEADER?.toLowerCase() || 'host';

/**
 * The commune of a request, by the host the browser asked for. A request made
 * by the server itself (a page's load fetching the API while rendering) has
 * no Host header: its address names the page's host.
 */
async function communeOf(event: Parameters<Handle>[0]['event']): Promise<Backend | null> {
	const directory = await getDirectory(await getStore());
	return directory.resolve(event.request.headers.get(HOST_HEADER) ?? event.url.host);
}

/** A host name this deployment does not serve: a plain answer that names no commune. */
function unknownHost(pathname: string): Response {
	if (pathname.startsWith('/api/') || pathname.startsWith('/db/')) {
		return jsonError(404, 'unknown_host', m.errors_unknownHost());
	}
	const page = `<!doctype html><html lang="fr"><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Crieur</title><p style="font:1.2rem/1.5 system-ui;margin:2rem">${m.errors_unknownHost()}</p></html>`;
	return new Response(page, {
		status: 404,
		headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }
	});
}

async function isKioskRequest(backend: Backend, request: Request): Promise<boolean> {
	if (!request.headers.get('cookie')?.includes('AuthSession=')) return false;
	const user = await sessionOf(backend, request);
	return user.roles.includes(roles.kiosk(backend.commune));
}

/**
 * Compares hosts, not full origins: behind plain http on a village LAN the
 * server cannot know its own scheme (adapter-node assumes https), and a page
 * elsewhere cannot forge the Host header of a browser request.
 */
function sameHost(origin: string, request: Request): boolean {
	try {
		return new URL(origin).host === request.headers.get('host');
	} catch {
		return false;
	}
}

/**
 * An API client reads JSON: SvelteKit's own answers to an unknown path or a
 * wrong method (an HTML page, plain text) become `{error, reason}` too.
 */
function asJsonError(response: Response): Response {
	if (response.status < 400 || response.headers.get('content-type')?.includes('json')) {
		return response;
	}
	const known: Record<number, [string, () => string]> = {
		404: ['not_found', m.errors_apiNotFound],
		405: ['method_not_allowed', m.errors_apiMethod],
		413: ['too_large', m.errors_apiTooLarge]
	};
	const [code, reason] = known[response.status] ?? ['error', m.errors_generic];
	const replaced = jsonError(response.status, code, reason());
	const allow = response.headers.get('allow');
	if (allow) replaced.headers.set('allow', allow);
	return replaced;
}

/**
 * Reads an API request's body within the route's limit (see apiBodyLimit), so
 * that no route sees a cut-off body as an empty one: too large is a JSON 413
 * everywhere, whatever each route does with a body it cannot parse.
 */
async function withinBodyLimit(request: Request, pathname: string): Promise<Request | Response> {
	if (SAFE_METHODS.has(request.method)) return request;
	const limit = apiBodyLimit(pathname, request.headers.get('content-type') ?? '');
	const read = await readBodyWithin(request, limit);
	if (!read.ok) {
		return read.reason === 'too_large'
			? jsonError(413, 'too_large', m.errors_bodyTooLarge({ size: sizeLabel(limit, getLocale()) }))
			: jsonError(400, 'invalid_request', m.errors_bodyUnreadable());
	}
	// Always a body, even empty: a Request built on a read one without a new body throws.
	return new Request(request, { body: read.bytes });
}

export const handle: Handle = async ({ event, resolve }) => {
	const started = performance.now();
	const response = await answer(event, resolve);
	// Once SIGTERM was heard, no connection is kept for a next request: the
	// process ends as soon as the last answer is out.
	if (lifecycle.stopping) trySetHeader(response, 'connection', 'close');
	logEvent('info', 'request', {
		method: event.request.method,
		path: loggedPath(event.url.pathname),
		status: response.status,
		ms: Math.round(performance.now() - started)
	});
	return response;
};

async function answer(
	event: Parameters<Handle>[0]['event'],
	resolve: Parameters<Handle>[0]['resolve']
): Promise<Response> {
	const { pathname, search } = event.url;
	const origin = event.request.headers.get('origin');
	const backend = await communeOf(event);
	if (backend) event.locals.backend = backend;
	let response: Response;
	if (!backend) {
		response = PROCESS_WIDE.has(pathname) ? await resolve(event) : unknownHost(pathname);
	} else if (
		!SAFE_METHODS.has(event.request.method) &&
		origin !== null &&
		!sameHost(origin, event.request) &&
		// A webmail's one-click unsubscribe (RFC 8058) posts from its own site; the link's secret is the proof.
		pathname !== '/api/email/unsubscribe'
	) {
		// Browsers send Origin on every cross-site write: a page elsewhere cannot
		// use a villager's or a secretary's cookies here.
		response = jsonError(403, 'forbidden', 'Requête venant d’un autre site refusée.');
	} else if (
		(pathname === '/mairie' || pathname.startsWith('/mairie/')) &&
		(await isKioskRequest(backend, event.request))
	) {
		// A kiosk tablet never reaches the staff screens, even by typing the URL.
		response = new Response(null, { status: 303, headers: { location: '/borne' } });
	} else if (pathname === '/db' || pathname.startsWith('/db/')) {
		response = await proxyToCouch(
			event.request,
			pathname.slice(3) || '/',
			search,
			backend,
			clientAddress(event.getClientAddress)
		);
	} else {
		// The language comes from the `crieur-langue` cookie, then Accept-Language;
		// messages rendered here (pages and API errors) read it via getLocale().
		// The original request is passed on: addresses are the same in every language.
		response = await paraglideMiddleware(event.request, async ({ locale }) => {
			if (!pathname.startsWith('/api/')) {
				return resolve(event, {
					transformPageChunk: ({ html }) => html.replace('%lang%', locale)
				});
			}
			const request = await withinBodyLimit(event.request, pathname);
			if (request instanceof Response) return request;
			return asJsonError(await resolve({ ...event, request }));
		});
	}
	for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
		if (!response.headers.has(name)) trySetHeader(response, name, value);
	}
	return compress(event.request, response);
}
