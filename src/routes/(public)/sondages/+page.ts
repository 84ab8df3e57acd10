import { loadPublic } from '#lib/client/load-public.ts';
import { publicStore } from '#lib/client/public-store.svelte.ts';
import type { PublicSnapshot } from '#lib/domain/snapshot.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => {
	const snapshot = await loadPublic<PublicSnapshot>(fetch, '/api/public/current', () =>
		publicStore.commune
			? {
					commune: publicStore.commune,
					notices: [],
					polls: publicStore.visiblePolls,
					generated_at: publicStore.now.toISOString()
				}
			: null
	);
	return { commune: snapshot.commune, polls: snapshot.polls };
};
