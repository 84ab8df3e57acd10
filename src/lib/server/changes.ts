import type { Backend } from './backend.ts';

/**
 * Follows a database's changes, one long-poll at a time, for the life of the
 * process: `changed` runs after each batch of changes, `state` tells whether
 * the follower is up (after a failure it waits and starts again from now).
 */
export function followChanges(
	backend: Backend,
	db: string,
	handlers: { changed(): void; state?(up: boolean): void }
): void {
	void (async () => {
		let since = 'now';
		for (;;) {
			try {
				const changes = (await backend.couch.request({
					db,
					path: '_changes',
					qs: { feed: 'longpoll', since, timeout: 50_000, limit: 100 }
				})) as { results: unknown[]; last_seq: string | number };
				since = String(changes.last_seq);
				handlers.state?.(true);
				if (changes.results.length > 0) handlers.changed();
			} catch {
				handlers.state?.(false);
				since = 'now';
				await new Promise((resolve) => setTimeout(resolve, 5000));
			}
		}
	})();
}
