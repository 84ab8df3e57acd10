import ICAL from 'ical.js';
import { parse } from 'csv-parse/sync';
import nano from 'nano';
import { beforeAll, describe, expect, it } from 'vitest';
import { instantFromWallTime, type CommuneEvent } from '../../src/lib/domain/event.ts';
import { STAFF, USERS } from '../harness/couch.ts';
import { sharedApp } from '../harness/shared-app.ts';
import { slugOf } from '../../src/lib/domain/slug.ts';

/**
 * Issue 6, agenda: events written by staff (as their laptop replicates them),
 * checked by CouchDB's own rules, served to villagers and as iCalendar that an
 * independent parser (ical.js, Mozilla's) reads back.
 */
const app = sharedApp();
const server = app.store;
const PARIS = 'Europe/Paris';
/** This file's events, notices and polls: the shared commune holds other files' too. */
const OURS = new Set([
	'brocante',
	'fete-hiver',
	'loto',
	'conseil-mars',
	'formule',
	'plus-tard',
	'cantine'
]);
const ours = <T extends { id: string }>(rows: T[]) => rows.filter((row) => OURS.has(row.id));

const asUser = (user: { name: string; password: string }, database: string) =>
	nano(server.url.replace('://', `://${user.name}:${encodeURIComponent(user.password)}@`)).use(
		database
	);

function event(slug: string, fields: Partial<CommuneEvent> = {}): CommuneEvent {
	return {
		_id: `event:${slug}`,
		type: 'event',
		title: `Événement ${slug}`,
		description: 'Venez **nombreux**.',
		category: 'fete',
		starts_at: instantFromWallTime('2026-12-12T20:00', PARIS)!,
		ends_at: instantFromWallTime('2026-12-12T23:00', PARIS)!,
		all_day: false,
		place: 'Salle des fêtes',
		registration_limit: null,
		minutes: null,
		cancelled: false,
		created_at: '2026-11-20T10:00:00.000Z',
		updated_at: '2026-11-20T10:00:00.000Z',
		author: STAFF.name,
		...fields
	};
}

function parseCalendar(text: string) {
	const calendar = new ICAL.Component(ICAL.parse(text));
	return {
		calendar,
		events: calendar.getAllSubcomponents('vevent').map((vevent) => ({
			vevent,
			event: new ICAL.Event(vevent)
		}))
	};
}

beforeAll(async () => {
	const staffPublic = asUser(STAFF, 'demo-public');
	await staffPublic.bulk({
		docs: [
			event('fete-hiver'),
			// The night the clocks go forward: 20:00 is 18:00 UTC, not 19:00.
			event('conseil-mars', {
				title: 'Conseil municipal',
				category: 'conseil',
				starts_at: instantFromWallTime('2027-03-28T20:00', PARIS)!,
				ends_at: instantFromWallTime('2027-03-28T22:00', PARIS)!,
				minutes: 'notice:demo-cr-conseil-novembre'
			}),
			// Two whole days over the night the clocks go back.
			event('brocante', {
				title: 'Brocante',
				all_day: true,
				starts_at: instantFromWallTime('2026-10-24', PARIS)!,
				ends_at: instantFromWallTime('2026-10-26', PARIS)!
			}),
			event('loto', { title: 'Loto', cancelled: true, registration_limit: 80 })
		]
	});
	await asUser(STAFF, 'demo-mairie').insert({
		...event('brouillon', { title: 'Pas encore public' }),
		status: 'draft'
	} as never);
});
describe('events in CouchDB', () => {
	it('refuses an event that breaks the rules, even from staff', async () => {
		const db = asUser(STAFF, 'demo-public');
		const bad: [string, Partial<CommuneEvent> & Record<string, unknown>][] = [
			['ends before it starts', { ends_at: '2026-12-12T18:00:00.000Z' }],
			['lasts 40 days', { ends_at: '2027-01-21T20:00:00.000Z' }],
			['unknown category', { category: 'rave' as never }],
			['no title', { title: '  ' }],
			['zero seats', { registration_limit: 0 }],
			['half a seat', { registration_limit: 2.5 }],
			['minutes that are not a notice', { minutes: 'poll:demo-marche' }],
			['a date without a zone', { starts_at: '2026-12-12T20:00' }],
			[
				'an attachment',
				{
					_attachments: { 'a.pdf': { content_type: 'application/pdf', data: 'JVBERg==' } }
				} as never
			]
		];
		for (const [label, fields] of bad) {
			await expect(
				db.insert(event(`mauvais-${bad.findIndex(([l]) => l === label)}`, fields)),
				label
			).rejects.toMatchObject({
				statusCode: 403
			});
		}
		await expect(db.insert({ ...event('x'), _id: 'event:../x' })).rejects.toMatchObject({
			statusCode: 403
		});
	});

	it('lets only the mairie write the agenda', async () => {
		await expect(
			asUser(USERS.resident, 'demo-public').insert(event('habitant'))
		).rejects.toMatchObject({ statusCode: 403 });
		await expect(
			asUser(USERS.otherStaff, 'demo-public').insert(event('autre-commune'))
		).rejects.toMatchObject({ statusCode: 403 });
		await expect(
			nano(server.url).use('demo-public').insert(event('anonyme'))
		).rejects.toMatchObject({ statusCode: 401 });
		const response = await fetch(`${app.url}/db/demo-public/event:par-le-proxy`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(event('par-le-proxy'))
		});
		expect(response.status).toBeGreaterThanOrEqual(400);
		expect(response.status).toBeLessThan(500);
	});
});

describe('the agenda for villagers', () => {
	it('lists published events, soonest first, and never drafts', async () => {
		const response = await fetch(`${app.url}/api/public/events`);
		expect(response.status).toBe(200);
		const { commune, events } = (await response.json()) as {
			commune: { name: string };
			events: CommuneEvent[];
		};
		expect(commune.name).toBe('Saint-Crieur');
		const titles = events.map((found) => found.title);
		expect(
			events.filter((found) => OURS.has(slugOf(found._id))).map((found) => found.title)
		).toEqual(['Brocante', 'Événement fete-hiver', 'Loto', 'Conseil municipal']);
		expect(titles).not.toContain('Pas encore public');
	});
});

describe('iCalendar export', () => {
	it('gives a feed an independent parser reads back, times right across DST', async () => {
		const response = await fetch(`${app.url}/api/public/agenda.ics`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^text\/calendar/);
		const text = await response.text();
		expect(text).toMatch(/^BEGIN:VCALENDAR\r\n/);
		const { calendar, events: all } = parseCalendar(text);
		expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
		expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Agenda — Saint-Crieur');
		const events = all.filter((entry) => OURS.has(entry.event.uid.replace(/@demo\.crieur$/, '')));
		expect(events).toHaveLength(4);
		const bySummary = new Map(events.map((entry) => [entry.event.summary, entry]));

		const fete = bySummary.get('Événement fete-hiver')!;
		expect(fete.event.startDate.toJSDate().toISOString()).toBe('2026-12-12T19:00:00.000Z');
		expect(fete.event.endDate.toJSDate().toISOString()).toBe('2026-12-12T22:00:00.000Z');
		expect(fete.event.location).toBe('Salle des fêtes');
		// Issue 13: calendars showed the Markdown marks as typed.
		expect(fete.event.description).toBe('Venez nombreux.');
		expect(fete.event.uid).toBe('fete-hiver@demo.crieur');
		expect(fete.vevent.getFirstPropertyValue('url')).toBe(`${app.url}/agenda/fete-hiver`);

		const conseil = bySummary.get('Conseil municipal')!;
		expect(conseil.event.startDate.toJSDate().toISOString()).toBe('2027-03-28T18:00:00.000Z');

		const brocante = bySummary.get('Brocante')!;
		expect(brocante.event.startDate.isDate).toBe(true);
		expect(brocante.event.startDate.toString()).toBe('2026-10-24');
		// DTEND of a whole-day event is exclusive: the Monday.
		expect(brocante.event.endDate.toString()).toBe('2026-10-26');

		expect(bySummary.get('Loto')!.vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
	});

	it('gives one event on its own, and a JSON 404 for an unknown one', async () => {
		const response = await fetch(`${app.url}/api/public/events/brocante.ics`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-disposition')).toContain('brocante.ics');
		const { events } = parseCalendar(await response.text());
		expect(events.map((entry) => entry.event.summary)).toEqual(['Brocante']);

		for (const slug of ['inconnu', 'brouillon', '..%2Fcommune', 'A%20B']) {
			const missing = await fetch(`${app.url}/api/public/events/${slug}.ics`);
			expect(missing.status, slug).toBe(404);
			const body = (await missing.json()) as { error: string; reason: string };
			expect(body.error).toBe('not_found');
			expect(body.reason).toMatch(/rendez-vous/);
		}
	});
});

describe('open data', () => {
	beforeAll(async () => {
		const admin = nano(server.adminUrl).use('demo-public');
		const base = {
			type: 'notice',
			body: 'Texte, avec "guillemets"\net un retour à la ligne.',
			category: 'avis',
			urgent: false,
			expires_at: null,
			created_at: '2026-11-01T08:00:00.000Z',
			updated_at: '2026-11-01T08:00:00.000Z',
			author: STAFF.name
		};
		await admin.bulk({
			docs: [
				// A title that a spreadsheet would run as a formula.
				{
					...base,
					_id: 'notice:formule',
					title: '=HYPERLINK("http://x","clic")',
					published_at: '2026-11-01T08:00:00.000Z'
				},
				{
					...base,
					_id: 'notice:plus-tard',
					title: 'Pas encore publié',
					published_at: '2099-01-01T08:00:00.000Z'
				},
				{
					_id: 'poll:cantine',
					type: 'poll',
					question: 'Menu de la cantine ?',
					description: '',
					options: [
						{ id: 'bio', label: 'Bio' },
						{ id: 'local', label: 'Local' }
					],
					multiple: false,
					max_choices: 1,
					opens_at: '2026-10-01T08:00:00.000Z',
					closes_at: '2026-10-15T08:00:00.000Z',
					results: 'live',
					allow_change: false,
					created_at: '2026-09-30T08:00:00.000Z',
					updated_at: '2026-09-30T08:00:00.000Z',
					author: STAFF.name
				},
				{
					_id: 'tally:cantine',
					type: 'tally',
					poll: 'poll:cantine',
					state: 'final',
					total: 12,
					counts: { bio: 7, local: 5 },
					updated_at: '2026-10-15T08:00:00.000Z'
				}
			]
		});
	});

	it('exports what villagers can read as JSON, never drafts or what is not yet published', async () => {
		const response = await fetch(`${app.url}/api/public/open-data.json`);
		expect(response.status).toBe(200);
		expect(response.headers.get('access-control-allow-origin')).toBe('*');
		const data = (await response.json()) as {
			commune: { name: string };
			licence: string;
			notices: { id: string; title: string }[];
			polls: { id: string; ballots: number; results: { option: string; votes: number | null }[] }[];
			events: { id: string; title: string; cancelled: boolean }[];
		};
		expect(data.commune.name).toBe('Saint-Crieur');
		expect(data.licence).toMatch(/Licence Ouverte/);
		expect(ours(data.notices).map((notice) => notice.id)).toEqual(['formule']);
		expect(ours(data.polls)).toEqual([
			expect.objectContaining({
				id: 'cantine',
				ballots: 12,
				results: [
					{ option: 'bio', label: 'Bio', votes: 7 },
					{ option: 'local', label: 'Local', votes: 5 }
				]
			})
		]);
		expect(ours(data.events).map((event) => event.id)).toEqual([
			'brocante',
			'fete-hiver',
			'loto',
			'conseil-mars'
		]);
		expect(JSON.stringify(data)).not.toMatch(/brouillon|Pas encore/);
	});

	it('exports each table as CSV a spreadsheet opens safely', async () => {
		const notices = await fetch(`${app.url}/api/public/open-data/avis.csv`);
		expect(notices.status).toBe(200);
		expect(notices.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		const bytes = new Uint8Array(await notices.arrayBuffer());
		// The BOM tells spreadsheets the file is UTF-8 (the accents).
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const text = new TextDecoder().decode(bytes);
		const rows = ours(
			parse(text, { bom: true, columns: true }) as (Record<string, string> & { id: string })[]
		);
		expect(rows).toHaveLength(1);
		// The formula stays text; quotes and line breaks survive the round trip.
		expect(rows[0].titre).toBe(`'=HYPERLINK("http://x","clic")`);
		expect(rows[0].texte).toBe('Texte, avec "guillemets"\net un retour à la ligne.');

		const polls = ours(
			parse(await (await fetch(`${app.url}/api/public/open-data/sondages.csv`)).text(), {
				bom: true,
				columns: true
			}) as (Record<string, string> & { id: string })[]
		);
		expect(polls.map((row) => [row.reponse, row.voix, row.votants])).toEqual([
			['bio', '7', '12'],
			['local', '5', '12']
		]);
		const agenda = ours(
			parse(await (await fetch(`${app.url}/api/public/open-data/agenda.csv`)).text(), {
				bom: true,
				columns: true
			}) as (Record<string, string> & { id: string })[]
		);
		expect(agenda.map((row) => [row.id, row.annule])).toEqual([
			['brocante', 'non'],
			['fete-hiver', 'non'],
			['loto', 'oui'],
			['conseil-mars', 'non']
		]);

		const unknown = await fetch(`${app.url}/api/public/open-data/habitants.csv`);
		expect(unknown.status).toBe(404);
		expect(((await unknown.json()) as { error: string }).error).toBe('not_found');
	});
});
