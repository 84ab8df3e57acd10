import { redirect } from '@sveltejs/kit';
import type { PageLoad } from './$types';

// Addresses used to name the database (/mairie/avis/public/…): printed and
// bookmarked links go to the document's one address. Runs in the browser
// (staff pages are not server-rendered), so it works offline too.
export const load: PageLoad = ({ params }) => {
	redirect(308, `/mairie/avis/${encodeURIComponent(params.slug)}`);
};
