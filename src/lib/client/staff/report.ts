import type { DraftNotice, Notice } from '../../domain/notice.ts';
import type { ParticipationInput, ReadsDoc } from '../../domain/participation.ts';
import type { Poll } from '../../domain/poll.ts';
import type { SubmissionDoc } from '../../domain/submission.ts';
import type { Tally } from '../../domain/tally.ts';
import type { StaffDbs } from './handles.ts';

async function docsWithPrefix<T>(db: PouchDB.Database, prefix: string): Promise<T[]> {
	const result = await db.allDocs({
		include_docs: true,
		startkey: prefix,
		endkey: `${prefix}\ufff0`
	});
	return result.rows.flatMap((row) => (row.doc ? [row.doc as unknown as T] : []));
}

/** Everything the participation report counts, from this laptop's replicas (offline too). */
export async function readParticipationInput(dbs: StaffDbs): Promise<ParticipationInput> {
	const [published, retracted, polls, tallies, reads, residents, submissions] = await Promise.all([
		docsWithPrefix<Notice>(dbs.local.public, 'notice:'),
		docsWithPrefix<DraftNotice>(dbs.local.mairie, 'notice:'),
		docsWithPrefix<Poll>(dbs.local.public, 'poll:'),
		docsWithPrefix<Tally>(dbs.local.public, 'tally:'),
		docsWithPrefix<ReadsDoc>(dbs.local.mairie, 'reads:'),
		docsWithPrefix<ParticipationInput['residents'][number]>(dbs.local.mairie, 'resident:'),
		docsWithPrefix<SubmissionDoc>(dbs.local.mairie, 'submission:')
	]);
	const ballots = new Map(tallies.map((tally) => [tally.poll, tally.total]));
	return {
		// A retracted notice was published: it counts for the period it was out.
		notices: [...published, ...retracted.filter((notice) => notice.status === 'retracted')],
		reads,
		residents,
		polls: polls.map((poll) => ({ ...poll, ballots: ballots.get(poll._id) ?? 0 })),
		submissions
	};
}
