import * as v from 'valibot';
import { LIMITS } from './limits.ts';
import { labelKey } from './poll-rules.ts';

/**
 * A part of the commune an alert can be aimed at: a hamlet, a quarter, « zone
 * inondable ». Its id is what notices and subscriptions name; its name may be
 * reworded without losing either.
 */
export interface Zone {
	id: string;
	name: string;
}

const zoneId = v.pipe(
	v.string('invalid_zone'),
	v.regex(new RegExp(LIMITS.zoneIdPattern), 'invalid_zone')
);

/** The commune's zones, as staff define them on the `commune` document. */
export const ZonesSchema = v.pipe(
	v.array(
		v.object({
			id: zoneId,
			name: v.pipe(
				v.string('required'),
				v.check((name) => name.trim().length > 0, 'required'),
				v.maxLength(LIMITS.zoneNameMax, 'too_long')
			)
		}),
		'invalid_zone'
	),
	v.maxLength(LIMITS.zonesMax, 'too_many_zones'),
	// « Le Bourg » and « le bourg » would be one place offered twice.
	v.check((zones) => duplicateZones(zones).length === 0, 'duplicate_zone')
);

/** The zones a notice is aimed at or a villager lives in: ids, each once. */
export const ZoneIdsSchema = v.pipe(
	v.array(zoneId, 'invalid_zone'),
	v.maxLength(LIMITS.zonesMax, 'too_many_zones'),
	v.check((ids) => new Set(ids).size === ids.length, 'duplicate_zone')
);

/** Ids of the zones that repeat another's id or name. */
export function duplicateZones(zones: readonly Zone[]): string[] {
	const seen = new Set<string>();
	const repeated: string[] = [];
	for (const zone of zones) {
		const keys = [`id:${zone.id}`, `name:${labelKey(zone.name)}`];
		if (keys.some((key) => seen.has(key))) repeated.push(zone.id);
		for (const key of keys) seen.add(key);
	}
	return repeated;
}

/**
 * Whether a notice aimed at `target` concerns someone who chose `chosen`.
 * No target, or only zones since removed, means the whole commune; someone
 * who chose no zone hears of every zone (they did not say where they live).
 */
export function reachesZones(
	target: readonly string[] | undefined,
	chosen: readonly string[] | undefined,
	known: readonly Zone[] | undefined
): boolean {
	const existing = new Set((known ?? []).map((zone) => zone.id));
	const aimed = (target ?? []).filter((id) => existing.has(id));
	if (aimed.length === 0) return true;
	const mine = (chosen ?? []).filter((id) => existing.has(id));
	if (mine.length === 0) return true;
	return mine.some((id) => aimed.includes(id));
}

/** The ids among `ids` that are not zones of the commune. */
export function unknownZones(ids: readonly string[], known: readonly Zone[] | undefined): string[] {
	const existing = new Set((known ?? []).map((zone) => zone.id));
	return ids.filter((id) => !existing.has(id));
}

/** The ids among `chosen` that are still zones of the commune, in the commune's order. */
export function knownZones(
	chosen: readonly string[],
	known: readonly Zone[] | undefined
): string[] {
	return (known ?? []).filter((zone) => chosen.includes(zone.id)).map((zone) => zone.id);
}

/** The names of the zones a notice is aimed at, in the commune's order; removed ones left out. */
export function zoneNames(
	target: readonly string[] | undefined,
	known: readonly Zone[] | undefined
): string[] {
	const aimed = new Set(target ?? []);
	return (known ?? []).filter((zone) => aimed.has(zone.id)).map((zone) => zone.name);
}

/** An id for a new zone from its name (« Les Granges » → `les-granges`), unique among `taken`. */
export function zoneIdFor(name: string, taken: readonly string[]): string {
	const base =
		labelKey(name)
			.replace(/[^a-z0-9]+/g, '-')
			.replace(/^-+|-+$/g, '')
			.slice(0, 30)
			.replace(/-+$/, '') || 'zone';
	const used = new Set(taken);
	if (!used.has(base)) return base;
	for (let n = 2; ; n++) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}
