import { fetchCommuneSlug } from './commune.ts';
import { roles } from '../domain/commune.ts';
import type * as DeviceDbModule from './device-db.ts';
import type { KioskAccount, Pairing } from './kiosk-pairing.ts';

const SETTING = 'kiosk';
/** Read synchronously by the root layout, to keep a paired tablet inside /borne. */
const HINT = 'crieur.kiosk';

/** Where earlier versions queued kiosk ballots, each with a resident's code. */
const KIOSK_BALLOTS = '/api/borne/ballots';

const load = (): Promise<typeof DeviceDbModule> => import('./device-db.ts');

export function isPairedHint(): boolean {
	try {
		return localStorage.getItem(HINT) === '1';
	} catch {
		return false;
	}
}

/**
 * This tablet as a kiosk: its device account (kept on the tablet: it is the
 * mairie's device, not a person), pairing and the staff unlock.
 */
class KioskDevice {
	paired = $state(false);
	loaded = $state(false);

	async init(): Promise<void> {
		if (this.loaded) return;
		const db = await load();
		const account = await db.readSetting<KioskAccount>(SETTING);
		this.paired = Boolean(account);
		this.loaded = true;
		// A tablet updated from a version that queued kiosk ballots drops them: each holds a code.
		if (account)
			await db
				.deviceDb()
				.outbox.filter((item) => item.url === KIOSK_BALLOTS)
				.delete();
		if (account && navigator.onLine !== false) await this.#ensureSession(account);
	}

	async #login(account: KioskAccount): Promise<boolean> {
		const response = await fetch('/db/_session', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(account)
		});
		if (!response.ok) return false;
		const body = (await response.json()) as { roles?: string[] };
		// A kiosk account of another commune of this deployment is no kiosk here.
		const commune = await fetchCommuneSlug().catch(() => null);
		return commune !== null && (body.roles ?? []).includes(roles.kiosk(commune));
	}

	/** The kiosk's CouchDB session expires like any other: renew it from the stored account. */
	async #ensureSession(account: KioskAccount): Promise<void> {
		try {
			const session = (await (await fetch('/db/_session')).json()) as {
				userCtx?: { name: string | null };
			};
			if (session.userCtx?.name !== account.name) await this.#login(account);
		} catch {
			// Offline: the outbox waits.
		}
	}

	/**
	 * Whether this device holds a staff session (the secretary's laptop): a
	 * kiosk must not keep the mairie's replicas, so pairing waits for a sign-out.
	 */
	async staffDevice(): Promise<string | null> {
		// The setting staff-store.svelte.ts keeps its session under.
		const session = await (await load()).readSetting<{ name: string }>('staff-session');
		return session?.name ?? null;
	}

	/** Turns this device into the kiosk, once a person confirmed it on the device. */
	async pair({ account }: Pairing): Promise<boolean> {
		try {
			if (!(await this.#login(account))) return false;
		} catch {
			return false;
		}
		await (await load()).writeSetting(SETTING, account);
		localStorage.setItem(HINT, '1');
		this.paired = true;
		this.loaded = true;
		return true;
	}

	/** Staff credentials unlock the tablet: it stops being a kiosk. */
	async unlock(name: string, password: string): Promise<'ok' | 'refused' | 'offline'> {
		let response: Response;
		try {
			response = await fetch('/api/borne/unlock', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ name, password })
			});
		} catch {
			return 'offline';
		}
		if (!response.ok) return 'refused';
		await fetch('/db/_session', { method: 'DELETE' }).catch(() => undefined);
		await (await load()).deleteSetting(SETTING);
		localStorage.removeItem(HINT);
		this.paired = false;
		return 'ok';
	}
}

export const kiosk = new KioskDevice();
