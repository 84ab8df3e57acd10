import type * as DeviceDbModule from './device-db.ts';
import { deviceDbUsed } from './device-hint.ts';
import { outbox } from './outbox.svelte.ts';

const load = (): Promise<typeof DeviceDbModule> => import('./device-db.ts');

const SETTING = 'resident';

/** What the device keeps: when it was recognised, or when it learnt its code was withdrawn. */
interface Remembered {
	since?: string;
	revoked_at?: string;
}

export type CodeError =
	'invalid_format' | 'unknown_code' | 'too_many_attempts' | 'offline' | 'server';

/**
 * Whether this device acts as a resident. The session itself is CouchDB's
 * cookie; the device remembers only that it has one (never the code), and asks
 * the server when online, since a revoked code ends it (and the server says so).
 */
class ResidentSession {
	signedIn = $state(false);
	/**
	 * The mairie revoked or replaced the code this device used: the device
	 * forgot it, and pages say so instead of asking for the same code again.
	 */
	revoked = $state(false);
	loaded = $state(false);

	constructor() {
		outbox.onCodeRevoked(() => void this.#remember('revoked'));
	}

	/** `hinted`: skip on a device that never stored anything (see deviceDbUsed). */
	async init(options: { hinted?: boolean } = {}): Promise<void> {
		if (this.loaded) return;
		if (options.hinted && !deviceDbUsed()) return;
		const store = await load();
		const kept = await store.readSetting<Remembered>(SETTING);
		this.signedIn = Boolean(kept?.since);
		this.revoked = Boolean(kept?.revoked_at);
		this.loaded = true;
		if (navigator.onLine === false) return;
		try {
			const response = await fetch('/api/habitants/session', {
				headers: { accept: 'application/json' }
			});
			if (!response.ok) return;
			const answer = (await response.json()) as { resident: boolean; revoked?: boolean };
			if (answer.resident) {
				await this.#remember('signed-in');
				// Signed in meanwhile (another tab): what waited for a code goes.
				if (deviceDbUsed()) void outbox.release();
			} else if (answer.revoked) await this.#remember('revoked');
			// No session, and no word of a revoked code: keep "revoked" if the device knew it.
			else await this.#remember(this.revoked ? 'revoked' : 'none');
		} catch {
			// Offline: keep what the device remembers.
		}
	}

	async #remember(state: 'signed-in' | 'revoked' | 'none'): Promise<void> {
		// Stored before the page says so: a page left at once (a reload, a link
		// typed in) must find the session the server opened, not a signed-out device.
		try {
			const store = await load();
			const now = new Date().toISOString();
			if (state === 'signed-in') {
				await store.writeSetting(SETTING, { since: now } satisfies Remembered);
			} else if (state === 'revoked') {
				await store.writeSetting(SETTING, { revoked_at: now } satisfies Remembered);
			} else await store.deleteSetting(SETTING);
		} finally {
			this.signedIn = state === 'signed-in';
			this.revoked = state === 'revoked';
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
		await this.#remember('signed-in');
		void outbox.release();
		return null;
	}

	async signOut(): Promise<void> {
		await fetch('/api/habitants/session', { method: 'DELETE' }).catch(() => undefined);
		await this.#remember('none');
	}
}

export const resident = new ResidentSession();
