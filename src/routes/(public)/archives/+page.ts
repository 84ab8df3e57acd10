import { loadPublic } from '#lib/client/load-public.ts';
import { publicStore } from '#lib/client/public-store.svelte.ts';
import type { Notice } from '#lib/domain/notice.ts';
import type { Commune } from '#lib/domain/commune.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => {
	const archive = await loadPublic<{ commune: Commune; notices: Notice[] }>(
		fetch,
		'/api/public/archive',
		() =>
			publicStore.commune ? { commune: publicStore.commune, notices: publicStore.lists.past } : null
	);
	return archive;
};
