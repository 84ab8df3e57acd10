import { TZDate } from '@date-fns/tz';
import type { LIMITS } from './limits.ts';

export type EventCategory = (typeof LIMITS.eventCategories)[number];

/**
 * An event of the commune's agenda. Times are instants (ISO, UTC); the
 * commune's time zone turns them into wall time for people and for the
 * staff's form, so a 20:00 council stays at 20:00 across a DST change.
 */
export interface EventFields {
	type: 'event';
	title: string;
	description: string;
	category: EventCategory;
	starts_at: string;
	/** Exclusive end. For a whole-day event: midnight after the last day. */
	ends_at: string;
	all_day: boolean;
	place: string;
	/** Seats when people must sign up at the mairie; null when open to all. */
	registration_limit: number | null;
	/** The council minutes (a notice) once published; council meetings only. */
	minutes: string | null;
	cancelled: boolean;
	created_at: string;
	updated_at: string;
	author: string;
	/** The staff member who saved this revision. */
	updated_by?: string;
}

export interface CommuneEvent extends EventFields {
	_id: string;
	_rev?: string;
}

export const EVENT_PREFIX = 'event:';
export const eventSlug = (id: string) => id.slice(EVENT_PREFIX.length);

/** "2026-07-14T20:00" as the commune's clocks show it → the instant. A time skipped by DST moves forward. */
export function instantFromWallTime(wall: string, timeZone: string): string | null {
	const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(wall);
	if (!match) return null;
	const [year, month, day, hour, minute] = match.slice(1).map((part) => Number(part ?? 0));
	if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return null;
	const date = new TZDate(year, month - 1, day, hour, minute, timeZone);
	// 31 February rolls over to March: refuse rather than guess.
	if (date.getMonth() !== month - 1 || date.getDate() !== day) return null;
	return new Date(date.getTime()).toISOString();
}

/** The instant as the commune's clocks show it: "2026-07-14T20:00" (for datetime-local inputs). */
export function wallTimeFromInstant(iso: string, timeZone: string): string {
	const date = new TZDate(Date.parse(iso), timeZone);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The commune's calendar day of an instant: "2026-07-14". */
export function dayOf(iso: string, timeZone: string): string {
	return wallTimeFromInstant(iso, timeZone).slice(0, 10);
}

/** "2026-03-28" plus 1 is "2026-03-29", whatever the clocks do that night. */
export function addDays(day: string, count: number): string {
	const [year, month, date] = day.split('-').map(Number);
	return new Date(Date.UTC(year, month - 1, date + count)).toISOString().slice(0, 10);
}

export const nextDay = (day: string) => addDays(day, 1);

/** Days the event covers in the commune, first to last (an event ending at midnight does not cover the next day). */
export function eventDays(event: Pick<EventFields, 'starts_at' | 'ends_at'>, timeZone: string) {
	const first = dayOf(event.starts_at, timeZone);
	const lastInstant = new Date(
		Math.max(Date.parse(event.starts_at), Date.parse(event.ends_at) - 1)
	);
	const last = dayOf(lastInstant.toISOString(), timeZone);
	const days = [first];
	while (days[days.length - 1] < last && days.length < 400)
		days.push(nextDay(days[days.length - 1]));
	return days;
}

export type EventState = 'upcoming' | 'ongoing' | 'past';

export function eventState(
	event: Pick<EventFields, 'starts_at' | 'ends_at'>,
	now: Date
): EventState {
	const t = now.getTime();
	if (t < Date.parse(event.starts_at)) return 'upcoming';
	if (t < Date.parse(event.ends_at)) return 'ongoing';
	return 'past';
}

export const byStart = (a: EventFields, b: EventFields) =>
	a.starts_at.localeCompare(b.starts_at) || a.title.localeCompare(b.title, 'fr');

/** What villagers see first: not yet over, soonest first (cancelled ones stay, marked). */
export function upcomingEvents<T extends EventFields>(events: readonly T[], now: Date): T[] {
	return events.filter((event) => eventState(event, now) !== 'past').sort(byStart);
}

export interface MonthDay {
	day: string;
	inMonth: boolean;
	events: CommuneEvent[];
}

/** A month as weeks from Monday to Sunday (as French calendars print it), each day with its events. */
export function monthGrid(
	month: string,
	events: readonly CommuneEvent[],
	timeZone: string
): MonthDay[][] {
	const [year, monthNumber] = month.split('-').map(Number);
	const first = new Date(Date.UTC(year, monthNumber - 1, 1));
	const mondayOffset = (first.getUTCDay() + 6) % 7;
	let day = new Date(Date.UTC(year, monthNumber - 1, 1 - mondayOffset)).toISOString().slice(0, 10);
	const byDay = new Map<string, CommuneEvent[]>();
	for (const event of [...events].sort(byStart)) {
		for (const covered of eventDays(event, timeZone)) {
			byDay.set(covered, [...(byDay.get(covered) ?? []), event]);
		}
	}
	const weeks: MonthDay[][] = [];
	do {
		const week: MonthDay[] = [];
		for (let i = 0; i < 7; i++) {
			week.push({ day, inMonth: day.startsWith(month), events: byDay.get(day) ?? [] });
			day = nextDay(day);
		}
		weeks.push(week);
	} while (day.startsWith(month));
	return weeks;
}

/** "2026-12" → "2027-01"; `step` may be negative. */
export function shiftMonth(month: string, step: number): string {
	const [year, monthNumber] = month.split('-').map(Number);
	return new Date(Date.UTC(year, monthNumber - 1 + step, 1)).toISOString().slice(0, 7);
}

export const isMonth = (value: string | null): value is string =>
	value !== null && /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
