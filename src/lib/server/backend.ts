import fs from 'node:fs';
import path from 'node:path';
import nano from 'nano';
import { launchEmbeddedCouch, type EmbeddedCouch } from '../../../couch/embedded/launch.ts';
import { provisionCommune } from '../../../couch/provision.ts';
import { seedDemoContent } from '../../../couch/demo.ts';
import { databaseName } from '../domain/commune.ts';
import { readConfig, type ServerConfig } from './config.ts';
import { generatePassword, loadSecrets, type Secrets } from './secrets.ts';

/** The process's CouchDB (or the embedded one), shared by every commune it serves. */
export interface Store {
	kind: 'embedded' | 'external';
	config: ServerConfig;
	secrets: Secrets;
	/** CouchDB base URL without credentials: the proxy forwards the client's own. */
	url: string;
	/** Same with admin credentials, for server jobs. */
	adminUrl: string;
	couch: nano.ServerScope;
	stop(): Promise<void>;
	embedded: EmbeddedCouch | null;
}

/** One commune's part of the store: what a request (chosen by its host) and a job work on. */
export interface Backend extends Store {
	commune: string;
	databases: { public: string; mairie: string; ballots: string; reach: string };
}

export function communeBackend(store: Store, commune: string): Backend {
	return {
		...store,
		commune,
		databases: {
			public: databaseName(commune, 'public'),
			mairie: databaseName(commune, 'mairie'),
			ballots: databaseName(commune, 'ballots'),
			reach: databaseName(commune, 'reach')
		}
	};
}

function withoutCredentials(url: string): string {
	const parsed = new URL(url);
	parsed.username = '';
	parsed.password = '';
	return parsed.toString().replace(/\/$/, '');
}

/**
 * Provisions the commune; on the very first start (the staff account did not
 * exist) it also seeds the demo content and prints the staff login.
 */
async function provisionFirstStart(store: Store, log: (message: string) => void): Promise<void> {
	const { config } = store;
	const staffName = 'secretariat';
	const password = generatePassword();
	const report = await provisionCommune(store.adminUrl, {
		slug: config.commune,
		name: config.communeName,
		centre: config.centre,
		hosts: config.hosts,
		staff: { name: staffName, password }
	});
	if (!report.staffCreated) return;
	if (config.seedDemo) await seedDemoContent(store.adminUrl, config.commune);
	const loginFile = path.join(config.dataDir, 'identifiants-mairie.txt');
	fs.writeFileSync(
		loginFile,
		`Commune : ${config.communeName} (${config.commune})\nIdentifiant : ${staffName}\nMot de passe : ${password}\n`,
		{ mode: 0o600 }
	);
	log(
		[
			'',
			`  Commune « ${config.communeName} » créée.`,
			`  Espace mairie : /mairie — identifiant « ${staffName} », mot de passe « ${password} »`,
			`  (noté aussi dans ${loginFile})`,
			''
		].join('\n')
	);
}

/** Whether the commune was ever provisioned: its public database has its document. */
async function communeExists(store: Store, commune: string): Promise<boolean> {
	try {
		await store.couch.use(databaseName(commune, 'public')).get('commune');
		return true;
	} catch (error) {
		if ((error as { statusCode?: number }).statusCode === 404) return false;
		throw error;
	}
}

async function start(log: (message: string) => void): Promise<Store> {
	const config = readConfig();
	const secrets = loadSecrets(config.dataDir);
	let store: Store;
	if (config.couchUrl) {
		store = {
			kind: 'external',
			config,
			secrets,
			url: withoutCredentials(config.couchUrl),
			adminUrl: config.couchUrl.replace(/\/$/, ''),
			couch: nano(config.couchUrl),
			embedded: null,
			stop: async () => {}
		};
		if (config.demoOnCouch && !(await communeExists(store, config.commune))) {
			// A newcomer trying Crieur on CouchDB: the embedded store's first start.
			await provisionFirstStart(store, log);
		} else {
			// Keeps design documents and _security current after an upgrade; the
			// operator creates communes and staff with `npm run provision`.
			const report = await provisionCommune(store.adminUrl, {
				slug: config.commune,
				name: config.communeName,
				centre: config.centre,
				hosts: config.hosts
			});
			for (const change of report.changes) log(`CouchDB : ${change}`);
		}
	} else {
		const embedded = await launchEmbeddedCouch({
			dir: path.join(config.dataDir, 'couch'),
			admin: secrets.couchAdmin,
			password: secrets.couchPassword,
			cookieSecret: secrets.cookieSecret,
			log
		});
		store = {
			kind: 'embedded',
			config,
			secrets,
			url: embedded.url,
			adminUrl: embedded.adminUrl,
			couch: nano(embedded.adminUrl),
			embedded,
			stop: () => embedded.stop()
		};
		// Also brings design documents and _security up to date on every start.
		await provisionFirstStart(store, log);
	}
	return store;
}

let current: Promise<Store> | null = null;

/** The one store of this process, started on first use. */
export function getStore(log: (message: string) => void = console.log): Promise<Store> {
	current ??= start(log);
	return current;
}
