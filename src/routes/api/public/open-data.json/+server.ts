import { json } from '@sveltejs/kit';
import { getBackend } from '#lib/server/backend.ts';
import { readOpenData } from '#lib/server/open-data.ts';
import type { RequestHandler } from './$types';

/** The commune's public content in one JSON document (README: Open data). */
export const GET: RequestHandler = async ({ url }) => {
	const backend = await getBackend();
	const data = await readOpenData(backend, backend.config.origin ?? url.origin);
	return json(data, {
		headers: {
			'cache-control': 'public, max-age=300',
			'access-control-allow-origin': '*',
			'content-disposition': `inline; filename="crieur-${data.commune.slug}.json"`
		}
	});
};
