import { getOrNull } from '#lib/server/couch-errors.ts';
import { agendaCalendar, icsResponse } from '#lib/server/ics.ts';
import { jsonError } from '#lib/server/http.ts';
import { m } from '#lib/i18n/index.ts';
import type { CommuneEvent } from '#lib/domain/event.ts';
import type { Commune } from '#lib/domain/commune.ts';
import type { RequestHandler } from './$types';

/** One event, to add to a personal calendar. */
export const GET: RequestHandler = async ({ params, url, locals }) => {
	const backend = locals.backend;
	const db = backend.couch.use(backend.databases.public);
	const slug = params.slug;
	const event = /^[a-z0-9][a-z0-9-]{0,80}$/.test(slug)
		? ((await getOrNull(db, `event:${slug}`)) as unknown as CommuneEvent | null)
		: null;
	if (!event || event.type !== 'event') {
		return jsonError(404, 'not_found', m.agenda_notFound());
	}
	const commune = (await db.get('commune')) as unknown as Commune;
	return icsResponse(
		agendaCalendar(commune, [event], backend.config.origin ?? url.origin),
		`${slug}.ics`
	);
};
