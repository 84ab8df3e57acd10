import * as v from 'valibot';
import { dayOf } from '../domain/event.ts';
import type { Commune } from '../domain/commune.ts';
import { readsId, type ReadsDoc } from '../domain/participation.ts';
import type { Backend } from './backend.ts';
import { getOrNull, statusOf } from './couch-errors.ts';

/**
 * Read counts without tracking (issue 6): a device sends the ids of notices it
 * opened for the first time, and nothing else — no device id, no session, no
 * time finer than the day. The server adds them to the day's counter in the
 * staff database, which staff laptops replicate for the participation report.
 */
export const READS_BATCH_MAX = 50;

export const ReadsRequestSchema = v.object({
	notices: v.pipe(
		v.array(v.pipe(v.string(), v.regex(/^notice:[a-z0-9][a-z0-9-]{0,80}$/))),
		v.minLength(1),
		v.maxLength(READS_BATCH_MAX)
	)
});

// One writer per day's document: concurrent increments would conflict.
let queue: Promise<unknown> = Promise.resolve();

export function recordReads(backend: Backend, ids: string[], now = new Date()): Promise<number> {
	const task = queue.then(() => write(backend, ids, now));
	queue = task.catch(() => undefined);
	return task;
}

async function write(backend: Backend, ids: string[], now: Date): Promise<number> {
	const publicDb = backend.couch.use(backend.databases.public);
	const unique = [...new Set(ids)];
	// Only notices that exist and are published count: the counter is not a free text field.
	const found = await publicDb.fetch({ keys: unique });
	const known = found.rows.flatMap((row) =>
		'doc' in row && row.doc && (row.doc as { type?: string }).type === 'notice' ? [row.id] : []
	);
	if (known.length === 0) return 0;
	const commune = (await publicDb.get('commune')) as unknown as Commune;
	const day = dayOf(now.toISOString(), commune.timezone);
	const mairie = backend.couch.use<ReadsDoc>(backend.databases.mairie);
	for (let attempt = 0; attempt < 5; attempt++) {
		const current: ReadsDoc = (await getOrNull(mairie, readsId(day))) ?? {
			_id: readsId(day),
			type: 'reads',
			day,
			counts: {}
		};
		for (const id of known) current.counts[id] = (current.counts[id] ?? 0) + 1;
		try {
			await mairie.insert(current);
			return known.length;
		} catch (error) {
			// Another app server wrote first: read again and add.
			if (statusOf(error) !== 409) throw error;
		}
	}
	throw new Error(`reads: ${readsId(day)} kept conflicting`);
}
