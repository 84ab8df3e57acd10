import * as v from 'valibot';
import { ISO_DATE_PATTERN, LIMITS } from './limits.ts';
import { duplicateAnswers } from './poll-rules.ts';
import { isReservedId } from './slug.ts';

// The poll schema, apart from poll.ts so that pages which only show polls do not load valibot.
export const isoDate = v.pipe(
	v.string('invalid_date'),
	v.regex(new RegExp(ISO_DATE_PATTERN), 'invalid_date'),
	v.check((value) => !Number.isNaN(Date.parse(value)), 'invalid_date')
);

export const text = (max: number, allowEmpty = false) =>
	v.pipe(
		v.string('required'),
		v.check((value) => allowEmpty || value.trim().length > 0, 'required'),
		v.maxLength(max, 'too_long')
	);

export const PollSchema = v.pipe(
	v.looseObject({
		_id: v.pipe(
			v.string(),
			v.startsWith('poll:', 'invalid_id'),
			v.check((id) => !isReservedId(id), 'invalid_id')
		),
		_rev: v.optional(v.string()),
		type: v.literal('poll'),
		question: text(LIMITS.questionMax),
		description: text(LIMITS.pollDescriptionMax, true),
		options: v.pipe(
			v.array(
				v.object({
					id: v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,24}$/, 'invalid_id')),
					label: text(LIMITS.pollOptionLabelMax)
				}),
				'invalid_options'
			),
			v.minLength(LIMITS.pollOptionsMin, 'too_few_options'),
			v.maxLength(LIMITS.pollOptionsMax, 'too_many_options'),
			v.check(
				(options) => new Set(options.map((option) => option.id)).size === options.length,
				'duplicate_option'
			),
			// « Oui » and « oui » split one opinion in two.
			v.check((options) => duplicateAnswers(options).length === 0, 'duplicate_label')
		),
		multiple: v.boolean('invalid_boolean'),
		max_choices: v.pipe(v.number('invalid_max_choices'), v.integer('invalid_max_choices')),
		opens_at: isoDate,
		closes_at: isoDate,
		results: v.picklist(LIMITS.pollResults, 'invalid_results'),
		allow_change: v.boolean('invalid_boolean'),
		created_at: isoDate,
		updated_at: isoDate,
		author: v.pipe(v.string(), v.maxLength(LIMITS.authorMax, 'too_long')),
		updated_by: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.authorMax, 'too_long')))
	}),
	v.forward(
		v.check((poll) => poll.multiple || poll.max_choices === 1, 'invalid_max_choices'),
		['max_choices']
	),
	// A multiple-choice poll allowing one answer cannot be fixed once votes arrive.
	v.forward(
		v.check(
			(poll) => !poll.multiple || poll.max_choices >= LIMITS.pollMultipleMin,
			'max_choices_too_low'
		),
		['max_choices']
	),
	v.forward(
		v.check((poll) => poll.max_choices <= poll.options.length, 'max_choices_too_high'),
		['max_choices']
	),
	v.forward(
		v.check(
			(poll) => Date.parse(poll.closes_at) > Date.parse(poll.opens_at),
			'closes_before_opening'
		),
		['closes_at']
	)
);
