import { redirect } from '@sveltejs/kit';
import { jsonError } from '#lib/server/http.ts';
import type { RequestHandler } from './$types';

/**
 * An attachment of a public notice under a stable URL that the service worker
 * caches once opened (the villager replica keeps attachment metadata only).
 */
export const GET: RequestHandler = async ({ params, request, locals }) => {
	const backend = locals.backend;
	const path = [backend.databases.public, `notice:${params.slug}`, ...params.name.split('/')]
		.map(encodeURIComponent)
		.join('/');
	const headers = new Headers({ 'accept-encoding': 'identity' });
	const ifNoneMatch = request.headers.get('if-none-match');
	if (ifNoneMatch) headers.set('if-none-match', ifNoneMatch);
	const upstream = await fetch(`${backend.url}/${path}`, { headers });
	if (upstream.status === 304) return new Response(null, { status: 304 });
	if (!upstream.ok) {
		await upstream.body?.cancel();
		// A person who followed a link lands on the notice, told in words; a script gets JSON.
		if ((request.headers.get('accept') ?? '').includes('text/html')) {
			const notice = `/avis/${encodeURIComponent(params.slug)}`;
			return redirect(303, `${notice}?fichier=${encodeURIComponent(params.name)}`);
		}
		return jsonError(404, 'not_found', "Ce fichier n'existe pas ou n'est plus publié.");
	}
	const type = upstream.headers.get('content-type') ?? 'application/octet-stream';
	const response = new Response(upstream.body, {
		headers: {
			'content-type': type,
			'content-length': upstream.headers.get('content-length') ?? '',
			etag: upstream.headers.get('etag') ?? '',
			'cache-control': 'public, max-age=300',
			// validate_doc_update admits only PDF and raster images, never HTML or SVG.
			'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(params.name)}`
		}
	});
	if (!response.headers.get('content-length')) response.headers.delete('content-length');
	if (!response.headers.get('etag')) response.headers.delete('etag');
	return response;
};
