import * as v from 'valibot';
import { REACH_CATEGORIES } from './reach.ts';
import { ZoneIdsSchema } from './zones.ts';

/** RFC 5321's limit for an address. */
export const ADDRESS_MAX = 254;

/** One address, one subscription: case and spaces do not make another. */
export const addressKey = (address: string) => address.trim().toLowerCase();

const categories = v.pipe(
	v.array(v.picklist(REACH_CATEGORIES)),
	v.minLength(1),
	v.maxLength(REACH_CATEGORIES.length),
	v.check((list) => new Set(list).size === list.length)
);

const address = v.pipe(v.string(), v.trim(), v.maxLength(ADDRESS_MAX), v.email());

/** A villager's request for alerts by e-mail: confirmed by a link before anything is sent. */
export const EmailSubscribeSchema = v.strictObject({
	address,
	categories,
	zones: v.optional(ZoneIdsSchema)
});
export type EmailSubscribeRequest = v.InferOutput<typeof EmailSubscribeSchema>;

/** Staff at the counter, for a person who asked there: their consent is recorded with it. */
export const CounterEmailSchema = v.strictObject({
	address,
	categories,
	zones: v.optional(ZoneIdsSchema),
	consent: v.literal(true)
});

/** A link's secret: the subscription it names and a random part (only its hash is kept). */
export const EMAIL_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{32}$/;

export const EmailTokenSchema = v.strictObject({
	token: v.pipe(v.string(), v.regex(EMAIL_TOKEN_PATTERN))
});
