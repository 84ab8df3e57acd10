import type { EventCategory } from '../../domain/event.ts';
import { DEFAULT_TIME_ZONE } from '../../domain/limits.ts';
import type { NoticeCategory } from '../../domain/notice.ts';
import { m } from '../../i18n/index.ts';

/**
 * A poster goes on the mairie's notice board: it is printed in French whatever
 * language the person printing it reads the app in. Pass this to a message
 * (`m.poster_vote({}, FRENCH)`) and use the formatters below instead of the
 * interface's, which follow the reader's language.
 */
export const FRENCH = { locale: 'fr' } as const;

/** "28 novembre 2026", in the commune's time zone. */
export function posterDate(iso: string, timeZone = DEFAULT_TIME_ZONE): string {
	return new Intl.DateTimeFormat('fr-FR', {
		timeZone,
		day: 'numeric',
		month: 'long',
		year: 'numeric'
	}).format(new Date(iso));
}

/** "30 décembre 2026 à 10:00", in the commune's time zone. */
export function posterDateTime(iso: string, timeZone = DEFAULT_TIME_ZONE): string {
	return new Intl.DateTimeFormat('fr-FR', {
		timeZone,
		dateStyle: 'long',
		timeStyle: 'short'
	}).format(new Date(iso));
}

const categories: Record<NoticeCategory, () => string> = {
	avis: () => m.category_avis({}, FRENCH),
	arrete: () => m.category_arrete({}, FRENCH),
	alerte: () => m.category_alerte({}, FRENCH),
	agenda: () => m.category_agenda({}, FRENCH),
	'compte-rendu': () => m.category_compte_rendu({}, FRENCH)
};

/** "samedi 12 décembre 2026, 20:00 – 22:00" or whole days, in French and the commune's time. */
export function posterEventWhen(
	event: { starts_at: string; ends_at: string; all_day: boolean },
	timeZone = DEFAULT_TIME_ZONE
): string {
	const start = new Date(event.starts_at);
	const date = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' } as const;
	if (event.all_day) {
		const lastDay = new Date(Math.max(start.getTime(), Date.parse(event.ends_at) - 1));
		const days = new Intl.DateTimeFormat('fr-FR', { timeZone, ...date }).formatRange(
			start,
			lastDay
		);
		return `${days}, ${m.agenda_allDay({}, FRENCH)}`;
	}
	return new Intl.DateTimeFormat('fr-FR', {
		timeZone,
		...date,
		hour: '2-digit',
		minute: '2-digit'
	}).formatRange(start, new Date(event.ends_at));
}

const eventCategories: Record<EventCategory, () => string> = {
	fete: () => m.event_category_fete({}, FRENCH),
	conseil: () => m.event_category_conseil({}, FRENCH),
	collecte: () => m.event_category_collecte({}, FRENCH),
	reunion: () => m.event_category_reunion({}, FRENCH),
	'culture-sport': () => m.event_category_culture_sport({}, FRENCH),
	autre: () => m.event_category_autre({}, FRENCH)
};

/** "Conseil municipal", "Collecte"… in French. */
export const posterEventCategory = (category: EventCategory): string => eventCategories[category]();

/** "Arrêté", "Alerte"… in French. */
export const posterCategory = (category: NoticeCategory): string => categories[category]();
