import { loadEvents } from '#lib/client/load-public.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => {
	return loadEvents(fetch);
};
