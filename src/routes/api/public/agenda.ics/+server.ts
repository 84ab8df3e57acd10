import { agendaCalendar, icsResponse } from '#lib/server/ics.ts';
import { readEvents } from '#lib/server/public-read.ts';
import type { RequestHandler } from './$types';

/** The subscribable agenda: every published event, past ones included (calendars keep history). */
export const GET: RequestHandler = async ({ url, locals }) => {
	const backend = locals.backend;
	const { commune, events } = await readEvents(backend);
	return icsResponse(
		agendaCalendar(commune, events, backend.config.origin ?? url.origin),
		`agenda-${commune.slug}.ics`
	);
};
