import { answersWording, wordingOf, type Poll } from '../../domain/poll.ts';
import {
	nextTally,
	tallyFor,
	tallyId,
	type CastBallot,
	type Tally,
	type Writes
} from '../../domain/tally.ts';
import type { Backend } from '../backend.ts';
import type { BallotDoc } from '../ballots.ts';
import { coarser, publishInBatches, type BatchHooks } from '../batched.ts';
import { recountSupports } from '../supports.ts';
import { jobInterval } from './lease.ts';
import { startJob, type RunningJob } from './runner.ts';
import { statusOf } from '../couch-errors.ts';
import { slugOf } from '../../domain/slug.ts';

const CHECKPOINT_ID = '_local/crieur-tally';

interface Checkpoint {
	_id: string;
	_rev?: string;
	since: string;
	/** When the previous run finished: polls that closed since then need their final tally. */
	ran_at: string;
}

/**
 * Recounts one poll from all its ballots and publishes a new version of its
 * tally when the batch rule says so (domain/tally.ts), with no earlier version
 * left on the server (history-free.ts).
 */
export async function recountPoll(
	backend: Backend,
	poll: Poll,
	now: Date,
	hooks: BatchHooks = {}
): Promise<boolean> {
	const slug = slugOf(poll._id);
	const prefix = `ballot:${slug}:`;
	const rows = await backend.couch.use<BallotDoc>(backend.databases.ballots).list({
		startkey: prefix,
		endkey: `${prefix}\ufff0`,
		include_docs: true
	});
	// A ballot's revision generation counts its writes: 1 when cast, +1 per replacement.
	// Only the ballots that answered the poll as it is worded now (domain/poll.ts).
	const wording = wordingOf(poll);
	const ballots: CastBallot[] = rows.rows.flatMap((row) =>
		row.doc && answersWording(row.doc, wording)
			? [
					{
						key: row.id.slice(prefix.length),
						generation: Number.parseInt(row.doc._rev ?? '1', 10),
						choices: row.doc.choices
					}
				]
			: []
	);
	const current: Writes = Object.fromEntries(ballots.map((b) => [b.key, b.generation]));
	return publishInBatches<Omit<Tally, '_rev'>>(
		backend,
		{
			stateId: `_local/tally-state:${slug}`,
			docId: tallyId(poll._id),
			current,
			adopt: (existing) =>
				({ ...existing, updated_at: coarser(existing.updated_at) }) as Omit<Tally, '_rev'>,
			decide: (last) => {
				const next = nextTally(poll, ballots, last && { mark: last.mark, tally: last.body }, now);
				return next && { mark: next.mark, body: next.tally };
			}
		},
		hooks
	);
}

/**
 * The tally job: follows <commune>-ballots' changes from a checkpoint stored in
 * CouchDB, recounts every poll a new ballot touched, and every poll that opened
 * or closed since the last run, and the supports of every suggestion touched.
 * Recounting from all ballots makes each write exact on its own, so a run cut
 * short and started again still ends exact. With `everything` (the first run
 * of a process) it goes over every poll and suggestion: that is when tallies
 * and counts written before batches lose their history.
 */
export async function runTally(
	backend: Backend,
	now = new Date(),
	hooks: BatchHooks & { afterPoll?: (pollId: string) => void; everything?: boolean } = {}
): Promise<string[]> {
	const ballots = backend.couch.use(backend.databases.ballots);
	let checkpoint: Checkpoint = {
		_id: CHECKPOINT_ID,
		since: '0',
		ran_at: new Date(0).toISOString()
	};
	try {
		checkpoint = (await ballots.get(CHECKPOINT_ID)) as unknown as Checkpoint;
	} catch (error) {
		if (statusOf(error) !== 404) throw error;
	}
	const changes = (await backend.couch.request({
		db: backend.databases.ballots,
		path: '_changes',
		qs: { since: checkpoint.since, limit: 5000 }
	})) as { results: { id: string }[]; last_seq: string | number };

	const polls = (
		await backend.couch.use<Poll>(backend.databases.public).list({
			startkey: 'poll:',
			endkey: 'poll:\ufff0',
			include_docs: true
		})
	).rows.flatMap((row) => (row.doc?.type === 'poll' ? [row.doc] : []));

	const touched = new Set(
		changes.results
			.filter((row) => row.id.startsWith('ballot:'))
			.map((row) => `poll:${row.id.slice('ballot:'.length, row.id.lastIndexOf(':'))}`)
	);
	const lastRun = Date.parse(checkpoint.ran_at);
	const due = polls.filter((poll) => {
		const opens = Date.parse(poll.opens_at);
		const closes = Date.parse(poll.closes_at);
		const crossed = (t: number) => t > lastRun && t <= now.getTime();
		return hooks.everything || touched.has(poll._id) || crossed(opens) || crossed(closes);
	});
	// nano refuses an empty key list: a commune without polls has no tally to miss.
	if (polls.length > 0) {
		const published = await backend.couch.use<Tally>(backend.databases.public).fetch({
			keys: polls.map((poll) => tallyId(poll._id))
		});
		// No tally yet, or one that counted another wording of the poll (taken back, put out again).
		published.rows.forEach((row, index) => {
			const stale = 'doc' in row && row.doc && !tallyFor(polls[index], row.doc);
			if (('error' in row || stale) && !due.includes(polls[index])) due.push(polls[index]);
		});
	}

	const written: string[] = [];
	for (const poll of due) {
		if (await recountPoll(backend, poll, now, hooks)) written.push(poll._id);
		hooks.afterPoll?.(poll._id);
	}
	// Supports of suggestions ride the same feed: recount the suggestions they touched.
	const supported = new Set(
		changes.results
			.filter((row) => row.id.startsWith('support:'))
			.map((row) => `answer:${row.id.slice('support:'.length, row.id.lastIndexOf(':'))}`)
	);
	if (hooks.everything) {
		const counts = await backend.couch
			.use(backend.databases.public)
			.list({ startkey: 'supports:', endkey: 'supports:\ufff0' });
		for (const row of counts.rows) supported.add(`answer:${slugOf(row.id)}`);
	}
	for (const answerId of supported) {
		if (await recountSupports(backend, answerId, now, hooks)) written.push(answerId);
	}
	await ballots.insert({
		...checkpoint,
		since: String(changes.last_seq),
		ran_at: now.toISOString()
	} as never);
	return written;
}

/**
 * Runs the tally every interval, and at once when asked (after a ballot), in
 * the one app process holding its lease (several may serve one commune).
 */
export function startTally(backend: Backend, intervalMs = jobInterval(15_000)): RunningJob {
	// Until a first run has gone over everything, every run does (it rewrites old histories).
	let coveredAll = false;
	return startJob(
		backend,
		'tally',
		intervalMs,
		async () => {
			const ids = await runTally(backend, new Date(), { everything: !coveredAll });
			coveredAll = true;
			return ids;
		},
		// Another process counts; this one goes over everything again if it takes over.
		() => (coveredAll = false)
	);
}
