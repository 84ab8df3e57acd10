import { json } from '@sveltejs/kit';
import { readOpenData } from '#lib/server/open-data.ts';
import type { RequestHandler } from './$types';

/** The commune's public content in one JSON document (README: Open data). */
export const GET: RequestHandler = async ({ url, locals }) => {
	const backend = locals.backend;
	const data = await readOpenData(backend, backend.config.origin ?? url.origin);
	return json(data, {
		headers: {
			'cache-control': 'public, max-age=300',
			'access-control-allow-origin': '*',
			'content-disposition': `inline; filename="crieur-${data.commune.slug}.json"`
		}
	});
};
