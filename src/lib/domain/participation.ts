import { addDays, dayOf } from './event.ts';

/**
 * The participation report (bilan de mandat): how the commune published and
 * how residents took part, over a period. Pure: the staff laptop computes it
 * from its replicas, offline too. Nothing here names a resident.
 */

/** Reads of notices on one day, counted once per device and never tied to anyone. */
export interface ReadsDoc {
	_id: string;
	type: 'reads';
	/** The commune's calendar day, "2026-11-26". */
	day: string;
	/** Notice id → devices that opened it for the first time that day. */
	counts: Record<string, number>;
}

export const readsId = (day: string) => `reads:${day}`;

export interface ParticipationInput {
	notices: { _id: string; title: string; published_at: string; category: string }[];
	reads: ReadsDoc[];
	residents: { issued_at: string; first_used_at?: string | null; status: string }[];
	polls: { _id: string; question: string; opens_at: string; closes_at: string; ballots: number }[];
	submissions: {
		kind: 'suggestion' | 'report';
		created_at: string;
		status: string;
		answered_at?: string | null;
	}[];
}

/** Days from `from` to `to`, both included, as the commune counts them. */
export interface Period {
	from: string;
	to: string;
	timeZone: string;
}

export interface MonthRow {
	month: string;
	notices: number;
	reads: number;
	submissions: number;
	answered: number;
	firstUses: number;
}

export interface ParticipationReport {
	period: Period;
	months: MonthRow[];
	notices: number;
	reads: number;
	/** Reads per notice published in the period, rounded to one decimal. */
	readsPerNotice: number;
	codesIssued: number;
	/** Residents who used their code for the first time in the period. */
	codesFirstUsed: number;
	/** Residents who had used their code by the end of the period, of those issued by then. */
	codesUsedByEnd: number;
	codesIssuedByEnd: number;
	polls: { id: string; question: string; opens_at: string; closes_at: string; ballots: number }[];
	ballots: number;
	suggestions: number;
	reports: number;
	answered: number;
	/** Days from receipt to the mairie's first response; null without any. */
	medianDaysToAnswer: number | null;
	slowestDaysToAnswer: number | null;
	topNotices: { id: string; title: string; reads: number }[];
}

const DAY_MS = 86_400_000;

function median(values: number[]): number | null {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/** Every month touched by the period, "2026-01" to "2026-12". */
export function monthsOf(period: Period): string[] {
	const months: string[] = [];
	let month = period.from.slice(0, 7);
	while (month <= period.to.slice(0, 7)) {
		months.push(month);
		month = addDays(`${month}-28`, 7).slice(0, 7);
	}
	return months;
}

export function participationReport(
	input: ParticipationInput,
	period: Period
): ParticipationReport {
	const { timeZone } = period;
	const inPeriod = (day: string) => day >= period.from && day <= period.to;
	// A resident's first use is stored as a day already ("2026-11-26"); older records held an instant.
	const dayOfInstant = (iso: string) =>
		/^\d{4}-\d{2}-\d{2}$/.test(iso) ? iso : dayOf(iso, timeZone);
	const months = new Map<string, MonthRow>(
		monthsOf(period).map((month) => [
			month,
			{ month, notices: 0, reads: 0, submissions: 0, answered: 0, firstUses: 0 }
		])
	);
	const bump = (day: string, field: keyof Omit<MonthRow, 'month'>, by = 1) => {
		const row = months.get(day.slice(0, 7));
		if (row) row[field] += by;
	};

	const published = input.notices.filter((notice) => inPeriod(dayOfInstant(notice.published_at)));
	for (const notice of published) bump(dayOfInstant(notice.published_at), 'notices');

	const readsByNotice = new Map<string, number>();
	let reads = 0;
	for (const doc of input.reads) {
		if (!inPeriod(doc.day)) continue;
		for (const [id, count] of Object.entries(doc.counts)) {
			reads += count;
			bump(doc.day, 'reads', count);
			readsByNotice.set(id, (readsByNotice.get(id) ?? 0) + count);
		}
	}
	const titles = new Map(input.notices.map((notice) => [notice._id, notice.title]));
	const topNotices = [...readsByNotice]
		.filter(([id]) => titles.has(id))
		.map(([id, count]) => ({ id, title: titles.get(id)!, reads: count }))
		.sort((a, b) => b.reads - a.reads || a.title.localeCompare(b.title, 'fr'))
		.slice(0, 10);

	let codesIssued = 0;
	let codesFirstUsed = 0;
	let codesIssuedByEnd = 0;
	let codesUsedByEnd = 0;
	for (const resident of input.residents) {
		const issued = dayOfInstant(resident.issued_at);
		if (inPeriod(issued)) codesIssued++;
		if (issued <= period.to) codesIssuedByEnd++;
		if (!resident.first_used_at) continue;
		const used = dayOfInstant(resident.first_used_at);
		if (inPeriod(used)) {
			codesFirstUsed++;
			bump(used, 'firstUses');
		}
		if (used <= period.to) codesUsedByEnd++;
	}

	// A poll counts in the period when its voting overlapped it.
	const polls = input.polls
		.filter(
			(poll) =>
				dayOfInstant(poll.opens_at) <= period.to &&
				dayOfInstant(new Date(Date.parse(poll.closes_at) - 1).toISOString()) >= period.from
		)
		.sort((a, b) => a.opens_at.localeCompare(b.opens_at))
		.map((poll) => ({
			id: poll._id,
			question: poll.question,
			opens_at: poll.opens_at,
			closes_at: poll.closes_at,
			ballots: poll.ballots
		}));

	let suggestions = 0;
	let reports = 0;
	let answered = 0;
	const delays: number[] = [];
	for (const submission of input.submissions) {
		const received = dayOfInstant(submission.created_at);
		if (!inPeriod(received)) continue;
		if (submission.kind === 'suggestion') suggestions++;
		else reports++;
		bump(received, 'submissions');
		if (submission.answered_at && submission.status !== 'received') {
			answered++;
			bump(received, 'answered');
			delays.push(
				(Date.parse(submission.answered_at) - Date.parse(submission.created_at)) / DAY_MS
			);
		}
	}

	const middle = median(delays);
	return {
		period,
		months: [...months.values()],
		notices: published.length,
		reads,
		readsPerNotice: published.length ? round1(reads / published.length) : 0,
		codesIssued,
		codesFirstUsed,
		codesUsedByEnd,
		codesIssuedByEnd,
		polls,
		ballots: polls.reduce((sum, poll) => sum + poll.ballots, 0),
		suggestions,
		reports,
		answered,
		medianDaysToAnswer: middle === null ? null : round1(middle),
		slowestDaysToAnswer: delays.length ? round1(Math.max(...delays)) : null,
		topNotices
	};
}

/** The report's figures as rows, for CSV: one line per month, then the totals. */
export function reportRows(report: ParticipationReport): (string | number | null)[][] {
	return [
		[
			'mois',
			'avis_publies',
			'lectures',
			'envois_recus',
			'envois_repondus',
			'premiers_codes_utilises'
		],
		...report.months.map((row) => [
			row.month,
			row.notices,
			row.reads,
			row.submissions,
			row.answered,
			row.firstUses
		]),
		[
			'total',
			report.notices,
			report.reads,
			report.suggestions + report.reports,
			report.answered,
			report.codesFirstUsed
		]
	];
}
