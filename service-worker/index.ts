/// <reference lib="webworker" />
import { self } from '$app/service-worker';
import { assets, immutable } from '$app/manifest';
import { version } from '$app/env';
import { clientsClaim } from 'workbox-core';
import { ExpirationPlugin } from 'workbox-expiration';
import { cleanupOutdatedCaches, matchPrecache, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute, setCatchHandler } from 'workbox-routing';
import { CacheFirst, NetworkFirst, StaleWhileRevalidate } from 'workbox-strategies';
import { TILE_ORIGIN } from '#lib/client/map-tiles.ts';

/**
 * Crieur's service worker (ARCHITECTURE §5). It precaches the app shell, keeps
 * every page a villager opened for offline use, caches opened attachments with
 * an expiry, and never touches /api or /db: those carry live data and private
 * actions, and the replica and the outbox handle offline for them.
 */

const PAGES_CACHE = `crieur-pages-${version}`;
const FILES_CACHE = 'crieur-files';
/** Rendered by src/routes/app-shell: boots the router for any URL when its page is not cached. */
const SHELL_URL = '/app-shell';

// Workbox wants absolute paths; kit gives them relative to the base ('' is the root).
const scope = new URL('./', self.location.href);
const absolute = (path: string) => new URL(path, scope).pathname;

precacheAndRoute([
	...immutable.map(({ path }) => ({ url: absolute(path), revision: null })),
	...assets.map(({ path }) => ({ url: absolute(path), revision: version })),
	{ url: SHELL_URL, revision: version }
]);
cleanupOutdatedCaches();
// The first worker controls the page at once, so the very first visit already works offline.
clientsClaim();

self.addEventListener('message', (event) => {
	// A new version waits until the villager accepts it (src/lib/client/pwa.svelte.ts).
	if (event.data?.type === 'SKIP_WAITING') void self.skipWaiting();
});

// Background Sync (Chromium): ask an open page to drain the outbox. With no page
// open, the next visit drains it (the outbox lives in the page's IndexedDB).
self.addEventListener('sync', (event) => {
	const syncEvent = event as Event & { tag?: string; waitUntil(promise: Promise<unknown>): void };
	if (syncEvent.tag !== 'crieur-outbox') return;
	syncEvent.waitUntil(
		self.clients.matchAll({ type: 'window' }).then((clients) => {
			for (const client of clients) client.postMessage({ type: 'drain-outbox' });
		})
	);
});

interface PushedNotification {
	title?: string;
	body?: string;
	navigate?: string;
	lang?: string;
	tag?: string;
}

/** Only this app's own pages: a push names where to go, and nothing else is opened. */
function ownPage(target: string | undefined): string {
	try {
		const url = new URL(target ?? '/', self.location.origin);
		return url.origin === self.location.origin ? url.href : self.location.origin + '/';
	} catch {
		return self.location.origin + '/';
	}
}

// Every push is shown (Safari withdraws subscriptions whose pushes show nothing),
// and open pages sync at once: the notice is on the server already. The payload
// is Declarative Web Push (src/lib/domain/reach.ts), which Safari shows itself.
self.addEventListener('push', (event) => {
	let notification: PushedNotification = {};
	try {
		notification =
			(event.data?.json() as { notification?: PushedNotification })?.notification ?? {};
	} catch {
		// Not ours to read: still shown, as the commune's app.
	}
	event.waitUntil(
		Promise.all([
			self.registration.showNotification(notification.title ?? 'Crieur', {
				body: notification.body,
				lang: notification.lang,
				tag: notification.tag,
				icon: '/icons/icon-192.png',
				badge: '/icons/icon-192.png',
				data: { navigate: ownPage(notification.navigate) }
			}),
			self.clients.matchAll({ type: 'window' }).then((clients) => {
				for (const client of clients) client.postMessage({ type: 'sync-now' });
			})
		])
	);
});

// Tapping opens the notice: in an open window of the app if there is one.
self.addEventListener('notificationclick', (event) => {
	event.notification.close();
	const target = ownPage((event.notification.data as { navigate?: string } | null)?.navigate);
	event.waitUntil(
		self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(async (clients) => {
			for (const client of clients) {
				if (client.url.startsWith(self.location.origin)) {
					const opened = await client.navigate(target).catch(() => null);
					if (opened) return void (await opened.focus());
				}
			}
			await self.clients.openWindow(target);
		})
	);
});

self.addEventListener('activate', (event) => {
	// Pages of an older build point at scripts that no longer exist.
	event.waitUntil(
		caches
			.keys()
			.then((keys) =>
				Promise.all(
					keys
						.filter((key) => key.startsWith('crieur-pages-') && key !== PAGES_CACHE)
						.map((key) => caches.delete(key))
				)
			)
	);
});

registerRoute(
	new NavigationRoute(
		new NetworkFirst({
			cacheName: PAGES_CACHE,
			// On a weak link a stale page now beats a fresh one in ten seconds; the
			// page then pulls the latest notices itself.
			networkTimeoutSeconds: 4,
			plugins: [new ExpirationPlugin({ maxEntries: 200 })]
		}),
		{ denylist: [/^\/api\//, /^\/db\//, /^\/fichiers\//] }
	)
);

registerRoute(
	({ url, request }) =>
		request.method === 'GET' &&
		url.origin === self.location.origin &&
		url.pathname.startsWith('/fichiers/'),
	new StaleWhileRevalidate({
		cacheName: FILES_CACHE,
		plugins: [
			new ExpirationPlugin({
				maxEntries: 60,
				maxAgeSeconds: 60 * 24 * 3600,
				purgeOnQuotaError: true
			})
		]
	})
);

// Map tiles seen once stay for a month, so a report's map works on the next
// offline visit; the tile policy asks for caching, never for bulk download.
registerRoute(
	({ url, request }) => request.method === 'GET' && url.origin === TILE_ORIGIN,
	new CacheFirst({
		cacheName: 'crieur-map',
		plugins: [
			new ExpirationPlugin({
				maxEntries: 400,
				maxAgeSeconds: 30 * 24 * 3600,
				purgeOnQuotaError: true
			})
		]
	})
);

registerRoute(
	({ url }) => url.origin === self.location.origin && url.pathname === '/manifest.webmanifest',
	new StaleWhileRevalidate({ cacheName: PAGES_CACHE })
);

// A page never seen and no network: serve the shell, which renders from the replica.
setCatchHandler(async ({ request }) => {
	if (request.destination === 'document') {
		return (await matchPrecache(SHELL_URL)) ?? Response.error();
	}
	return Response.error();
});
