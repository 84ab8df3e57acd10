/**
 * The outbox: what a device did offline (ballots, suggestions and reports),
 * kept until the server has it. Pure rules here; the Dexie table and
 * the draining loop live in src/lib/client/outbox.ts.
 */
export type OutboxKind = 'ballot' | 'submission' | 'support';

export type OutboxState =
	/** Not yet accepted: will be sent at the next trigger. */
	| 'waiting'
	/** A send is in flight (reset to waiting if the page dies meanwhile). */
	| 'sending'
	/** The server has it. */
	| 'sent'
	/** The server said no, with a reason; sending again would not help. */
	| 'refused';

export interface OutboxItem {
	/** Made on the device; the server's idempotency key. */
	id: string;
	kind: OutboxKind;
	/** Where it goes, e.g. /api/ballots. */
	url: string;
	body: Record<string, unknown>;
	/**
	 * Photos, kept as Blobs in IndexedDB beside the item and sent with it
	 * (multipart): they wait offline as long as the text does.
	 */
	files?: Blob[];
	/** What the villager sees in the list, e.g. the poll's question. */
	label: string;
	/** What it is about, e.g. the poll id, to show its state beside it. */
	subject: string;
	state: OutboxState;
	attempts: number;
	/** Epoch ms before which it is not retried. */
	next_attempt_at: number;
	created_at: string;
	updated_at: string;
	sent_at?: string;
	/**
	 * Deleted from the device once settled (sent or refused): a kiosk's items
	 * carry a resident's code, which must not outlive the send.
	 */
	ephemeral?: boolean;
	/** The server's answer when refused, or why it waits (e.g. a code to enter). */
	error?: { code: string; reason: string };
}

/**
 * The server's answer when the mairie revoked or replaced the code this
 * device entered. Not final: what the villager wrote waits on the device
 * (blocked, like an item without a session) and goes once they enter the code
 * of their new letter; the device forgets the dead session meanwhile.
 */
export const CODE_REVOKED = 'code_revoked';

export type SendOutcome =
	| { next: 'sent' }
	| { next: 'refused'; code: string; reason: string }
	/** Keeps waiting; `blocked` when the villager must act first (enter their code). */
	| { next: 'retry'; code?: string; reason?: string; blocked?: boolean };

/** What an answer from the server means for an outbox item. */
export function outcomeOf(
	status: number,
	body: { error?: string; reason?: string } | null
): SendOutcome {
	if (status >= 200 && status < 300) return { next: 'sent' };
	const code = body?.error ?? `http_${status}`;
	const reason = body?.reason ?? '';
	// No resident session on this device (expired, signed out): keep it until they sign in again.
	if (status === 401) return { next: 'retry', code, reason, blocked: true };
	// The code was withdrawn (issue 13 §2): nothing written offline is dropped for it.
	if (status === 403 && code === CODE_REVOKED)
		return { next: 'retry', code, reason, blocked: true };
	// Timeouts, rate limits, server trouble: try again later.
	if (status === 408 || status === 429 || status >= 500) return { next: 'retry', code, reason };
	return { next: 'refused', code, reason };
}

/** Back-off between attempts: 2 s, 4 s, 8 s … up to 5 minutes. */
export function retryDelayMs(attempts: number): number {
	return Math.min(2_000 * 2 ** Math.max(0, attempts - 1), 5 * 60_000);
}

/** Items to send now, oldest first. */
export function dueItems(items: readonly OutboxItem[], now: number): OutboxItem[] {
	return items
		.filter((item) => item.state === 'waiting' && item.next_attempt_at <= now)
		.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

/**
 * When the server blocked one item for want of a working code, the ids of the
 * others (of those still to send) that it would block for the same reason:
 * every item but a kiosk's ephemeral one goes under the device's resident
 * session. They are marked, not sent, so each says what the villager must do.
 */
export function blockedAlike(rest: readonly OutboxItem[]): string[] {
	return rest.filter((item) => !item.ephemeral && item.state === 'waiting').map((item) => item.id);
}

/**
 * When a blocked item is next due: never by itself. Retrying it on every
 * drain only fetched the same refusal and flickered « Envoi en cours… »; the
 * villager entering a code releases it (`releasedByCode`). Not finite, so no
 * timer is set for it.
 */
export const UNTIL_A_CODE = Number.POSITIVE_INFINITY;

/** Items waiting for a code (none entered, or one withdrawn): a code just accepted sends them. */
export function releasedByCode(items: readonly OutboxItem[]): string[] {
	return items
		.filter(
			(item) =>
				item.state === 'waiting' &&
				(item.error?.code === 'not_resident' || item.error?.code === CODE_REVOKED)
		)
		.map((item) => item.id);
}
