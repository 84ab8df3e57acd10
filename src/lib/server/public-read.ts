import type { Notice } from '../domain/notice.ts';
import type { Commune } from '../domain/commune.ts';
import type { PollWithTally, PublicSnapshot } from '../domain/snapshot.ts';
import { partitionNotices } from '../domain/notice.ts';
import { visiblePolls, type Poll } from '../domain/poll.ts';
import { tallyFor, tallyId, type Tally } from '../domain/tally.ts';
import { sortAnswers, type AnswerDoc, type SupportsDoc } from '../domain/answer.ts';
import { byStart, type CommuneEvent } from '../domain/event.ts';
import type { Backend } from './backend.ts';

interface ViewRow<T> {
	id: string;
	key: string;
	doc?: T;
}

/** The commune's own document: its name, time zone and map centre. */
export async function readCommune(backend: Backend): Promise<Commune> {
	return (await backend.couch.use(backend.databases.public).get('commune')) as unknown as Commune;
}

/** Every poll with its tally; a village has tens of polls, not thousands. */
export async function readPolls(backend: Backend): Promise<PollWithTally[]> {
	const db = backend.couch.use(backend.databases.public);
	const [polls, tallies] = await Promise.all([
		db.list({ startkey: 'poll:', endkey: 'poll:\ufff0', include_docs: true }),
		db.list({ startkey: 'tally:', endkey: 'tally:\ufff0', include_docs: true })
	]);
	const byId = new Map(
		tallies.rows.flatMap((row) => (row.doc ? [[row.id, row.doc as unknown as Tally] as const] : []))
	);
	return polls.rows.flatMap((row) =>
		row.doc
			? [
					{
						poll: row.doc as unknown as Poll,
						tally: tallyFor(row.doc as unknown as Poll, byId.get(tallyId(row.id)))
					}
				]
			: []
	);
}

/** Every event of the agenda, soonest first; a village has tens a year. */
export async function readEvents(
	backend: Backend
): Promise<{ commune: Commune; events: CommuneEvent[] }> {
	const db = backend.couch.use(backend.databases.public);
	const [info, list] = await Promise.all([
		readCommune(backend),
		db.list({ startkey: 'event:', endkey: 'event:\ufff0', include_docs: true })
	]);
	const events = list.rows.flatMap((row) =>
		row.doc && (row.doc as unknown as CommuneEvent).type === 'event'
			? [row.doc as unknown as CommuneEvent]
			: []
	);
	return { commune: info, events: events.sort(byStart) };
}

/** Current notices, found through the expiry view so that the history is not read. */
export async function readCurrent(backend: Backend, now = new Date()): Promise<PublicSnapshot> {
	const db = backend.couch.use<Notice>(backend.databases.public);
	const [info, view, polls] = await Promise.all([
		readCommune(backend),
		db.view<null>('crieur', 'by_expiry', { startkey: now.toISOString(), include_docs: true }),
		readPolls(backend)
	]);
	const docs = (view.rows as ViewRow<Notice>[]).flatMap((row) => (row.doc ? [row.doc] : []));
	return {
		commune: info,
		notices: partitionNotices(docs, now).current,
		polls: visiblePolls(polls, now),
		generated_at: now.toISOString()
	};
}

/** Expired notices, most recently expired first. */
export async function readArchive(
	backend: Backend,
	now = new Date(),
	limit = 100
): Promise<{ commune: Commune; notices: Notice[] }> {
	const db = backend.couch.use<Notice>(backend.databases.public);
	const [info, view] = await Promise.all([
		readCommune(backend),
		db.view<null>('crieur', 'by_expiry', {
			startkey: now.toISOString(),
			descending: true,
			include_docs: true,
			limit
		})
	]);
	const docs = (view.rows as ViewRow<Notice>[]).flatMap((row) => (row.doc ? [row.doc] : []));
	return { commune: info, notices: partitionNotices(docs, now).past };
}

/** One notice, or null when it does not exist, was retracted, or is not yet published. */
export async function readNotice(
	backend: Backend,
	id: string,
	now = new Date()
): Promise<{ commune: Commune; notice: Notice; event: CommuneEvent | null } | 'retracted' | null> {
	const db = backend.couch.use<Notice>(backend.databases.public);
	try {
		const [info, notice] = await Promise.all([readCommune(backend), db.get(id)]);
		if (notice.type !== 'notice' || Date.parse(notice.published_at) > now.getTime()) return null;
		// The event it announces, from its one document: never a copy of its date (issue 13 §5).
		const event = notice.event
			? ((await db.get(notice.event).catch(() => null)) as unknown as CommuneEvent | null)
			: null;
		return {
			commune: info,
			notice: notice as Notice,
			event: event?.type === 'event' ? event : null
		};
	} catch (error) {
		const { statusCode, reason } = error as { statusCode?: number; reason?: string };
		// A retracted notice leaves a deleted revision in -public: say so, not « unknown ».
		if (statusCode === 404) return reason === 'deleted' ? 'retracted' : null;
		throw error;
	}
}

/** The mairie's published answers to suggestions and reports, newest first. */
export async function readAnswers(
	backend: Backend
): Promise<{ commune: Commune; answers: AnswerDoc[]; supports: Record<string, number> }> {
	const db = backend.couch.use(backend.databases.public);
	const [info, rows, counts] = await Promise.all([
		readCommune(backend),
		db.list({ startkey: 'answer:', endkey: 'answer:\ufff0', include_docs: true }),
		db.list({ startkey: 'supports:', endkey: 'supports:\ufff0', include_docs: true })
	]);
	const answers = rows.rows.flatMap((row) => (row.doc ? [row.doc as unknown as AnswerDoc] : []));
	const supports = Object.fromEntries(
		counts.rows.flatMap((row) => {
			const doc = row.doc as unknown as SupportsDoc | undefined;
			return doc ? [[doc.answer, doc.count] as const] : [];
		})
	);
	return { commune: info, answers: sortAnswers(answers), supports };
}
