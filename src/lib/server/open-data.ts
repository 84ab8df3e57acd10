import { stringify } from 'csv-stringify/sync';
import { byStart, eventSlug, type CommuneEvent } from '../domain/event.ts';
import { filesOf, type Notice } from '../domain/notice.ts';
import type { Poll } from '../domain/poll.ts';
import { tallyFor, tallyId, type Tally } from '../domain/tally.ts';
import type { Backend } from './backend.ts';
import { slugOf } from '../domain/slug.ts';

/**
 * A commune's public content as open data (JSON and CSV): what any villager
 * can already read, in a shape a spreadsheet or data.gouv.fr takes. Nothing
 * here is new information: drafts, ballots and residents never appear.
 */
export const OPEN_DATA_LICENCE = 'Licence Ouverte / Open Licence 2.0 (Etalab)';

export interface OpenData {
	commune: { slug: string; name: string; timezone: string };
	generated_at: string;
	licence: string;
	notices: {
		id: string;
		url: string;
		title: string;
		category: string;
		urgent: boolean;
		published_at: string;
		expires_at: string | null;
		updated_at: string;
		body: string;
		attachments: { name: string; url: string; content_type: string; bytes: number }[];
	}[];
	polls: {
		id: string;
		url: string;
		question: string;
		description: string;
		opens_at: string;
		closes_at: string;
		ballots: number;
		/** Withheld (null) while the rules keep counts secret: fewer than 5 ballots, or until closing. */
		results: { option: string; label: string; votes: number | null }[];
	}[];
	events: {
		id: string;
		url: string;
		title: string;
		category: string;
		starts_at: string;
		ends_at: string;
		all_day: boolean;
		place: string;
		registration_limit: number | null;
		cancelled: boolean;
		description: string;
	}[];
}

async function all<T>(backend: Backend, prefix: string): Promise<T[]> {
	const db = backend.couch.use(backend.databases.public);
	const result = await db.list({ startkey: prefix, endkey: `${prefix}\ufff0`, include_docs: true });
	return result.rows.flatMap((row) => (row.doc ? [row.doc as unknown as T] : []));
}

export async function readOpenData(
	backend: Backend,
	origin: string,
	now = new Date()
): Promise<OpenData> {
	const db = backend.couch.use(backend.databases.public);
	const [commune, notices, polls, tallies, events] = await Promise.all([
		db.get('commune') as unknown as Promise<OpenData['commune']>,
		all<Notice>(backend, 'notice:'),
		all<Poll>(backend, 'poll:'),
		all<Tally>(backend, 'tally:'),
		all<CommuneEvent>(backend, 'event:')
	]);
	const tallyOf = new Map(tallies.map((tally) => [tally._id, tally]));
	return {
		commune: { slug: commune.slug, name: commune.name, timezone: commune.timezone },
		generated_at: now.toISOString(),
		licence: OPEN_DATA_LICENCE,
		notices: notices
			.filter(
				(notice) => notice.type === 'notice' && Date.parse(notice.published_at) <= now.getTime()
			)
			.sort((a, b) => b.published_at.localeCompare(a.published_at))
			.map((notice) => {
				const slug = slugOf(notice._id);
				return {
					id: slug,
					url: `${origin}/avis/${slug}`,
					title: notice.title,
					category: notice.category,
					urgent: notice.urgent,
					published_at: notice.published_at,
					expires_at: notice.expires_at,
					updated_at: notice.updated_at,
					body: notice.body,
					attachments: filesOf(notice).map((file) => ({
						name: file.name,
						url: `${origin}/fichiers/${slug}/${encodeURIComponent(file.name)}`,
						content_type: file.content_type,
						bytes: file.length
					}))
				};
			}),
		polls: polls
			.filter((poll) => poll.type === 'poll' && Date.parse(poll.opens_at) <= now.getTime())
			.sort((a, b) => b.opens_at.localeCompare(a.opens_at))
			.map((poll) => {
				const slug = slugOf(poll._id);
				const tally = tallyFor(poll, tallyOf.get(tallyId(poll._id)));
				return {
					id: slug,
					url: `${origin}/sondages/${slug}`,
					question: poll.question,
					description: poll.description,
					opens_at: poll.opens_at,
					closes_at: poll.closes_at,
					ballots: tally?.total ?? 0,
					results: poll.options.map((option) => ({
						option: option.id,
						label: option.label,
						votes: tally?.counts?.[option.id] ?? null
					}))
				};
			}),
		events: events
			.filter((event) => event.type === 'event')
			.sort(byStart)
			.map((event) => ({
				id: eventSlug(event._id),
				url: `${origin}/agenda/${eventSlug(event._id)}`,
				title: event.title,
				category: event.category,
				starts_at: event.starts_at,
				ends_at: event.ends_at,
				all_day: event.all_day,
				place: event.place,
				registration_limit: event.registration_limit,
				cancelled: event.cancelled,
				description: event.description
			}))
	};
}

export const OPEN_DATA_TABLES = ['avis', 'sondages', 'agenda'] as const;
export type OpenDataTable = (typeof OPEN_DATA_TABLES)[number];

/** A spreadsheet runs a cell that starts like a formula: text from the mairie must stay text. */
function cell(value: unknown): string {
	if (value === null || value === undefined) return '';
	const text = String(value);
	return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One CSV per table, RFC 4180 with a BOM so that spreadsheets read the accents. */
export function openDataCsv(data: OpenData, table: OpenDataTable): string {
	const rows: unknown[][] =
		table === 'avis'
			? [
					[
						'id',
						'url',
						'titre',
						'categorie',
						'urgent',
						'publie_le',
						'expire_le',
						'modifie_le',
						'pieces_jointes',
						'texte'
					],
					...data.notices.map((notice) => [
						notice.id,
						notice.url,
						notice.title,
						notice.category,
						notice.urgent ? 'oui' : 'non',
						notice.published_at,
						notice.expires_at,
						notice.updated_at,
						notice.attachments.map((file) => file.url).join(' '),
						notice.body
					])
				]
			: table === 'sondages'
				? [
						[
							'id',
							'url',
							'question',
							'ouverture',
							'cloture',
							'votants',
							'reponse',
							'libelle',
							'voix'
						],
						...data.polls.flatMap((poll) =>
							poll.results.map((result) => [
								poll.id,
								poll.url,
								poll.question,
								poll.opens_at,
								poll.closes_at,
								poll.ballots,
								result.option,
								result.label,
								result.votes
							])
						)
					]
				: [
						[
							'id',
							'url',
							'titre',
							'categorie',
							'debut',
							'fin',
							'journee_entiere',
							'lieu',
							'places',
							'annule',
							'description'
						],
						...data.events.map((event) => [
							event.id,
							event.url,
							event.title,
							event.category,
							event.starts_at,
							event.ends_at,
							event.all_day ? 'oui' : 'non',
							event.place,
							event.registration_limit,
							event.cancelled ? 'oui' : 'non',
							event.description
						])
					];
	return stringify(
		rows.map((row) => row.map(cell)),
		{ bom: true, record_delimiter: 'windows' }
	);
}
