import { json } from '@sveltejs/kit';
import { m } from '#lib/i18n/index.ts';
import { jsonError } from '#lib/server/http.ts';
import { readPolls } from '#lib/server/public-read.ts';
import type { Commune } from '#lib/domain/commune.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ params, locals }) => {
	const backend = locals.backend;
	const entry = (await readPolls(backend)).find(
		(candidate) => candidate.poll._id === `poll:${params.slug}`
	);
	if (!entry) return jsonError(404, 'not_found', m.poll_notFound());
	const commune = (await backend.couch
		.use(backend.databases.public)
		.get('commune')) as unknown as Commune;
	return json({ commune, ...entry }, { headers: { 'cache-control': 'no-store' } });
};
