import type { StaffKind } from '#lib/client/staff/index.ts';

/**
 * One address per document, wherever it is stored: publishing or retracting
 * moves a document between the databases, never to another address.
 */
const EDITORS: Record<StaffKind, string> = {
	notice: '/mairie/avis',
	poll: '/mairie/sondages',
	event: '/mairie/agenda'
};

export const staffPath = (kind: StaffKind, slug: string) =>
	`${EDITORS[kind]}/${encodeURIComponent(slug)}`;

export const newPath = (kind: StaffKind) => `${EDITORS[kind]}/nouveau`;

/** Where each editor's "back" goes: notices are the staff home page. */
export const listPath = (kind: StaffKind) => (kind === 'notice' ? '/mairie' : EDITORS[kind]);

/** Where staff open a document named by its id (a refusal, a notification); null if nowhere. */
export function pathOfId(id: string): string | null {
	const [prefix, ...rest] = id.split(':');
	const slug = rest.join(':');
	if (slug === '') return null;
	if (prefix === 'submission') return `/mairie/signalements/${encodeURIComponent(slug)}`;
	if (prefix === 'notice' || prefix === 'poll' || prefix === 'event')
		return staffPath(prefix, slug);
	return null;
}
