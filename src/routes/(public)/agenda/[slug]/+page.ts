import { error } from '@sveltejs/kit';
import { loadEvents } from '#lib/client/load-public.ts';
import { m } from '#lib/i18n/index.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params }) => {
	const found = await loadEvents(fetch);
	const event = found.events.find((candidate) => candidate._id === `event:${params.slug}`);
	if (!event) error(404, { message: m.agenda_notFound(), code: 'not_found' });
	return { commune: found.commune, id: event._id, event };
};
