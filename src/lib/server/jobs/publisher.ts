import type { DraftNotice, Notice } from '../../domain/notice.ts';
import type { Backend } from '../backend.ts';
import { statusOf } from '../couch-errors.ts';
import { jobInterval } from './lease.ts';
import { startJob, type RunningJob } from './runner.ts';

interface ScheduledRow {
	id: string;
	key: string;
	doc?: DraftNotice;
}

/**
 * Moves scheduled notices whose time has come from <commune>-mairie into
 * <commune>-public: until then nobody outside the mairie can read them. The
 * scheduled documents themselves are the checkpoint, so a restart loses nothing;
 * a notice published twice (crash between the two writes) is written the same
 * way twice.
 */
export async function publishDue(backend: Backend, now = new Date()): Promise<string[]> {
	const mairie = backend.couch.use<DraftNotice>(backend.databases.mairie);
	const publicDb = backend.couch.use<Notice>(backend.databases.public);
	const due = await mairie.view<null>('crieur', 'scheduled', {
		endkey: now.toISOString(),
		include_docs: true,
		attachments: true
	});
	const published: string[] = [];
	for (const row of due.rows as ScheduledRow[]) {
		const draft = row.doc;
		if (!draft) continue;
		const { _rev: draftRev, status: _status, _attachments, ...fields } = draft;
		void _status;
		// Only type and data travel: revpos and digest belong to the source database.
		const files = _attachments
			? Object.fromEntries(
					Object.entries(_attachments).map(([name, file]) => [
						name,
						{ content_type: file.content_type, data: file.data }
					])
				)
			: undefined;
		let currentRev: string | undefined;
		try {
			currentRev = (await publicDb.head(draft._id)).etag?.replace(/"/g, '');
		} catch (error) {
			if (statusOf(error) !== 404) throw error;
		}
		const notice = { ...fields, _rev: currentRev, _attachments: files } as Notice;
		try {
			await publicDb.insert(notice);
			await mairie.destroy(draft._id, draftRev!);
			published.push(draft._id);
		} catch (error) {
			// Edited meanwhile on a laptop: the next round publishes the newer version.
			if (statusOf(error) !== 409) throw error;
		}
	}
	return published;
}

/**
 * Runs publishDue now and then every interval, in the one app process holding
 * its lease.
 */
export function startPublisher(backend: Backend, intervalMs = jobInterval(30_000)): RunningJob {
	return startJob(backend, 'publisher', intervalMs, () => publishDue(backend));
}
