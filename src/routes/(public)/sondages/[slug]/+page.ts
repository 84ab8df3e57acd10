import { loadPublic } from '#lib/client/load-public.ts';
import { publicStore } from '#lib/client/public-store.svelte.ts';
import type { Commune } from '#lib/domain/commune.ts';
import type { PollWithTally } from '#lib/domain/snapshot.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params }) => {
	const id = `poll:${params.slug}`;
	const found = await loadPublic<{ commune: Commune } & PollWithTally>(
		fetch,
		`/api/public/polls/${encodeURIComponent(params.slug)}`,
		() => {
			const entry = publicStore.poll(id);
			return entry && publicStore.commune ? { commune: publicStore.commune, ...entry } : null;
		}
	);
	return { ...found, id };
};
