import { error } from '@sveltejs/kit';
import { browser } from '$app/env';
import { m } from '../i18n/index.ts';
import { isHydrated } from './hydration.ts';
import { publicStore } from './public-store.svelte.ts';
import type { CommuneEvent } from '../domain/event.ts';
import type { Commune } from '../domain/commune.ts';

type Fetch = typeof fetch;

/**
 * Public data for a universal load function. On the server, and while the first
 * page hydrates, it comes from the API (replayed from the page during hydration).
 * After that it comes from the local replica, and from the network only when the
 * replica does not have it. Offline with nothing stored, the error says so in French.
 */
export async function loadPublic<T>(
	fetch: Fetch,
	url: string,
	fromReplica: () => T | null | undefined
): Promise<T> {
	if (browser && isHydrated()) {
		await publicStore.open();
		const local = publicStore.ready ? fromReplica() : null;
		if (local) return local;
	}
	let response: Response;
	try {
		response = await fetch(url);
	} catch {
		if (browser) {
			await publicStore.open();
			const local = publicStore.ready ? fromReplica() : null;
			if (local) return local;
		}
		error(503, { message: m.errors_offlineNoData(), code: 'offline' });
	}
	if (response.status === 404) {
		const body = (await response.json().catch(() => null)) as { error?: unknown } | null;
		if (body?.error === 'retracted') {
			error(404, { message: m.notice_retracted(), code: 'retracted' });
		}
		error(404, { message: m.notice_notFound(), code: 'not_found' });
	}
	if (!response.ok) error(response.status, { message: m.errors_generic() });
	return (await response.json()) as T;
}

/** The agenda: for /agenda, an event's page and its poster. */
export function loadEvents(fetch: Fetch) {
	return loadPublic<{ commune: Commune; events: CommuneEvent[] }>(
		fetch,
		'/api/public/events',
		() =>
			publicStore.commune ? { commune: publicStore.commune, events: publicStore.events } : null
	);
}
