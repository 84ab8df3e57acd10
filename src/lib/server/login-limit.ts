import { OneAtATime, RateLimiter } from './rate-limit.ts';

/** Wrong passwords allowed per address and per account name before a pause. */
export const LOGIN_FAILURES_ALLOWED = 10;
export const LOGIN_WINDOW_MS = 15 * 60_000;

export type LoginOutcome =
	{ blocked: false; response: Response } | { blocked: true; retryAfterSeconds: number };

/** Who is trying: the address, the account name, and the device if it is trusted for that name. */
export interface LoginAttempt {
	address: string;
	name: string;
	/** From a valid device cookie for this name (trusted-device.ts), else null. */
	trustedDevice: string | null;
}

/**
 * Password guessing against CouchDB's `_session` (and basic auth, and the
 * kiosk's unlock). Only failures count, so a secretary who signs in a hundred
 * times a day, or a test suite from 127.0.0.1, is never slowed down.
 *
 * A device where the account signed in before counts its own failures only.
 * Every other client is paused per address (one machine) and, together, per
 * name (many machines aiming at one account): strangers can pause an account
 * for strangers, never for the mairie's own laptops. Guessing stays hopeless:
 * 10 tries per quarter of an hour for all strangers together, and as many per
 * trusted device, which an attacker has first to steal.
 */
export class LoginGuard {
	readonly #perAddress: RateLimiter;
	readonly #perName: RateLimiter;
	readonly #perDevice: RateLimiter;
	readonly #queue = new OneAtATime();

	/** `shared`: the name its counts go by among app processes (rate-limit.ts); none in unit tests. */
	constructor(shared?: string) {
		const limiter = (which: string) =>
			new RateLimiter(LOGIN_FAILURES_ALLOWED, LOGIN_WINDOW_MS, shared && `${shared}-${which}`);
		this.#perAddress = limiter('address');
		this.#perName = limiter('name');
		this.#perDevice = limiter('device');
	}

	/**
	 * Runs one login attempt unless it is paused. `failed` says from the answer
	 * whether the password was wrong.
	 */
	attempt(
		who: LoginAttempt,
		login: () => Promise<Response>,
		failed: (response: Response) => Promise<boolean>
	): Promise<LoginOutcome> {
		const keys: [RateLimiter, string][] =
			who.trustedDevice === null
				? [
						[this.#perAddress, `address:${who.address}`],
						[this.#perName, `name:${who.name}`]
					]
				: [[this.#perDevice, `device:${who.name}:${who.trustedDevice}`]];
		// One attempt at a time per key, always taken in the same order (so no two
		// attempts wait on each other): parallel guesses cannot all pass the check
		// before the first of them is counted.
		const run = async (): Promise<LoginOutcome> => {
			const paused = keys
				.map(([limiter, key]) => limiter.check(key))
				.filter((limit) => !limit.allowed);
			if (paused.length > 0) {
				return {
					blocked: true,
					retryAfterSeconds: Math.max(...paused.map((limit) => limit.retryAfterSeconds))
				};
			}
			const response = await login();
			if (await failed(response)) for (const [limiter, key] of keys) limiter.hit(key);
			return { blocked: false, response };
		};
		return keys.reduceRight<() => Promise<LoginOutcome>>(
			(inner, [, key]) =>
				() =>
					this.#queue.run(key, inner),
			run
		)();
	}
}

/** One count for the whole server: /db/_session, basic auth and the kiosk's unlock. */
export const passwordGuesses = new LoginGuard('passwords');

/**
 * The name and password of a `_session` login body (JSON or form), or null
 * when it is not exactly two strings. Only these two go on to the store:
 * Apache CouchDB answers 500 to a non-string or an extra field, the stand-in 401.
 */
export function loginCredentials(
	body: Uint8Array,
	contentType: string
): { name: string; password: string } | null {
	const text = new TextDecoder().decode(body);
	if (contentType.startsWith('application/x-www-form-urlencoded')) {
		const form = new URLSearchParams(text);
		const [name, password] = [form.get('name'), form.get('password')];
		return name !== null && password !== null ? { name, password } : null;
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return null;
	}
	const { name, password } = (parsed ?? {}) as { name?: unknown; password?: unknown };
	return typeof name === 'string' && typeof password === 'string' ? { name, password } : null;
}

/** The account name of a basic `Authorization` header, or null without one. */
export function basicAuthName(header: string | null): string | null {
	const match = /^basic\s+(\S+)$/i.exec(header?.trim() ?? '');
	if (!match) return null;
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	return colon === -1 ? decoded : decoded.slice(0, colon);
}
