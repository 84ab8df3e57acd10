import { REACH_CATEGORIES, type ReachCategory } from '../domain/reach.ts';
import { readSetting, writeSetting } from './device-db.ts';

/**
 * What this device can do about alerts: `unsupported` (no Web Push here),
 * `install-first` (an iPhone or iPad: only an app added to the home screen
 * may receive them), `blocked` (the person refused notifications for the
 * site), or `off` / `on`.
 */
export type AlertsState = 'checking' | 'unsupported' | 'install-first' | 'blocked' | 'off' | 'on';

const CATEGORIES_SETTING = 'alerts.categories';
const ZONES_SETTING = 'alerts.zones';

export function isAppleMobile(): boolean {
	return (
		/iPad|iPhone|iPod/.test(navigator.userAgent) ||
		(navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1)
	);
}

export function isInstalled(): boolean {
	return (
		matchMedia('(display-mode: standalone)').matches ||
		(navigator as Navigator & { standalone?: boolean }).standalone === true
	);
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
	const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
	const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
	return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function sameKey(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
	if (!a || a.byteLength !== b.byteLength) return false;
	const left = new Uint8Array(a);
	return left.every((byte, index) => byte === b[index]);
}

/** The server's French reason (every API error carries one), else `fallback`. */
async function errorMessage(response: Response, fallback: string): Promise<string> {
	const body = (await response.json().catch(() => null)) as { reason?: unknown } | null;
	return typeof body?.reason === 'string' ? body.reason : fallback;
}

async function sendSubscription(
	method: 'PUT' | 'DELETE',
	body: unknown,
	fallback: string
): Promise<void> {
	const response = await fetch('/api/push', {
		method,
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body)
	});
	// A device the server no longer knows is stopped all the same.
	if (method === 'DELETE' && response.status === 404) return;
	if (!response.ok) throw new Error(await errorMessage(response, fallback));
}

/**
 * The device's subscription to the commune's alerts (issue 16 §1). Asking the
 * browser's permission only ever follows the person's own tap on « Recevoir
 * les alertes »; nothing here runs on page load but reading the state.
 */
class Alerts {
	state = $state<AlertsState>('checking');
	categories = $state<ReachCategory[]>(['urgent']);
	/** The zones chosen; none means every zone. */
	zones = $state<string[]>([]);
	busy = $state(false);
	error = $state<string | null>(null);

	async refresh(): Promise<void> {
		this.categories = (await readSetting<ReachCategory[]>(CATEGORIES_SETTING)) ?? ['urgent'];
		this.zones = (await readSetting<string[]>(ZONES_SETTING)) ?? [];
		const pushable =
			'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
		if (!pushable) {
			this.state = isAppleMobile() && !isInstalled() ? 'install-first' : 'unsupported';
			return;
		}
		if (Notification.permission === 'denied') {
			this.state = 'blocked';
			return;
		}
		const registration = await navigator.serviceWorker.ready;
		const subscription = await registration.pushManager.getSubscription();
		this.state = subscription && Notification.permission === 'granted' ? 'on' : 'off';
	}

	/** Subscribes, or saves new choices when already subscribed. */
	async subscribe(
		categories: ReachCategory[],
		zones: string[],
		messages: { offline: string; failed: string }
	) {
		this.error = null;
		if (!navigator.onLine) {
			this.error = messages.offline;
			return;
		}
		this.busy = true;
		try {
			if ((await Notification.requestPermission()) !== 'granted') {
				this.state = Notification.permission === 'denied' ? 'blocked' : 'off';
				return;
			}
			const response = await fetch('/api/push');
			if (!response.ok) throw new Error(await errorMessage(response, messages.failed));
			const serverKey = keyBytes(((await response.json()) as { public_key: string }).public_key);
			const registration = await navigator.serviceWorker.ready;
			let subscription = await registration.pushManager.getSubscription();
			// Made with another key (the server's changed): push services would refuse it.
			if (subscription && !sameKey(subscription.options.applicationServerKey, serverKey)) {
				await subscription.unsubscribe();
				subscription = null;
			}
			subscription ??= await registration.pushManager.subscribe({
				userVisibleOnly: true,
				applicationServerKey: serverKey
			});
			const ordered = REACH_CATEGORIES.filter((category) => categories.includes(category));
			await sendSubscription(
				'PUT',
				{ subscription: subscription.toJSON(), categories: ordered, zones },
				messages.failed
			);
			await writeSetting(CATEGORIES_SETTING, ordered);
			await writeSetting(ZONES_SETTING, zones);
			this.categories = ordered;
			this.zones = zones;
			this.state = 'on';
		} catch (error) {
			this.error = error instanceof Error && error.message ? error.message : messages.failed;
		} finally {
			this.busy = false;
		}
	}

	async unsubscribe(messages: { offline: string; failed: string }): Promise<void> {
		this.error = null;
		if (!navigator.onLine) {
			this.error = messages.offline;
			return;
		}
		this.busy = true;
		try {
			const registration = await navigator.serviceWorker.ready;
			const subscription = await registration.pushManager.getSubscription();
			if (subscription) {
				const { endpoint, keys } = subscription.toJSON();
				await sendSubscription('DELETE', { endpoint, auth: keys?.auth }, messages.failed);
				await subscription.unsubscribe();
			}
			this.state = 'off';
		} catch (error) {
			this.error = error instanceof Error && error.message ? error.message : messages.failed;
		} finally {
			this.busy = false;
		}
	}
}

export const alerts = new Alerts();
