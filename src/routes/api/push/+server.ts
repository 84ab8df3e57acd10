import { json } from '@sveltejs/kit';
import {
	pushEndpoint,
	SubscribeRequestSchema,
	UnsubscribeRequestSchema
} from '#lib/domain/reach.ts';
import { getLocale, m } from '#lib/i18n/index.ts';
import { clientAddress } from '#lib/server/auth.ts';
import { jsonError } from '#lib/server/http.ts';
import { RateLimiter } from '#lib/server/rate-limit.ts';
import { refusedZones } from '#lib/server/reach/requests.ts';
import { removeSubscription, saveSubscription } from '#lib/server/reach/subscriptions.ts';
import { vapidKeys } from '#lib/server/reach/vapid.ts';
import { readJsonBody } from '#lib/server/resident-request.ts';
import type { RequestHandler } from './$types';

// Anyone may subscribe, without an account (a visitor, a villager without a
// code). A device changing its choices writes again; a script filling the
// commune's list from one address does not get far.
const perAddress = new RateLimiter(30, 60 * 60_000, 'push-address');

/**
 * The page that subscribed, where its notifications must open: a browser's
 * request names it (`Origin`), on the very host it asked (behind a proxy,
 * the request's own address may say http or another name).
 */
function pageOrigin(request: Request): string | null {
	const origin = request.headers.get('origin');
	if (!origin) return null;
	try {
		const url = new URL(origin);
		return url.host === request.headers.get('host') ? url.origin : null;
	} catch {
		return null;
	}
}

/** What a device needs to subscribe: the deployment's public VAPID key. */
export const GET: RequestHandler = async ({ locals }) => {
	const { publicKey } = await vapidKeys(locals.backend);
	return json({ public_key: publicKey }, { headers: { 'cache-control': 'no-cache' } });
};

/** Subscribes this device to the commune's alerts, or changes what it asked for. */
export const PUT: RequestHandler = async ({ request, locals, url, getClientAddress }) => {
	const limited = perAddress.hit(clientAddress(getClientAddress));
	if (!limited.allowed) {
		const response = jsonError(429, 'too_many', m.push_too_many());
		response.headers.set('retry-after', String(limited.retryAfterSeconds));
		return response;
	}
	const body = await readJsonBody(request, SubscribeRequestSchema, m.push_invalid_request());
	if (!body.ok) return body.response;
	if (!pushEndpoint(body.value.subscription.endpoint, locals.backend.config.pushServices)) {
		return jsonError(400, 'endpoint_refused', m.push_endpoint_refused());
	}
	const zones = body.value.zones ?? [];
	const refused = await refusedZones(locals.backend, zones);
	if (refused) return refused;
	const outcome = await saveSubscription(locals.backend, body.value, {
		origin: pageOrigin(request) ?? locals.backend.config.origin ?? url.origin,
		lang: getLocale()
	});
	if (outcome === 'full') return jsonError(503, 'full', m.push_full());
	return json(
		{ status: outcome, categories: body.value.categories, zones },
		{ status: outcome === 'created' ? 201 : 200 }
	);
};

/** Stops this device's alerts: the endpoint with its secret, which only the browser holds. */
export const DELETE: RequestHandler = async ({ request, locals }) => {
	const body = await readJsonBody(request, UnsubscribeRequestSchema, m.push_invalid_request());
	if (!body.ok) return body.response;
	const outcome = await removeSubscription(locals.backend, body.value.endpoint, body.value.auth);
	if (outcome === 'unknown') return jsonError(404, 'unknown_subscription', m.push_unknown());
	return new Response(null, { status: 204 });
};
