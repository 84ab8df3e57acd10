import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from './event.ts';
import {
	monthsOf,
	participationReport,
	readsId,
	reportRows,
	type ParticipationInput,
	type ReadsDoc
} from './participation.ts';

const PARIS = 'Europe/Paris';
const YEAR_2026 = { from: '2026-01-01', to: '2026-12-31', timeZone: PARIS };

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number) {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** A year of a village of 600, and what we expect of it, counted the plain way. */
function generatedYear(seed = 2026) {
	const next = random(seed);
	const pick = (n: number) => Math.floor(next() * n);
	const dayIn2026 = () => addDays('2026-01-01', pick(365));
	const input: ParticipationInput = {
		notices: [],
		reads: [],
		residents: [],
		polls: [],
		submissions: []
	};
	const expected = {
		notices: 0,
		reads: 0,
		perMonth: new Map<string, number>(),
		issued: 0,
		firstUsed: 0,
		ballots: 0,
		polls: 0,
		suggestions: 0,
		reports: 0,
		answered: 0
	};
	// ~300 notices at noon UTC (13:00 or 14:00 in Paris: the same day).
	for (let i = 0; i < 300; i++) {
		const day = dayIn2026();
		input.notices.push({
			_id: `notice:n${i}`,
			title: `Avis ${i}`,
			category: 'avis',
			published_at: `${day}T12:00:00.000Z`
		});
		expected.notices++;
		expected.perMonth.set(day.slice(0, 7), (expected.perMonth.get(day.slice(0, 7)) ?? 0) + 1);
	}
	// Reads on 365 days.
	for (let d = 0; d < 365; d++) {
		const day = addDays('2026-01-01', d);
		const counts: Record<string, number> = {};
		for (let k = 0; k < 4; k++) {
			const id = `notice:n${pick(300)}`;
			counts[id] = (counts[id] ?? 0) + pick(30);
		}
		const doc: ReadsDoc = { _id: readsId(day), type: 'reads', day, counts };
		input.reads.push(doc);
		expected.reads += Object.values(counts).reduce((a, b) => a + b, 0);
	}
	// Reads from 2025 do not count.
	input.reads.push({
		_id: readsId('2025-12-31'),
		type: 'reads',
		day: '2025-12-31',
		counts: { 'notice:n1': 999 }
	});
	// 450 codes, two thirds used, some of them the next year.
	for (let i = 0; i < 450; i++) {
		const issued = dayIn2026();
		const used = next() < 2 / 3 ? addDays(issued, pick(120)) : null;
		input.residents.push({
			issued_at: `${issued}T09:00:00.000Z`,
			first_used_at: used ? `${used}T18:00:00.000Z` : null,
			status: 'active'
		});
		expected.issued++;
		if (used && used <= '2026-12-31') expected.firstUsed++;
	}
	// 20 polls; the last one still open in January.
	for (let i = 0; i < 20; i++) {
		const opens = addDays('2026-01-10', i * 18);
		const ballots = 40 + pick(200);
		input.polls.push({
			_id: `poll:p${i}`,
			question: `Sondage ${i}`,
			opens_at: `${opens}T08:00:00.000Z`,
			closes_at: `${addDays(opens, 14)}T20:00:00.000Z`,
			ballots
		});
		expected.polls++;
		expected.ballots += ballots;
	}
	input.polls.push({
		_id: 'poll:2027',
		question: 'Sondage de 2027',
		opens_at: '2027-01-05T08:00:00.000Z',
		closes_at: '2027-01-20T08:00:00.000Z',
		ballots: 500
	});
	// 160 suggestions and reports, most answered within days.
	for (let i = 0; i < 160; i++) {
		const day = dayIn2026();
		const kind = next() < 0.4 ? 'suggestion' : 'report';
		const answered = next() < 0.8;
		input.submissions.push({
			kind,
			created_at: `${day}T10:00:00.000Z`,
			status: answered ? 'resolved' : 'received',
			answered_at: answered ? `${addDays(day, 1 + pick(10))}T10:00:00.000Z` : null
		});
		if (kind === 'suggestion') expected.suggestions++;
		else expected.reports++;
		if (answered) expected.answered++;
	}
	return { input, expected };
}

describe('the participation report on a generated year', () => {
	const { input, expected } = generatedYear();
	const report = participationReport(input, YEAR_2026);

	it('counts what was published and read', () => {
		expect(report.notices).toBe(expected.notices);
		expect(report.reads).toBe(expected.reads);
		expect(report.months.map((row) => row.month)).toEqual(monthsOf(YEAR_2026));
		expect(report.months).toHaveLength(12);
		for (const row of report.months)
			expect(row.notices).toBe(expected.perMonth.get(row.month) ?? 0);
		expect(report.readsPerNotice).toBe(Math.round((expected.reads / expected.notices) * 10) / 10);
		expect(report.topNotices).toHaveLength(10);
		expect(report.topNotices[0].reads).toBeGreaterThanOrEqual(report.topNotices[9].reads);
	});

	it('counts codes issued and used, polls, ballots and submissions', () => {
		expect(report.codesIssued).toBe(expected.issued);
		expect(report.codesFirstUsed).toBe(expected.firstUsed);
		expect(report.codesIssuedByEnd).toBe(expected.issued);
		expect(report.polls).toHaveLength(expected.polls);
		expect(report.ballots).toBe(expected.ballots);
		expect(report.suggestions).toBe(expected.suggestions);
		expect(report.reports).toBe(expected.reports);
		expect(report.answered).toBe(expected.answered);
		expect(report.medianDaysToAnswer).toBeGreaterThanOrEqual(1);
		expect(report.medianDaysToAnswer).toBeLessThanOrEqual(11);
		expect(report.slowestDaysToAnswer).toBeLessThanOrEqual(11);
	});

	it('adds up: the months give the totals, and the CSV rows say the same', () => {
		const sum = (field: 'notices' | 'reads' | 'submissions' | 'answered' | 'firstUses') =>
			report.months.reduce((total, row) => total + row[field], 0);
		expect(sum('notices')).toBe(report.notices);
		expect(sum('reads')).toBe(report.reads);
		expect(sum('submissions')).toBe(report.suggestions + report.reports);
		expect(sum('answered')).toBe(report.answered);
		expect(sum('firstUses')).toBe(report.codesFirstUsed);
		const rows = reportRows(report);
		expect(rows[0][0]).toBe('mois');
		expect(rows.at(-1)).toEqual([
			'total',
			report.notices,
			report.reads,
			report.suggestions + report.reports,
			report.answered,
			report.codesFirstUsed
		]);
	});
});

describe('the period', () => {
	it('counts days as the commune does: 23:30 UTC on 31 December is already next year in Paris', () => {
		const input: ParticipationInput = {
			notices: [
				{ _id: 'notice:a', title: 'A', category: 'avis', published_at: '2026-12-31T22:30:00.000Z' },
				{ _id: 'notice:b', title: 'B', category: 'avis', published_at: '2026-12-31T23:30:00.000Z' },
				{ _id: 'notice:c', title: 'C', category: 'avis', published_at: '2025-12-31T23:30:00.000Z' }
			],
			reads: [],
			residents: [],
			polls: [],
			submissions: []
		};
		const report = participationReport(input, YEAR_2026);
		// a: 23:30 in Paris on the 31st; b: 00:30 on 1 January 2027; c: 00:30 on 1 January 2026.
		expect(report.notices).toBe(2);
		expect(report.months[0].notices).toBe(1);
		expect(report.months[11].notices).toBe(1);
	});

	it('counts a first use stored as a day on that day, whatever the time zone (issue 13)', () => {
		const resident = { issued_at: '2026-01-05T09:00:00.000Z', status: 'active' };
		const input: ParticipationInput = {
			notices: [],
			reads: [],
			residents: [{ ...resident, first_used_at: '2026-02-01' }],
			polls: [],
			submissions: []
		};
		const period = { from: '2026-02-01', to: '2026-02-28', timeZone: 'America/New_York' };
		expect(participationReport(input, period).codesFirstUsed).toBe(1);
	});

	it('splits any year into months whose sums are the totals', () => {
		const { input } = generatedYear(7);
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 364 }),
				fc.integer({ min: 0, max: 400 }),
				(start, length) => {
					const from = addDays('2026-01-01', start);
					const period = { from, to: addDays(from, length), timeZone: PARIS };
					const report = participationReport(input, period);
					expect(report.months.reduce((sum, row) => sum + row.notices, 0)).toBe(report.notices);
					expect(report.months.reduce((sum, row) => sum + row.reads, 0)).toBe(report.reads);
					expect(report.months[0].month).toBe(from.slice(0, 7));
				}
			),
			{ numRuns: 40 }
		);
	});

	it('says nothing rather than a false figure when nothing happened', () => {
		const empty = participationReport(
			{ notices: [], reads: [], residents: [], polls: [], submissions: [] },
			YEAR_2026
		);
		expect(empty.readsPerNotice).toBe(0);
		expect(empty.medianDaysToAnswer).toBeNull();
		expect(empty.slowestDaysToAnswer).toBeNull();
	});
});
