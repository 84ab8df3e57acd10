import * as v from 'valibot';
import { LIMITS } from './limits.ts';
import { isoDate, text } from './poll-schema.ts';
import { isReservedId } from './slug.ts';

// Apart from event.ts so that villager pages, which only read events, do not load valibot.
const DAY_MS = 86_400_000;

export const EventSchema = v.pipe(
	v.looseObject({
		_id: v.pipe(
			v.string(),
			v.regex(new RegExp(LIMITS.eventIdPattern), 'invalid_id'),
			v.check((id) => !isReservedId(id), 'invalid_id')
		),
		_rev: v.optional(v.string()),
		type: v.literal('event'),
		title: text(LIMITS.eventTitleMax),
		description: text(LIMITS.eventDescriptionMax, true),
		category: v.picklist(LIMITS.eventCategories, 'invalid_category'),
		starts_at: isoDate,
		ends_at: isoDate,
		all_day: v.boolean('invalid_boolean'),
		place: text(LIMITS.eventPlaceMax, true),
		registration_limit: v.nullable(
			v.pipe(
				v.number('invalid_limit'),
				v.integer('invalid_limit'),
				v.minValue(1, 'invalid_limit'),
				v.maxValue(LIMITS.eventSeatsMax, 'invalid_limit')
			)
		),
		minutes: v.nullable(v.pipe(v.string(), v.startsWith('notice:', 'invalid_id'))),
		cancelled: v.boolean('invalid_boolean'),
		created_at: isoDate,
		updated_at: isoDate,
		author: v.pipe(v.string(), v.maxLength(LIMITS.authorMax, 'too_long')),
		updated_by: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.authorMax, 'too_long')))
	}),
	v.forward(
		v.check(
			(event) => Date.parse(event.ends_at) > Date.parse(event.starts_at),
			'ends_before_start'
		),
		['ends_at']
	),
	v.forward(
		v.check(
			(event) =>
				Date.parse(event.ends_at) - Date.parse(event.starts_at) <= LIMITS.eventDaysMax * DAY_MS,
			'event_too_long'
		),
		['ends_at']
	)
);
