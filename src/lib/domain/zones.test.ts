import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import fc from 'fast-check';
import {
	ZoneIdsSchema,
	ZonesSchema,
	reachesZones,
	unknownZones,
	zoneIdFor,
	zoneNames,
	type Zone
} from './zones.ts';
import { LIMITS } from './limits.ts';

const ZONES: Zone[] = [
	{ id: 'bourg', name: 'Le Bourg' },
	{ id: 'granges', name: 'Les Granges' },
	{ id: 'inondable', name: 'Zone inondable' }
];

function codes(schema: v.GenericSchema, value: unknown): string[] {
	const result = v.safeParse(schema, value);
	return result.success ? [] : result.issues.map((issue) => issue.message);
}

describe('the commune’s zones', () => {
	it('accepts a plain list', () => {
		expect(codes(ZonesSchema, ZONES)).toEqual([]);
		expect(codes(ZonesSchema, [])).toEqual([]);
	});

	it('refuses a name given twice, whatever its case or accents', () => {
		expect(codes(ZonesSchema, [...ZONES, { id: 'bourg-2', name: 'le  bourg' }])).toEqual([
			'duplicate_zone'
		]);
		expect(codes(ZonesSchema, [...ZONES, { id: 'bourg', name: 'Autre' }])).toEqual([
			'duplicate_zone'
		]);
	});

	it('refuses blank or long names, bad ids and too many zones', () => {
		expect(codes(ZonesSchema, [{ id: 'a', name: '  ' }])).toEqual(['required']);
		expect(codes(ZonesSchema, [{ id: 'a', name: 'x'.repeat(LIMITS.zoneNameMax + 1) }])).toEqual([
			'too_long'
		]);
		expect(codes(ZonesSchema, [{ id: 'A b', name: 'A' }])).toEqual(['invalid_zone']);
		expect(codes(ZonesSchema, 'bourg')).toEqual(['invalid_zone']);
		const many = Array.from({ length: LIMITS.zonesMax + 1 }, (_, i) => ({
			id: `z${i}`,
			name: `Zone ${i}`
		}));
		expect(codes(ZonesSchema, many)).toEqual(['too_many_zones']);
	});

	it('takes ids each once in a notice or a subscription', () => {
		expect(codes(ZoneIdsSchema, ['bourg', 'granges'])).toEqual([]);
		expect(codes(ZoneIdsSchema, ['bourg', 'bourg'])).toEqual(['duplicate_zone']);
		expect(codes(ZoneIdsSchema, ['../x'])).toEqual(['invalid_zone']);
	});
});

describe('who an aimed alert concerns', () => {
	it('reaches everyone when aimed at no zone, or only at zones since removed', () => {
		expect(reachesZones(undefined, ['bourg'], ZONES)).toBe(true);
		expect(reachesZones([], ['bourg'], ZONES)).toBe(true);
		expect(reachesZones(['ancienne'], ['bourg'], ZONES)).toBe(true);
	});

	it('reaches those of the zone, and those who chose none', () => {
		expect(reachesZones(['granges'], ['granges'], ZONES)).toBe(true);
		expect(reachesZones(['granges', 'inondable'], ['bourg', 'inondable'], ZONES)).toBe(true);
		expect(reachesZones(['granges'], ['bourg'], ZONES)).toBe(false);
		expect(reachesZones(['granges'], [], ZONES)).toBe(true);
		expect(reachesZones(['granges'], ['ancienne'], ZONES)).toBe(true);
	});

	it('never leaves out someone of an aimed zone (property)', () => {
		const ids = ZONES.map((zone) => zone.id);
		fc.assert(
			fc.property(fc.subarray(ids), fc.subarray(ids), (target, chosen) => {
				const reached = reachesZones(target, chosen, ZONES);
				if (target.length === 0 || chosen.length === 0) return reached;
				return reached === chosen.some((id) => target.includes(id));
			})
		);
	});

	it('names the aimed zones in the commune’s order, and finds unknown ones', () => {
		expect(zoneNames(['inondable', 'bourg', 'gone'], ZONES)).toEqual([
			'Le Bourg',
			'Zone inondable'
		]);
		expect(unknownZones(['bourg', 'ailleurs'], ZONES)).toEqual(['ailleurs']);
	});
});

describe('a new zone’s id', () => {
	it('is made from its name, and kept apart from those taken', () => {
		expect(zoneIdFor('Les Granges', [])).toBe('les-granges');
		expect(zoneIdFor('Zone inondable (rive gauche)', [])).toBe('zone-inondable-rive-gauche');
		expect(zoneIdFor('Les Granges', ['les-granges'])).toBe('les-granges-2');
		expect(zoneIdFor('!!!', [])).toBe('zone');
		expect(zoneIdFor('Œuvre Élevée', [])).toBe('oeuvre-elevee');
	});

	it('always fits the id pattern (property)', () => {
		const pattern = new RegExp(LIMITS.zoneIdPattern);
		fc.assert(
			fc.property(fc.string({ maxLength: 80 }), (name) => pattern.test(zoneIdFor(name, [])))
		);
	});
});
