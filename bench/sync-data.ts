// Datasets for the sync benchmarks: a generated year of a realistic commune,
// and the shared 2,000-notice corpus (../shared/data) mapped onto our schema.
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import nano from 'nano';
import type { NoticeCategory } from '../src/lib/domain/limits.ts';
import { random } from '../tests/harness/activity.ts';

const CORPUS = path.resolve(import.meta.dirname, '../../shared/data/commune-2020-docs.json');

interface CorpusNotice {
	_id: string;
	type: 'notice';
	title: string;
	body: string;
	category: string;
	urgent: boolean;
	published_at: string;
	expires_at: string | null;
	author: string;
}

interface CorpusPoll {
	_id: string;
	type: 'poll';
	question: string;
	options: string[];
	tallies: Record<string, number>;
	total_votes: number;
	opens_at: string;
	closes_at: string;
	author: string;
}

export type PublicDoc = { _id: string; type: string; [field: string]: unknown };

export interface Dataset {
	label: string;
	docs: PublicDoc[];
	/** Notices the home page lists now: what current-first must bring before the history. */
	currentNotices: string[];
}

function readCorpus(): (CorpusNotice | CorpusPoll)[] {
	return JSON.parse(fs.readFileSync(CORPUS, 'utf8'));
}

// The corpus has fifteen topics; ours are the five kinds of notice a mairie posts.
function categoryOf(topic: string, urgent: boolean): NoticeCategory {
	if (urgent || topic === 'meteo' || topic === 'securite') return 'alerte';
	if (topic === 'conseil-municipal') return 'compte-rendu';
	if (['travaux', 'voirie', 'eau-assainissement', 'urbanisme'].includes(topic)) return 'arrete';
	if (['fetes', 'associations'].includes(topic)) return 'agenda';
	return 'avis';
}

const optionId = (label: string) =>
	label
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-|-$/g, '') || 'option';

function poll(
	id: string,
	question: string,
	labels: string[],
	opensAt: string,
	closesAt: string,
	author: string
): PublicDoc {
	return {
		_id: id,
		type: 'poll',
		question,
		description: '',
		options: labels.map((label) => ({ id: optionId(label), label })),
		multiple: false,
		max_choices: 1,
		opens_at: opensAt,
		closes_at: closesAt,
		results: 'live',
		allow_change: false,
		created_at: opensAt,
		updated_at: opensAt,
		author
	};
}

function tally(pollId: string, counts: Record<string, number>, open: boolean): PublicDoc {
	const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
	return {
		_id: `tally:${pollId.slice('poll:'.length)}`,
		type: 'tally',
		poll: pollId,
		state: total < 5 ? 'too_few' : open ? 'live' : 'final',
		total,
		counts: total < 5 ? null : counts,
		updated_at: new Date().toISOString()
	};
}

/** The 2,000 notices and 20 polls of ../shared/data, every notice long expired. */
export function corpusHistory(): PublicDoc[] {
	const docs: PublicDoc[] = [];
	for (const doc of readCorpus()) {
		if (doc.type === 'notice') {
			docs.push({
				_id: doc._id,
				type: 'notice',
				title: doc.title,
				body: doc.body,
				category: categoryOf(doc.category, doc.urgent),
				urgent: doc.urgent,
				published_at: doc.published_at,
				expires_at: doc.expires_at,
				created_at: doc.published_at,
				updated_at: doc.published_at,
				author: doc.author
			});
		} else {
			const pollDoc = poll(
				`poll:corpus-${doc._id.slice(5)}`,
				doc.question,
				doc.options,
				doc.opens_at,
				doc.closes_at,
				doc.author
			);
			docs.push(pollDoc);
			docs.push(
				tally(
					pollDoc._id,
					Object.fromEntries(
						doc.options.map((label) => [optionId(label), doc.tallies[label] ?? 0])
					),
					false
				)
			);
		}
	}
	return docs;
}

const DAY = 86_400_000;
const EVENT_CATEGORIES = ['fete', 'conseil', 'collecte', 'reunion', 'culture-sport', 'autre'];

/**
 * The last twelve months of a commune: ~300 notices (texts from the corpus, a
 * few still current), 20 polls with their tallies (two open), 50 events (a
 * third still to come). Attachments stay out, as the issue asks.
 */
export function realisticYear(now = new Date(), seed = 7): Dataset {
	const next = random(seed);
	const texts = readCorpus().filter((doc): doc is CorpusNotice => doc.type === 'notice');
	const docs: PublicDoc[] = [];
	const iso = (time: number) => new Date(time).toISOString();
	const start = now.getTime() - 365 * DAY;
	const currentNotices: string[] = [];
	for (let i = 0; i < 300; i++) {
		const text = texts[i * 3];
		// Published evenly over the year.
		const published = start + Math.floor((i / 300) * 365 * DAY + next() * DAY);
		// Most notices last one to three weeks; one in ten stays up a season.
		const lifetime = (i % 10 === 0 ? 120 : 7 + Math.floor(next() * 21)) * DAY;
		const expires = published + lifetime;
		const id = `notice:annee-${String(i).padStart(3, '0')}`;
		if (expires > now.getTime()) currentNotices.push(id);
		docs.push({
			_id: id,
			type: 'notice',
			title: text.title,
			body: text.body,
			category: categoryOf(text.category, text.urgent),
			urgent: i % 37 === 0,
			published_at: iso(published),
			expires_at: iso(expires),
			created_at: iso(published),
			updated_at: iso(published),
			author: 'Secrétariat de mairie'
		});
	}
	for (let i = 0; i < 20; i++) {
		const opens = start + Math.floor(((i + 1) / 21) * 365 * DAY);
		const closes = i >= 18 ? now.getTime() + 10 * DAY : opens + 14 * DAY;
		const pollDoc = poll(
			`poll:annee-${i}`,
			`Question ${i + 1} posée aux habitants cette année ?`,
			['Oui', 'Non', 'Sans avis'],
			iso(opens),
			iso(closes),
			'Secrétariat de mairie'
		);
		docs.push(pollDoc);
		const counts = {
			oui: 20 + Math.floor(next() * 90),
			non: Math.floor(next() * 80),
			'sans-avis': 5
		};
		docs.push(tally(pollDoc._id, counts, i >= 18));
	}
	for (let i = 0; i < 50; i++) {
		const starts = start + Math.floor(((i + 1) / 40) * 365 * DAY) + 18 * 3_600_000;
		docs.push({
			_id: `event:annee-${i}`,
			type: 'event',
			title: `Rendez-vous ${i + 1} de la commune`,
			description: texts[i * 7 + 1].body.slice(0, 600),
			category: EVENT_CATEGORIES[i % EVENT_CATEGORIES.length],
			starts_at: iso(starts),
			ends_at: iso(starts + 2 * 3_600_000),
			all_day: false,
			place: 'Salle des fêtes',
			registration_limit: i % 5 === 0 ? 80 : null,
			minutes: null,
			cancelled: i % 17 === 0,
			created_at: iso(starts - 20 * DAY),
			updated_at: iso(starts - 20 * DAY),
			author: 'Secrétariat de mairie'
		});
	}
	return { label: 'one year (300 notices, 20 polls, 50 events)', docs, currentNotices };
}

export function corpusDataset(): Dataset {
	return {
		label: '2,000-notice corpus (../shared/data)',
		docs: corpusHistory(),
		currentNotices: []
	};
}

/** The year on top of the corpus's history: what a device meets after five years of use. */
export function fiveYears(now = new Date()): Dataset {
	const year = realisticYear(now);
	return {
		label: 'five years: the corpus history + this year',
		docs: [...corpusHistory(), ...year.docs],
		currentNotices: year.currentNotices
	};
}

/** The physical bound's numerator: the documents as JSON, gzip-compressed. */
export function gzipBytes(docs: PublicDoc[]): number {
	return gzipSync(JSON.stringify(docs)).length;
}

export async function writeDocs(adminUrl: string, database: string, docs: PublicDoc[]) {
	const db = nano(adminUrl).use(database);
	for (let i = 0; i < docs.length; i += 500) {
		const results = await db.bulk({ docs: docs.slice(i, i + 500) });
		const refused = results.filter((row) => row.error);
		if (refused.length > 0) {
			throw new Error(`refused: ${JSON.stringify(refused.slice(0, 3))}`);
		}
	}
}
