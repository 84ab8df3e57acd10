import type { Workbox } from 'workbox-window';

const UPDATE_CHECK_MS = 60 * 60_000;

/**
 * Service worker registration through workbox-window. A new version waits
 * until the villager accepts it ("Nouvelle version — recharger"), so that a
 * page is never swapped under their feet; the app checks for updates itself,
 * since a worker can stay stuck in waiting (cht-core #7375).
 */
interface InstallPrompt extends Event {
	prompt(): Promise<void>;
	userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

class Pwa {
	updateReady = $state(false);
	/** The browser's install offer (Chromium), kept for « Installer l’application ». */
	installPrompt = $state<InstallPrompt | null>(null);
	installed = $state(false);
	#workbox: Workbox | null = null;

	async register(): Promise<void> {
		if (!('serviceWorker' in navigator) || this.#workbox) return;
		// No banner of the browser's own on the first visit: the app offers it where it helps.
		window.addEventListener('beforeinstallprompt', (event) => {
			event.preventDefault();
			this.installPrompt = event as InstallPrompt;
		});
		window.addEventListener('appinstalled', () => {
			this.installPrompt = null;
			this.installed = true;
		});
		const { Workbox } = await import('workbox-window');
		const workbox = new Workbox('/service-worker.js', { type: 'module' });
		this.#workbox = workbox;
		workbox.addEventListener('waiting', () => (this.updateReady = true));
		await workbox.register();
		setInterval(() => void workbox.update(), UPDATE_CHECK_MS);
	}

	applyUpdate(): void {
		this.updateReady = false;
		const workbox = this.#workbox;
		if (!workbox) return;
		// Once the accepted worker takes over, reload onto the new version.
		workbox.addEventListener('controlling', () => window.location.reload());
		workbox.messageSkipWaiting();
	}

	async install(): Promise<void> {
		const offer = this.installPrompt;
		if (!offer) return;
		this.installPrompt = null;
		await offer.prompt();
		if ((await offer.userChoice).outcome === 'accepted') this.installed = true;
	}

	dismiss(): void {
		this.updateReady = false;
	}
}

export const pwa = new Pwa();
