import type { BrowserContext, Page } from 'playwright-core';
import type { FakeDevice } from './push-service.ts';

/**
 * The browser's PushManager, offline: Chromium cannot subscribe without the
 * internet, so the page is handed a subscription with the test device's
 * keys. Runs in the page (context.addInitScript(fakePushManager, keys)).
 */
export function fakePushManager(device: FakeDevice['subscription']) {
	// Kept across page loads, as a browser keeps a subscription: a tapped
	// notification opens the notice in a new document.
	const KEPT = 'test-push-subscription';
	const make = (key: ArrayBuffer): PushSubscription =>
		({
			endpoint: device.endpoint,
			expirationTime: null,
			options: { applicationServerKey: key, userVisibleOnly: true },
			getKey: () => null,
			toJSON: () => ({ endpoint: device.endpoint, expirationTime: null, keys: device.keys }),
			unsubscribe: async () => {
				localStorage.removeItem(KEPT);
				return true;
			}
		}) as unknown as PushSubscription;
	PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
		const key = (options?.applicationServerKey as Uint8Array).slice();
		localStorage.setItem(KEPT, btoa(String.fromCharCode(...key)));
		return make(key.buffer);
	};
	PushManager.prototype.getSubscription = async () => {
		const kept = localStorage.getItem(KEPT);
		return kept ? make(Uint8Array.from(atob(kept), (char) => char.charCodeAt(0)).buffer) : null;
	};
}

/**
 * Hands messages to the page's service worker as its push service would
 * (CDP ServiceWorker.deliverPushMessage), once the worker is registered.
 */
export async function pushDeliverer(
	context: BrowserContext,
	page: Page,
	origin: string
): Promise<(message: unknown) => Promise<void>> {
	const cdp = await context.newCDPSession(page);
	const registrationId = new Promise<string>((resolve) =>
		cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
			const live = registrations.find((registration) => !registration.isDeleted);
			if (live) resolve(live.registrationId);
		})
	);
	await cdp.send('ServiceWorker.enable');
	const id = await registrationId;
	return async (message) => {
		await cdp.send('ServiceWorker.deliverPushMessage', {
			origin,
			registrationId: id,
			data: JSON.stringify(message)
		});
	};
}
