import type { Commune } from './commune.ts';
import type { Notice } from './notice.ts';
import type { Poll } from './poll.ts';
import type { Tally } from './tally.ts';

/** What the first, server-rendered visit needs: the commune and what is current. */
export interface PublicSnapshot {
	commune: Commune;
	notices: Notice[];
	/** Polls not closed for more than a month, with their tallies. */
	polls: PollWithTally[];
	generated_at: string;
}

export interface PollWithTally {
	poll: Poll;
	tally: Tally | null;
}
