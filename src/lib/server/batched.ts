import { batchTime, type Writes } from '../domain/tally.ts';
import type { Backend } from './backend.ts';
import { getOrNull } from './couch-errors.ts';
import {
	lastIdOnly,
	planVersion,
	readLeaves,
	winnerOf,
	writeSoleVersion,
	type PlannedVersion
} from './history-free.ts';

/**
 * What the tally job remembers of a published tally or support count, in
 * `_local/…` of <commune>-ballots: never replicated, readable by server admins
 * only. Written before each publication, so that a run dying in between can
 * only delay it: the next run publishes this version, not a new count, and
 * never two versions closer than a batch.
 */
export interface BatchState {
	_id: string;
	_rev?: string;
	type: 'batch_state';
	/** Which ballots (or supports), at which write, the published version counts. */
	mark: Writes;
	/** The version published, or to publish if a run died first. */
	planned: PlannedVersion;
}

type Body = { _id: string } & Record<string, unknown>;

export interface BatchedDoc<B extends Body> {
	stateId: string;
	docId: string;
	/** The ballots (or supports) stored now. */
	current: Writes;
	/** A version written before batches existed: what to keep of it (its figures, a coarser time). */
	adopt(existing: Record<string, unknown>): B;
	/** The batch rule: the version to publish after `last`, or null. */
	decide(last: { mark: Writes; body: B } | null): { mark: Writes; body: B } | null;
}

export interface BatchHooks {
	/** Called after the state is written and before -public is: tests kill the run there. */
	beforePublish?: (docId: string) => void;
}

/** A time a document written before batches carried, cut to its minute. */
export function coarser(value: unknown): string {
	const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
	return batchTime(new Date(Number.isNaN(time) ? 0 : time));
}

const bodyOf = (planned: PlannedVersion) => ({ ...planned.body, _id: planned.id });

/**
 * Runs the batch rule for one document of <commune>-public. Returns whether a
 * new version was published. Existing deployments: a document found without a
 * state was written by the old job, one version per ballot, with its history;
 * it is rewritten once without it (the state then exists), the ballots stored
 * now counted as published — so the next version waits for 5 more.
 */
export async function publishInBatches<B extends Body>(
	backend: Backend,
	spec: BatchedDoc<B>,
	hooks: BatchHooks = {}
): Promise<boolean> {
	const ballotsDb = backend.couch.use<BatchState>(backend.databases.ballots);
	const publicDb = backend.databases.public;
	let state = await getOrNull(ballotsDb, spec.stateId);
	const save = async (next: BatchState) => {
		// The _rev makes a second job running at once fail here, before it publishes.
		const result = await ballotsDb.insert(next, next._id);
		return { ...next, _rev: result.rev };
	};
	let migrated = false;
	let parent: Pick<PlannedVersion, 'revisions'> | null = state?.planned ?? null;
	if (state) {
		await writeSoleVersion(backend.couch, publicDb, state.planned);
	} else {
		const existing = winnerOf(await readLeaves(backend.couch, publicDb, spec.docId));
		parent = existing && lastIdOnly(existing);
		if (existing && !existing.deleted) {
			const { _id, ...body } = spec.adopt({ ...existing.body, _id: spec.docId });
			void _id;
			state = await save({
				_id: spec.stateId,
				type: 'batch_state',
				mark: spec.current,
				planned: planVersion(spec.docId, body, lastIdOnly(existing))
			});
			await writeSoleVersion(backend.couch, publicDb, state.planned);
			parent = state.planned;
			migrated = true;
		}
	}
	const next = spec.decide(state ? { mark: state.mark, body: bodyOf(state.planned) as B } : null);
	if (!next) return migrated;
	const { _id, ...body } = next.body;
	void _id;
	state = await save({
		_id: spec.stateId,
		...(state?._rev ? { _rev: state._rev } : {}),
		type: 'batch_state',
		mark: next.mark,
		planned: planVersion(spec.docId, body, parent)
	});
	hooks.beforePublish?.(spec.docId);
	await writeSoleVersion(backend.couch, publicDb, state.planned);
	return true;
}
