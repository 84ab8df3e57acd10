import { loadPublic } from '#lib/client/load-public.ts';
import { publicStore } from '#lib/client/public-store.svelte.ts';
import type { Commune } from '#lib/domain/commune.ts';
import type { AnswerDoc } from '#lib/domain/answer.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => {
	return loadPublic<{ commune: Commune; answers: AnswerDoc[]; supports: Record<string, number> }>(
		fetch,
		'/api/public/answers',
		() =>
			publicStore.commune
				? {
						commune: publicStore.commune,
						answers: publicStore.answers,
						supports: publicStore.supports
					}
				: null
	);
};
