import nano from 'nano';
import type { Poll } from '../../src/lib/domain/poll.ts';
import { pollFactory } from '../factories.ts';

/**
 * A poll open now for an hour, written straight into the demo commune's public
 * database with the store's admin: tests of ballots and tallies start from it.
 */
export async function publishOpenPoll(adminUrl: string, overrides: Partial<Poll> = {}) {
	const now = Date.now();
	const poll = pollFactory({
		opens_at: new Date(now - 60_000).toISOString(),
		closes_at: new Date(now + 3_600_000).toISOString(),
		...overrides
	});
	await nano(adminUrl)
		.use('demo-public')
		.insert(poll as never);
	return poll;
}
