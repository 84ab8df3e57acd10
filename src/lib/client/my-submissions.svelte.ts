import type { SubmissionStatusView } from '../domain/submission.ts';
import type * as DeviceDbModule from './device-db.ts';

const load = (): Promise<typeof DeviceDbModule> => import('./device-db.ts');
const SETTING = 'my-submissions';

/**
 * What the mairie did with this resident's suggestions and reports: asked
 * from the server when online, kept on the device so it still shows offline.
 */
class MySubmissions {
	statuses = $state.raw<SubmissionStatusView[]>([]);
	/** When the list last came from the server. */
	checkedAt = $state<Date | null>(null);

	async refresh(): Promise<void> {
		const store = await load();
		const kept = await store.readSetting<{ at: string; list: SubmissionStatusView[] }>(SETTING);
		if (kept) {
			this.statuses = kept.list;
			this.checkedAt = new Date(kept.at);
		}
		if (navigator.onLine === false) return;
		try {
			const response = await fetch('/api/submissions/mine', {
				headers: { accept: 'application/json' }
			});
			if (!response.ok) return;
			const { submissions } = (await response.json()) as { submissions: SubmissionStatusView[] };
			const now = new Date();
			this.statuses = submissions;
			this.checkedAt = now;
			await store.writeSetting(SETTING, { at: now.toISOString(), list: submissions });
		} catch {
			// Offline or server away: what the device kept stays shown.
		}
	}

	of(id: string): SubmissionStatusView | undefined {
		return this.statuses.find((status) => status.id === id);
	}
}

export const mySubmissions = new MySubmissions();
