import { loadPublic } from '#lib/client/load-public.ts';
import { publicStore } from '#lib/client/public-store.svelte.ts';
import type { CommuneEvent } from '#lib/domain/event.ts';
import type { Notice } from '#lib/domain/notice.ts';
import type { Commune } from '#lib/domain/commune.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params }) => {
	const id = `notice:${params.slug}`;
	const found = await loadPublic<{
		commune: Commune;
		notice: Notice;
		event?: CommuneEvent | null;
	}>(fetch, `/api/public/notices/${encodeURIComponent(params.slug)}`, () => {
		const notice = publicStore.notice(id);
		if (!notice || !publicStore.commune) return null;
		const event = publicStore.events.find((found) => found._id === notice.event) ?? null;
		return { commune: publicStore.commune, notice, event };
	});
	return { ...found, id };
};
