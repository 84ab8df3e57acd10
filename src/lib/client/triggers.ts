/**
 * Calls `run` on the triggers every sync shares (ARCHITECTURE §3): now, when
 * the network returns, when the app becomes visible again, when a push
 * arrives, and periodically while visible. `onOffline` lets the caller show "hors ligne" at once.
 */
export function onSyncTriggers(
	run: () => void,
	options: { periodMs: number; onOffline?: () => void; when?: () => boolean }
): void {
	const maybeRun = () => {
		if (options.when?.() ?? true) run();
	};
	maybeRun();
	window.addEventListener('online', maybeRun);
	if (options.onOffline) window.addEventListener('offline', options.onOffline);
	document.addEventListener('visibilitychange', () => {
		if (document.visibilityState === 'visible') maybeRun();
	});
	setInterval(() => {
		if (document.visibilityState === 'visible') maybeRun();
	}, options.periodMs);
	// A push arrived (service-worker/index.ts): what it announces is on the server now.
	navigator.serviceWorker?.addEventListener('message', (event) => {
		if ((event.data as { type?: string } | null)?.type === 'sync-now') maybeRun();
	});
}
