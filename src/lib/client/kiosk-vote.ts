import { newId } from '../domain/slug.ts';
import { randomBytes } from './random.ts';

/**
 * A resident's code at the kiosk lives in the page's memory only, for the
 * request in flight: never in IndexedDB, localStorage or the outbox. A kiosk
 * that cannot send says so and keeps nothing; the resident can vote later or
 * on their phone. (A ballot kept for later would keep their code with it.)
 */

/** What the server said of a code or a ballot, in the kiosk's terms. */
export type KioskAnswer =
	| { kind: 'ok' }
	/** The code is wrong (or not a code): the resident corrects it. */
	| { kind: 'wrong_code'; reason: string }
	/** Too many wrong codes on this kiosk: codes work again at `retryAt`. */
	| { kind: 'throttled'; retryAt: Date }
	/** The ballot was refused for a reason the resident can read (already voted, poll closed…). */
	| { kind: 'refused'; reason: string }
	/** No answer: the network or the server; nothing was kept. */
	| { kind: 'unreachable' };

const TIMEOUT_MS = 15_000;

async function post(url: string, body: Record<string, unknown>): Promise<KioskAnswer> {
	let response: Response;
	try {
		response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', accept: 'application/json' },
			body: JSON.stringify(body),
			signal: AbortSignal.timeout(TIMEOUT_MS)
		});
	} catch {
		return { kind: 'unreachable' };
	}
	if (response.ok) return { kind: 'ok' };
	const answer = (await response.json().catch(() => null)) as {
		error?: string;
		reason?: string;
		retry_after?: number;
	} | null;
	if (response.status === 429) {
		const seconds = Number(answer?.retry_after ?? response.headers.get('retry-after') ?? 600);
		return { kind: 'throttled', retryAt: new Date(Date.now() + seconds * 1000) };
	}
	if (response.status >= 500 || response.status === 408) return { kind: 'unreachable' };
	const reason = answer?.reason ?? '';
	if (answer?.error === 'unknown_code' || answer?.error === 'invalid_format') {
		return { kind: 'wrong_code', reason };
	}
	return { kind: 'refused', reason };
}

/** Checks a complete code before the resident chooses: valid or not, nothing else. */
export function checkKioskCode(code: string): Promise<KioskAnswer> {
	return post('/api/borne/code', { code });
}

/** A ballot's idempotency key, made once per vote so that a retry never counts twice. */
export const newBallotId = (): string => newId('o', new Date(), randomBytes).replace(':', '-');

/**
 * Sends a ballot typed at the kiosk. A lost answer is retried with the same id
 * (the server counts it once) while the resident waits; then the kiosk gives up
 * and says so.
 */
export async function sendKioskBallot(ballot: {
	id: string;
	code: string;
	poll: string;
	choices: readonly string[];
}): Promise<KioskAnswer> {
	const body = {
		outbox_id: ballot.id,
		code: ballot.code,
		poll: ballot.poll,
		choices: [...ballot.choices]
	};
	let answer = await post('/api/borne/ballots', body);
	for (const wait of [1_000, 3_000]) {
		if (answer.kind !== 'unreachable') break;
		await new Promise((resolve) => setTimeout(resolve, wait));
		answer = await post('/api/borne/ballots', body);
	}
	return answer;
}
