import type * as DeviceDbModule from './device-db.ts';
import { deviceDbUsed } from './device-hint.ts';
import { outbox } from './outbox.svelte.ts';

const load = (): Promise<typeof DeviceDbModule> => import('./device-db.ts');

const SETTING = 'resident';

export type CodeError =
	'invalid_format' | 'unknown_code' | 'too_many_attempts' | 'offline' | 'server';

/**
 * Whether this device acts as a resident. The session itself is CouchDB's
 * cookie; the device remembers only that it has one (never the code), and asks
 * the server when online, since a revoked code ends it.
 */
class ResidentSession {
	signedIn = $state(false);
	loaded = $state(false);

	/** `hinted`: skip on a device that never stored anything (see deviceDbUsed). */
	async init(options: { hinted?: boolean } = {}): Promise<void> {
		if (this.loaded) return;
		if (options.hinted && !deviceDbUsed()) return;
		const store = await load();
		this.signedIn = Boolean(await store.readSetting<{ since: string }>(SETTING));
		this.loaded = true;
		if (navigator.onLine === false) return;
		try {
			const response = await fetch('/api/habitants/session', {
				headers: { accept: 'application/json' }
			});
			if (response.ok)
				await this.#remember(((await response.json()) as { resident: boolean }).resident);
		} catch {
			// Offline: keep what the device remembers.
		}
	}

	async #remember(signedIn: boolean): Promise<void> {
		// Stored before the page says so: a page left at once (a reload, a link
		// typed in) must find the session the server opened, not a signed-out device.
		try {
			const store = await load();
			if (signedIn) await store.writeSetting(SETTING, { since: new Date().toISOString() });
			else await store.deleteSetting(SETTING);
		} finally {
			this.signedIn = signedIn;
		}
	}

	/** Checks a code with the server; on success, ballots waiting for a code are sent. */
	async enter(code: string): Promise<{ error: CodeError; reason: string } | null> {
		let response: Response;
		try {
			response = await fetch('/api/habitants/session', {
				method: 'POST',
				headers: { 'content-type': 'application/json', accept: 'application/json' },
				body: JSON.stringify({ code })
			});
		} catch {
			return { error: 'offline', reason: '' };
		}
		const body = (await response.json().catch(() => ({}))) as { error?: string; reason?: string };
		if (!response.ok) {
			const known: CodeError[] = ['invalid_format', 'unknown_code', 'too_many_attempts'];
			const error = known.includes(body.error as CodeError) ? (body.error as CodeError) : 'server';
			return { error, reason: body.reason ?? '' };
		}
		await this.#remember(true);
		void outbox.drain();
		return null;
	}

	async signOut(): Promise<void> {
		await fetch('/api/habitants/session', { method: 'DELETE' }).catch(() => undefined);
		await this.#remember(false);
	}
}

export const resident = new ResidentSession();
