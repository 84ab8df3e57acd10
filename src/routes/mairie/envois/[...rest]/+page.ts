import { redirect } from '@sveltejs/kit';
import type { PageLoad } from './$types';

// The staff queue was /mairie/envois, the name of the villager's outbox
// (/envois): bookmarks of the old address land on the queue's own (issue 14 §4).
export const load: PageLoad = ({ params }) => {
	redirect(308, params.rest ? `/mairie/signalements/${params.rest}` : '/mairie/signalements');
};
