import { OneAtATime, RateLimiter } from './rate-limit.ts';

/** Wrong passwords allowed per address and per account name before a pause. */
export const LOGIN_FAILURES_ALLOWED = 10;
export const LOGIN_WINDOW_MS = 15 * 60_000;

export type LoginOutcome =
	{ blocked: false; response: Response } | { blocked: true; retryAfterSeconds: number };

/**
 * Password guessing against CouchDB's `_session` (and basic auth), as seen by
 * the /db/ proxy. Only failures count, so a secretary who signs in a hundred
 * times a day, or a test suite from 127.0.0.1, is never slowed down. Per
 * address stops one machine; per name stops many machines aiming at one
 * account (at the price that they can lock it for a quarter of an hour).
 */
export class LoginGuard {
	readonly #perAddress = new RateLimiter(LOGIN_FAILURES_ALLOWED, LOGIN_WINDOW_MS);
	readonly #perName = new RateLimiter(LOGIN_FAILURES_ALLOWED, LOGIN_WINDOW_MS);
	readonly #queue = new OneAtATime();

	/**
	 * Runs one login attempt unless its address or name is paused. `failed` says
	 * from CouchDB's answer whether the password was wrong.
	 */
	attempt(
		address: string,
		name: string,
		login: () => Promise<Response>,
		failed: (response: Response) => Promise<boolean>
	): Promise<LoginOutcome> {
		const addressKey = `address:${address}`;
		const nameKey = `name:${name}`;
		// One attempt at a time per address, then per name (always in that order, so no
		// two attempts wait on each other): parallel guesses cannot all pass the check
		// before the first of them is counted.
		return this.#queue.run(addressKey, () =>
			this.#queue.run(nameKey, async (): Promise<LoginOutcome> => {
				const paused = [this.#perAddress.check(addressKey), this.#perName.check(nameKey)].filter(
					(limit) => !limit.allowed
				);
				if (paused.length > 0) {
					return {
						blocked: true,
						retryAfterSeconds: Math.max(...paused.map((limit) => limit.retryAfterSeconds))
					};
				}
				const response = await login();
				if (await failed(response)) {
					this.#perAddress.hit(addressKey);
					this.#perName.hit(nameKey);
				}
				return { blocked: false, response };
			})
		);
	}
}

/** One count for the whole server: /db/_session, basic auth and the kiosk's unlock. */
export const passwordGuesses = new LoginGuard();

/** The account name a `_session` body names, as JSON or as a form (CouchDB takes both). */
export function loginName(body: Uint8Array, contentType: string): string {
	const text = new TextDecoder().decode(body);
	let name: unknown;
	if (contentType.startsWith('application/x-www-form-urlencoded')) {
		name = new URLSearchParams(text).get('name');
	} else {
		try {
			name = (JSON.parse(text) as { name?: unknown } | null)?.name;
		} catch {
			name = undefined;
		}
	}
	if (name === undefined || name === null) return '';
	return typeof name === 'string' ? name : JSON.stringify(name);
}

/** The account name of a basic `Authorization` header, or null without one. */
export function basicAuthName(header: string | null): string | null {
	const match = /^basic\s+(\S+)$/i.exec(header?.trim() ?? '');
	if (!match) return null;
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	return colon === -1 ? decoded : decoded.slice(0, colon);
}
