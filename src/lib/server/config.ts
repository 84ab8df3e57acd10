import path from 'node:path';
import { hostName, isCommuneSlug } from '../domain/commune.ts';
import { KNOWN_PUSH_SERVICES } from '../domain/reach.ts';

export interface ServerConfig {
	dataDir: string;
	/** External Apache CouchDB with admin credentials; absent means the embedded server. */
	couchUrl: string | null;
	/** The commune this app instance serves. */
	commune: string;
	/** Name used when provisioning the commune for the first time. */
	communeName: string;
	/** COMMUNE_HOSTS: the host names that reach this commune once the deployment serves several. */
	hosts: string[];
	/** Seed the demo content into an empty embedded store. */
	seedDemo: boolean;
	/** CRIEUR_DEMO=1 with COUCHDB_URL: an empty CouchDB gets the demo commune, as the embedded store does. */
	demoOnCouch: boolean;
	/** Centre of the commune: reports placed far from it are refused. */
	centre: { lat: number; lng: number } | null;
	/** Public address for links the server writes (calendar feeds); else the request's. */
	origin: string | null;
	/**
	 * CRIEUR_PUSH_SERVICES: the hosts (`name` or `name:port`, `*.` for any
	 * subdomain) a push subscription's endpoint may name; the browsers' own by
	 * default. Tests name their loopback push service.
	 */
	pushServices: string[];
	/** CRIEUR_VAPID_SUBJECT: how a push service reaches the host (`mailto:` or `https:`). */
	vapidSubject: string;
	/** SMTP_URL (`smtp://` or `smtps://`, credentials in it): without it, e-mail is off. */
	smtpUrl: string | null;
	/** MAIL_FROM: the sender of every e-mail (`Mairie de Saint-Crieur <mairie@…>`). */
	mailFrom: string;
}

/** "46.3167,4.8333" → coordinates; the demo commune sits in Burgundy. */
function readCentre(value: string | undefined, commune: string): ServerConfig['centre'] {
	if (!value) return commune === 'demo' ? { lat: 46.3167, lng: 4.8333 } : null;
	const [lat, lng] = value.split(',').map(Number);
	if (!(Math.abs(lat) <= 90 && Math.abs(lng) <= 180)) {
		throw new Error(`COMMUNE_CENTRE invalide : « ${value} » (latitude,longitude en degrés).`);
	}
	return { lat, lng };
}

function readHosts(value: string | undefined): string[] {
	return (value ?? '')
		.split(',')
		.filter((entry) => entry.trim() !== '')
		.map((entry) => {
			const host = hostName(entry);
			if (!host) {
				throw new Error(`COMMUNE_HOSTS invalide : « ${entry.trim()} » (un nom d’hôte, sans port).`);
			}
			return host;
		});
}

function readOrigin(value: string | undefined): string | null {
	if (!value?.trim()) return null;
	const url = new URL(value.trim());
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new Error(`ORIGIN invalide : « ${value} » (https://adresse-publique).`);
	}
	return url.origin;
}

function readVapidSubject(value: string | undefined): string {
	const subject = value?.trim() || 'mailto:postmaster@localhost';
	if (!/^(mailto:|https:\/\/)/.test(subject)) {
		throw new Error(`CRIEUR_VAPID_SUBJECT invalide : « ${subject} » (mailto:… ou https://…).`);
	}
	return subject;
}

function readSmtpUrl(value: string | undefined): string | null {
	if (!value?.trim()) return null;
	let url: URL | null;
	try {
		url = new URL(value.trim());
	} catch {
		url = null;
	}
	if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')) {
		throw new Error('SMTP_URL invalide (smtp://utilisateur:motdepasse@hote:587 ou smtps://…:465).');
	}
	return url.href;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
	const commune = env.COMMUNE ?? 'demo';
	if (!isCommuneSlug(commune)) {
		throw new Error(`COMMUNE invalide : « ${commune} » (minuscules, chiffres et tirets).`);
	}
	const couchUrl = env.COUCHDB_URL?.trim() || null;
	if (couchUrl) {
		const parsed = new URL(couchUrl);
		if (!parsed.username || !parsed.password) {
			throw new Error(
				'COUCHDB_URL doit contenir les identifiants administrateur : http://admin:motdepasse@hote:5984'
			);
		}
	}
	return {
		dataDir: path.resolve(env.DATA_DIR ?? './data'),
		couchUrl,
		commune,
		communeName: env.COMMUNE_NAME ?? (commune === 'demo' ? 'Saint-Crieur' : commune),
		hosts: readHosts(env.COMMUNE_HOSTS),
		seedDemo: env.CRIEUR_DEMO !== '0',
		demoOnCouch: env.CRIEUR_DEMO === '1',
		centre: readCentre(env.COMMUNE_CENTRE, commune),
		origin: readOrigin(env.ORIGIN),
		pushServices: env.CRIEUR_PUSH_SERVICES?.trim()
			? env.CRIEUR_PUSH_SERVICES.split(',').map((host) => host.trim().toLowerCase())
			: KNOWN_PUSH_SERVICES,
		vapidSubject: readVapidSubject(env.CRIEUR_VAPID_SUBJECT),
		smtpUrl: readSmtpUrl(env.SMTP_URL),
		mailFrom: env.MAIL_FROM?.trim() || 'Crieur <no-reply@localhost>'
	};
}
