import nano from 'nano';
import { addDays } from '../../src/lib/domain/event.ts';
import { readsId } from '../../src/lib/domain/participation.ts';

/**
 * A generated year of a village's activity, written as the app would have
 * written it (notices and polls in -public, tallies, reads, residents and
 * submissions in -mairie), with the figures a report of that year must show.
 */
export interface YearFigures {
	notices: number;
	reads: number;
	codesFirstUsed: number;
	polls: number;
	ballots: number;
	suggestions: number;
	reports: number;
	answered: number;
}

/** A small seeded generator (mulberry32): the same data on every run. */
export function random(seed: number) {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export async function seedYear(adminUrl: string, year: number, seed = 1): Promise<YearFigures> {
	const next = random(seed);
	const pick = (n: number) => Math.floor(next() * n);
	const dayOfYear = () => addDays(`${year}-01-01`, pick(365));
	const figures: YearFigures = {
		notices: 0,
		reads: 0,
		codesFirstUsed: 0,
		polls: 0,
		ballots: 0,
		suggestions: 0,
		reports: 0,
		answered: 0
	};
	const publicDocs: object[] = [];
	const mairieDocs: object[] = [];
	const ballotDocs: object[] = [];
	const noticeIds: string[] = [];
	for (let i = 0; i < 240; i++) {
		const day = dayOfYear();
		const id = `notice:bilan-${year}-${i}`;
		noticeIds.push(id);
		publicDocs.push({
			_id: id,
			type: 'notice',
			title: `Avis ${i} de ${year}`,
			body: 'Généré pour le bilan.',
			category: (['avis', 'arrete', 'alerte', 'agenda', 'compte-rendu'] as const)[i % 5],
			urgent: false,
			published_at: `${day}T12:00:00.000Z`,
			expires_at: `${addDays(day, 20)}T12:00:00.000Z`,
			created_at: `${day}T12:00:00.000Z`,
			updated_at: `${day}T12:00:00.000Z`,
			author: 'secretariat'
		});
		figures.notices++;
	}
	for (let d = 0; d < 365; d++) {
		const day = addDays(`${year}-01-01`, d);
		const counts: Record<string, number> = {};
		for (let k = 0; k < 3; k++) {
			const id = noticeIds[pick(noticeIds.length)];
			const count = 1 + pick(25);
			counts[id] = (counts[id] ?? 0) + count;
			figures.reads += count;
		}
		mairieDocs.push({ _id: readsId(day), type: 'reads', day, counts });
	}
	for (let i = 0; i < 150; i++) {
		const issued = addDays(`${year}-01-01`, pick(200));
		const used = i % 3 === 0 ? null : addDays(issued, pick(60));
		mairieDocs.push({
			_id: `resident:bilan-${year}-${i}`,
			type: 'resident',
			label: `Foyer ${i}`,
			code_hash: `hash-${year}-${i}`,
			code_version: 1,
			status: 'active',
			issued_at: `${issued}T09:00:00.000Z`,
			updated_at: `${issued}T09:00:00.000Z`,
			...(used ? { first_used_at: `${used}T18:00:00.000Z` } : {})
		});
		if (used) figures.codesFirstUsed++;
	}
	for (let i = 0; i < 12; i++) {
		const opens = addDays(`${year}-01-15`, i * 28);
		const ballots = 30 + pick(150);
		const slug = `bilan-${year}-${i}`;
		publicDocs.push({
			_id: `poll:${slug}`,
			type: 'poll',
			question: `Question ${i + 1} de ${year} ?`,
			description: '',
			options: [
				{ id: 'oui', label: 'Oui' },
				{ id: 'non', label: 'Non' }
			],
			multiple: false,
			max_choices: 1,
			opens_at: `${opens}T08:00:00.000Z`,
			closes_at: `${addDays(opens, 14)}T20:00:00.000Z`,
			results: 'after_close',
			allow_change: false,
			created_at: `${opens}T08:00:00.000Z`,
			updated_at: `${opens}T08:00:00.000Z`,
			author: 'secretariat'
		});
		// Ballots, as the ballot box holds them: the server's tally job counts them.
		for (let b = 0; b < ballots; b++) {
			ballotDocs.push({
				_id: `ballot:${slug}:${b.toString(16).padStart(8, '0')}`,
				type: 'ballot',
				poll: `poll:${slug}`,
				outbox_id: `o-bilan-${i}-${b}`,
				choices: [b % 2 ? 'oui' : 'non'],
				cast_at: `${addDays(opens, b % 14)}T12:00:00.000Z`
			});
		}
		figures.polls++;
		figures.ballots += ballots;
	}
	for (let i = 0; i < 90; i++) {
		const day = dayOfYear();
		const kind = i % 3 === 0 ? 'suggestion' : 'report';
		const answered = i % 9 !== 0;
		mairieDocs.push({
			_id: `submission:bilan-${year}-${i}`,
			type: 'submission',
			kind,
			title: `Envoi ${i}`,
			body: 'Généré pour le bilan.',
			category: 'voirie',
			place: null,
			author: `resident:bilan-${year}-${i % 150}`,
			public_name: null,
			created_at: `${day}T10:00:00.000Z`,
			status: answered ? 'resolved' : 'received',
			decline_reason: '',
			answer: answered ? 'Fait.' : '',
			merged_into: null,
			seen: true,
			published: null,
			updated_at: `${day}T10:00:00.000Z`,
			...(answered ? { answered_at: `${addDays(day, 2 + (i % 7))}T10:00:00.000Z` } : {})
		});
		if (kind === 'suggestion') figures.suggestions++;
		else figures.reports++;
		if (answered) figures.answered++;
	}
	const couch = nano(adminUrl);
	for (const [db, docs] of [
		['demo-public', publicDocs],
		['demo-mairie', mairieDocs],
		['demo-ballots', ballotDocs]
	] as const) {
		const results = await couch.use(db).bulk({ docs: docs as never[] });
		const refused = results.filter((result) => 'error' in result && result.error);
		if (refused.length > 0) throw new Error(`seeding ${db}: ${JSON.stringify(refused[0])}`);
	}
	return figures;
}
