import { error } from '@sveltejs/kit';
import { loadPublic } from '#lib/client/load-public.ts';
import { publicStore } from '#lib/client/public-store.svelte.ts';
import type { CommuneEvent } from '#lib/domain/event.ts';
import type { Commune } from '#lib/domain/notice.ts';
import { m } from '#lib/i18n/index.ts';
import type { PageLoad } from './$types';

// The same data as the event's own page, from the replica when opened from it.
export const load: PageLoad = async ({ fetch, params }) => {
	const found = await loadPublic<{ commune: Commune; events: CommuneEvent[] }>(
		fetch,
		'/api/public/events',
		() =>
			publicStore.commune ? { commune: publicStore.commune, events: publicStore.events } : null
	);
	const event = found.events.find((candidate) => candidate._id === `event:${params.slug}`);
	if (!event) error(404, { message: m.agenda_notFound(), code: 'not_found' });
	return { commune: found.commune, event };
};
