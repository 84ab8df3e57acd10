import https from 'node:https';
import webpush from 'web-push';
import { pushEndpoint, type PushMessage } from '../../domain/reach.ts';
import type { VapidKeys } from './vapid.ts';
import type { PushSubscriptionDoc } from './subscriptions.ts';

export interface PushOptions {
	ttlSeconds: number;
	urgency: 'very-low' | 'low' | 'normal' | 'high';
	topic: string;
}

/** `sent`: the push service took it; `gone`: the subscription no longer exists there. */
export type PushOutcome = 'sent' | 'gone' | 'failed';

/** Kept-alive connections: a fan-out to thousands goes to a handful of push services. */
const agent = new https.Agent({ keepAlive: true, maxSockets: 64 });

/** A push service that does not answer within this is a failure for that device, not a stall. */
const PUSH_TIMEOUT_MS = 10_000;

/**
 * Sends one message to one device. The endpoint is checked again against the
 * allowed push services (the list may have changed since it subscribed).
 * Never throws: one device's failure is that device's.
 */
export async function pushTo(
	subscription: Pick<PushSubscriptionDoc, 'endpoint' | 'keys'>,
	message: PushMessage,
	options: PushOptions,
	context: { vapid: VapidKeys; subject: string; allowed: readonly string[] }
): Promise<PushOutcome> {
	if (!pushEndpoint(subscription.endpoint, context.allowed)) return 'gone';
	try {
		await webpush.sendNotification(subscription, JSON.stringify(message), {
			vapidDetails: {
				subject: context.subject,
				publicKey: context.vapid.publicKey,
				privateKey: context.vapid.privateKey
			},
			TTL: options.ttlSeconds,
			urgency: options.urgency,
			topic: options.topic,
			timeout: PUSH_TIMEOUT_MS,
			agent
		});
		return 'sent';
	} catch (error) {
		const status = (error as { statusCode?: number }).statusCode;
		return status === 404 || status === 410 ? 'gone' : 'failed';
	}
}
