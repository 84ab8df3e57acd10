import { subscriberCounter, type AlertReach, type ReachReport } from '../../domain/reach.ts';
import type { Backend } from '../backend.ts';
import type { EmailSubscriptionDoc } from './email-subscriptions.ts';
import type { DeliveryDoc } from './fan-out.ts';
import { reachDocs, subscriptionsOf } from './subscriptions.ts';

/** The commune's reach, in counts (issue 16 §6): what staff may see of <commune>-reach. */
export async function readReach(backend: Backend): Promise<ReachReport> {
	const counter = subscriberCounter();
	for await (const subscription of subscriptionsOf(backend)) counter.add(subscription);
	const emails = subscriberCounter();
	const addresses = reachDocs<EmailSubscriptionDoc>(backend, { from: 'email:', to: 'email:' });
	for await (const address of addresses) {
		if (address.state === 'confirmed') emails.add({ ...address, since: address.since ?? '' });
	}
	const reach = backend.couch.use<DeliveryDoc>(backend.databases.reach);
	const deliveries = await reach.list({
		startkey: 'delivery:',
		endkey: 'delivery:\ufff0',
		include_docs: true
	});
	const alerts: AlertReach[] = deliveries.rows.flatMap((row) => {
		const doc = row.doc;
		if (!doc || doc.kind !== 'alert' || !doc.notice) return [];
		return [
			{
				notice: doc.notice,
				state: doc.state,
				corrections: doc.corrections,
				sent: doc.counts.sent,
				gone: doc.counts.gone,
				failed: doc.counts.failed,
				mailed: doc.mail_counts?.sent ?? 0,
				mailFailed: (doc.mail_counts?.failed ?? 0) + (doc.mail_counts?.gone ?? 0)
			}
		];
	});
	return { subscribers: counter.result(), emails: emails.result(), alerts };
}
