import { json } from '@sveltejs/kit';
import { jsonError } from '#lib/server/http.ts';
import { readNotice } from '#lib/server/public-read.ts';
import { m } from '#lib/i18n/index.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ params, locals }) => {
	const found = await readNotice(locals.backend, `notice:${params.slug}`);
	if (found === 'retracted') return jsonError(404, 'retracted', m.notice_retracted());
	if (!found) return jsonError(404, 'not_found', m.notice_notFound());
	return json(found, { headers: { 'cache-control': 'no-store' } });
};
