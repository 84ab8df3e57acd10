import { describe, expect, it } from 'vitest';
import {
	addDays,
	dayOf,
	eventDays,
	eventState,
	instantFromWallTime,
	monthGrid,
	shiftMonth,
	upcomingEvents,
	wallTimeFromInstant,
	type CommuneEvent
} from './event.ts';

const PARIS = 'Europe/Paris';

function event(id: string, starts_at: string, ends_at: string, all_day = false): CommuneEvent {
	return {
		_id: `event:${id}`,
		type: 'event',
		title: id,
		description: '',
		category: 'fete',
		starts_at,
		ends_at,
		all_day,
		place: '',
		registration_limit: null,
		minutes: null,
		cancelled: false,
		created_at: '2026-01-01T00:00:00Z',
		updated_at: '2026-01-01T00:00:00Z',
		author: 'test'
	};
}

describe('wall time in the commune and instants', () => {
	it('keeps a 20:00 council at 20:00 on both sides of a DST change', () => {
		expect(instantFromWallTime('2026-03-28T20:00', PARIS)).toBe('2026-03-28T19:00:00.000Z');
		expect(instantFromWallTime('2026-03-29T20:00', PARIS)).toBe('2026-03-29T18:00:00.000Z');
		expect(instantFromWallTime('2026-10-24T20:00', PARIS)).toBe('2026-10-24T18:00:00.000Z');
		expect(instantFromWallTime('2026-10-25T20:00', PARIS)).toBe('2026-10-25T19:00:00.000Z');
	});

	it('moves a time skipped by the spring change forward, and reads an autumn one once', () => {
		// 02:30 does not exist on 29 March 2026 in Paris: it becomes 03:30 summer time.
		const skipped = instantFromWallTime('2026-03-29T02:30', PARIS)!;
		expect(wallTimeFromInstant(skipped, PARIS)).toBe('2026-03-29T03:30');
		// 02:30 happens twice on 25 October: one instant, consistently.
		const twice = instantFromWallTime('2026-10-25T02:30', PARIS)!;
		expect(wallTimeFromInstant(twice, PARIS)).toBe('2026-10-25T02:30');
	});

	it('round-trips every half hour of a year that is not ambiguous', () => {
		let day = '2026-01-01';
		while (day < '2027-01-01') {
			for (const time of ['00:00', '09:30', '20:00', '23:30']) {
				const wall = `${day}T${time}`;
				expect(wallTimeFromInstant(instantFromWallTime(wall, PARIS)!, PARIS)).toBe(wall);
			}
			day = addDays(day, 1);
		}
	});

	it('refuses dates that do not exist instead of rolling them over', () => {
		expect(instantFromWallTime('2026-02-31T10:00', PARIS)).toBeNull();
		expect(instantFromWallTime('2026-13-01T10:00', PARIS)).toBeNull();
		expect(instantFromWallTime('14/07/2026', PARIS)).toBeNull();
		expect(instantFromWallTime('', PARIS)).toBeNull();
	});

	it('counts calendar days as the commune does, not as UTC does', () => {
		// 21:30 UTC is 23:30 in Paris, still the 14th; 22:30 UTC is already the 15th.
		expect(dayOf('2026-07-14T21:30:00Z', PARIS)).toBe('2026-07-14');
		expect(dayOf('2026-07-14T22:30:00Z', PARIS)).toBe('2026-07-15');
		expect(addDays('2026-03-28', 1)).toBe('2026-03-29');
		expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
		expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
	});
});

describe('events in time', () => {
	const night = event(
		'nuit',
		instantFromWallTime('2026-03-28T21:00', PARIS)!,
		instantFromWallTime('2026-03-29T04:00', PARIS)!
	);
	const weekend = event(
		'weekend',
		instantFromWallTime('2026-10-24', PARIS)!,
		instantFromWallTime('2026-10-26', PARIS)!,
		true
	);

	it('covers the days it spans, across the night of a DST change', () => {
		expect(eventDays(night, PARIS)).toEqual(['2026-03-28', '2026-03-29']);
		// Whole days end at midnight, exclusive: Saturday and Sunday, not Monday.
		expect(eventDays(weekend, PARIS)).toEqual(['2026-10-24', '2026-10-25']);
		// That weekend has 49 hours, and is still two days.
		expect((Date.parse(weekend.ends_at) - Date.parse(weekend.starts_at)) / 3_600_000).toBe(49);
	});

	it('is upcoming, ongoing, then past', () => {
		expect(eventState(night, new Date('2026-03-28T12:00:00Z'))).toBe('upcoming');
		expect(eventState(night, new Date('2026-03-29T00:30:00Z'))).toBe('ongoing');
		expect(eventState(night, new Date(night.ends_at))).toBe('past');
	});

	it('lists what is not over yet, soonest first', () => {
		const later = event('later', '2026-12-01T10:00:00Z', '2026-12-01T12:00:00Z');
		const now = new Date('2026-03-29T01:00:00Z');
		expect(upcomingEvents([later, weekend, night], now).map((e) => e.title)).toEqual([
			'nuit',
			'weekend',
			'later'
		]);
	});

	it('draws a month from Monday to Sunday with each event on its days', () => {
		const weeks = monthGrid('2026-10', [weekend, night], PARIS);
		expect(weeks[0][0].day).toBe('2026-09-28');
		expect(weeks.every((week) => week.length === 7)).toBe(true);
		expect(weeks.at(-1)!.at(-1)!.day).toBe('2026-11-01');
		const days = weeks.flat();
		expect(days.filter((day) => day.inMonth)).toHaveLength(31);
		expect(days.find((day) => day.day === '2026-10-25')!.events.map((e) => e.title)).toEqual([
			'weekend'
		]);
		expect(days.find((day) => day.day === '2026-10-26')!.events).toEqual([]);
		expect(shiftMonth('2026-12', 1)).toBe('2027-01');
		expect(shiftMonth('2026-01', -1)).toBe('2025-12');
	});
});
