import { LIMITS } from './limits.ts';

/** Cryptographic randomness, handed in: domain/ stays pure (issue 14 §4). */
export type RandomBytes = (count: number) => Uint8Array;

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** `count` characters of [0-9a-z], without modulo bias (252 is the largest multiple of 36 below 256). */
export function randomChars(count: number, random: RandomBytes): string {
	let out = '';
	while (out.length < count) {
		for (const byte of random(count * 2)) {
			if (byte < 252 && out.length < count) out += ALPHABET[byte % 36];
		}
	}
	return out;
}

// Words a French title repeats without saying anything: dropped from its address.
const LITTLE_WORDS = new Set([
	'a',
	'au',
	'aux',
	'd',
	'de',
	'des',
	'du',
	'en',
	'et',
	'l',
	'la',
	'le',
	'les',
	'qu',
	'un',
	'une'
]);

/** The longest part of an address taken from a title (the random suffix comes on top). */
export const SLUG_WORDS_MAX = 40;
/** Characters of the random suffix: 36⁴ ≈ 1.7 million per title. */
export const SLUG_SUFFIX = 4;

/** "Marché de Noël des écoles" → "marche-noel-ecoles": accents folded, little words left out, short. */
export function slugWords(title: string, max = SLUG_WORDS_MAX): string {
	const words = title
		.replace(/[œŒ]/g, 'oe')
		.replace(/[æÆ]/g, 'ae')
		.replace(/ß/g, 'ss')
		.normalize('NFD')
		.replace(/\p{Diacritic}/gu, '')
		.toLowerCase()
		.split(/[^a-z0-9]+/)
		.filter(Boolean);
	const meaningful = words.filter((word) => !LITTLE_WORDS.has(word));
	let slug = '';
	for (const word of meaningful.length > 0 ? meaningful : words) {
		const next = slug ? `${slug}-${word}` : word;
		if (next.length > max) {
			// One very long first word is cut rather than dropped.
			if (!slug) slug = word.slice(0, max);
			break;
		}
		slug = next;
	}
	return slug;
}

export type SlugKind = 'notice' | 'poll' | 'event';

/** What an address is made of when the title gives nothing (only symbols, or another script). */
const FALLBACK: Record<SlugKind, string> = { notice: 'avis', poll: 'sondage', event: 'evenement' };

/**
 * A new document's id with a readable address: `notice:marche-noel-ecoles-k3f9`.
 * The short random suffix is always there, not only on collision: two laptops
 * offline cannot see each other's new notices, and a monthly « Conseil
 * municipal » reuses its title, so checking the laptop's own copy is not
 * enough to keep addresses unique. It also keeps every address apart from the
 * route words beside it (`/mairie/avis/nouveau`). `taken` says whether an id
 * is already on this laptop: a rare clash there draws again.
 */
export function newSlugId(
	kind: SlugKind,
	title: string,
	random: RandomBytes,
	taken: (id: string) => boolean = () => false
): string {
	const words = slugWords(title) || FALLBACK[kind];
	for (;;) {
		const id = `${kind}:${words}-${randomChars(SLUG_SUFFIX, random)}`;
		if (!taken(id)) return id;
	}
}

/** Ids whose address would be a route of its own (`/mairie/avis/nouveau`). */
export function isReservedId(id: string): boolean {
	const slug = id.slice(id.indexOf(':') + 1);
	return (LIMITS.reservedSlugs as readonly string[]).includes(slug);
}

/** The address part of an id: `notice:marche-noel-k3f9` → `marche-noel-k3f9`. */
export const slugOf = (id: string): string => id.slice(id.indexOf(':') + 1);

/**
 * A new opaque id, time-ordered so that ids sort roughly by creation (outbox
 * items, kiosks, residents: nobody reads their address). Randomness is handed
 * in (getRandomValues in the browser, which unlike randomUUID also works on
 * plain-http LAN hosts; node:crypto on the server).
 */
export function newId(prefix: string, now: Date, random: RandomBytes): string {
	return `${prefix}:${now.getTime().toString(36)}-${randomChars(10, random)}`;
}
