import { loadPublic } from '#lib/client/load-public.ts';
import { publicStore } from '#lib/client/public-store.svelte.ts';
import type { Notice } from '#lib/domain/notice.ts';
import type { Commune } from '#lib/domain/commune.ts';
import type { PageLoad } from './$types';

// The same data as the notice's own page: server-rendered from the public API on
// a direct link, from the villager's replica when opened from the notice.
export const load: PageLoad = async ({ fetch, params }) => {
	const id = `notice:${params.slug}`;
	return loadPublic<{ commune: Commune; notice: Notice }>(
		fetch,
		`/api/public/notices/${encodeURIComponent(params.slug)}`,
		() => {
			const notice = publicStore.notice(id);
			return notice && publicStore.commune ? { commune: publicStore.commune, notice } : null;
		}
	);
};
