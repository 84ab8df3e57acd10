import type { Commune } from '#lib/domain/commune.ts';
import type { RequestHandler } from './$types';

/** The web app manifest, named after the commune so that the home-screen icon says whose it is. */
export const GET: RequestHandler = async ({ locals }) => {
	const backend = locals.backend;
	let name = backend.commune;
	try {
		name = (
			(await backend.couch.use(backend.databases.public).get('commune')) as unknown as Commune
		).name;
	} catch {
		// Keep the configured name.
	}
	const manifest = {
		id: '/',
		name: `Crieur — ${name}`,
		// The home screen shows this one: the commune's name, as villagers know it.
		short_name: name.length <= 15 ? name : 'Crieur',
		description: `Les avis et alertes de la mairie de ${name}, même hors connexion.`,
		lang: 'fr',
		dir: 'ltr',
		start_url: '/',
		scope: '/',
		display: 'standalone',
		orientation: 'any',
		background_color: '#f7f5f0',
		theme_color: '#1d3b6e',
		categories: ['news', 'government'],
		icons: [
			{ src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
			{ src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
			{ src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' }
		]
	};
	return new Response(JSON.stringify(manifest), {
		headers: {
			'content-type': 'application/manifest+json; charset=utf-8',
			'cache-control': 'public, max-age=3600'
		}
	});
};
