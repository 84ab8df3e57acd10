import { loadPublic } from '#lib/client/load-public.ts';
import { publicStore } from '#lib/client/public-store.svelte.ts';
import type { CommuneEvent } from '#lib/domain/event.ts';
import type { Commune } from '#lib/domain/notice.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => {
	return loadPublic<{ commune: Commune; events: CommuneEvent[] }>(
		fetch,
		'/api/public/events',
		() =>
			publicStore.commune ? { commune: publicStore.commune, events: publicStore.events } : null
	);
};
