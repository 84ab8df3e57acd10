import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { dayOf, eventSlug, nextDay, type CommuneEvent } from '../domain/event.ts';
import type { Commune } from '../domain/commune.ts';
import { markdownToText } from '../ui/markdown.ts';

/** Midnight UTC of the commune's calendar day: ical-generator writes whole days from UTC dates. */
function utcDay(day: string): Date {
	return new Date(`${day}T00:00:00Z`);
}

/**
 * The agenda as iCalendar (RFC 5545), for one event or the subscribable feed.
 * Times go out in UTC, which every calendar app reads; whole days go out as
 * dates, as the commune counts them. Drafts never reach here (public database).
 */
export function agendaCalendar(commune: Commune, events: CommuneEvent[], origin: string): string {
	const calendar = ical({
		name: `Agenda — ${commune.name}`,
		prodId: { company: 'Crieur', product: `agenda-${commune.slug}`, language: 'FR' },
		method: ICalCalendarMethod.PUBLISH,
		timezone: null,
		url: `${origin}/agenda`,
		// Calendar apps ask again every few hours at most.
		ttl: 6 * 3600
	});
	for (const event of events) {
		const slug = eventSlug(event._id);
		const timeZone = commune.timezone;
		const lastDay = dayOf(new Date(Date.parse(event.ends_at) - 1).toISOString(), timeZone);
		calendar.createEvent({
			id: `${slug}@${commune.slug}.crieur`,
			summary: event.title,
			// Calendar apps show plain text: Markdown marks would show as typed.
			description: event.description ? markdownToText(event.description) : null,
			location: event.place || null,
			url: `${origin}/agenda/${slug}`,
			allDay: event.all_day,
			start: event.all_day ? utcDay(dayOf(event.starts_at, timeZone)) : new Date(event.starts_at),
			end: event.all_day ? utcDay(nextDay(lastDay)) : new Date(event.ends_at),
			status: event.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
			created: new Date(event.created_at),
			lastModified: new Date(event.updated_at),
			stamp: new Date(event.updated_at),
			// Calendar apps replace an event only when its sequence grows.
			sequence: Math.floor(Date.parse(event.updated_at) / 1000) - 1_700_000_000
		});
	}
	return calendar.toString();
}

export function icsResponse(body: string, filename: string): Response {
	return new Response(body, {
		headers: {
			'content-type': 'text/calendar; charset=utf-8',
			'content-disposition': `attachment; filename="${filename}"`,
			'cache-control': 'public, max-age=300'
		}
	});
}
