import { unknownZones } from '../../domain/zones.ts';
import { getLocale, m, type Locale } from '../../i18n/index.ts';
import type { Backend } from '../backend.ts';
import { jsonError } from '../http.ts';
import { readCommune } from '../public-read.ts';
import { mailEnabled } from './mail.ts';

/** Refuses a subscription naming zones the commune does not have (another commune's, say). */
export async function refusedZones(
	backend: Backend,
	zones: readonly string[]
): Promise<Response | null> {
	if (unknownZones(zones, (await readCommune(backend)).zones).length === 0) return null;
	return jsonError(400, 'unknown_zone', m.push_unknown_zone());
}

/** Refuses an e-mail request when e-mail is off here, or names zones the commune does not have. */
export async function refusedEmailRequest(
	backend: Backend,
	zones: readonly string[]
): Promise<Response | null> {
	if (!mailEnabled(backend)) return jsonError(503, 'email_off', m.email_off());
	return refusedZones(backend, zones);
}

/** Where links in a message open, and in which language it is written. */
export function mailContext(
	backend: Backend,
	url: URL
): { origin: string; lang: Locale; communeName: Promise<string> } {
	return {
		origin: backend.config.origin ?? url.origin,
		lang: getLocale(),
		communeName: readCommune(backend).then((commune) => commune.name)
	};
}
