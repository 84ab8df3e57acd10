import fs from 'node:fs';
import path from 'node:path';
import nano from 'nano';
import { launchEmbeddedCouch, type EmbeddedCouch } from '../../../couch/embedded/launch.ts';
import { provisionCommune } from '../../../couch/provision.ts';
import { seedDemoContent } from '../../../couch/demo.ts';
import { databaseName } from '../domain/commune.ts';
import { readConfig, type ServerConfig } from './config.ts';
import { generatePassword, loadSecrets, type Secrets } from './secrets.ts';

export interface Backend {
	kind: 'embedded' | 'external';
	config: ServerConfig;
	secrets: Secrets;
	/** CouchDB base URL without credentials: the proxy forwards the client's own. */
	url: string;
	/** Same with admin credentials, for server jobs. */
	adminUrl: string;
	couch: nano.ServerScope;
	databases: { public: string; mairie: string; ballots: string };
	stop(): Promise<void>;
	embedded: EmbeddedCouch | null;
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
async function provisionFirstStart(
	backend: Backend,
	log: (message: string) => void
): Promise<void> {
	const { config } = backend;
	const staffName = 'secretariat';
	const password = generatePassword();
	const report = await provisionCommune(backend.adminUrl, {
		slug: config.commune,
		name: config.communeName,
		centre: config.centre,
		staff: { name: staffName, password }
	});
	if (!report.staffCreated) return;
	if (config.seedDemo) await seedDemoContent(backend.adminUrl, config.commune);
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
async function communeExists(backend: Backend): Promise<boolean> {
	try {
		await backend.couch.use(backend.databases.public).get('commune');
		return true;
	} catch (error) {
		if ((error as { statusCode?: number }).statusCode === 404) return false;
		throw error;
	}
}

async function start(log: (message: string) => void): Promise<Backend> {
	const config = readConfig();
	const secrets = loadSecrets(config.dataDir);
	const databases = {
		public: databaseName(config.commune, 'public'),
		mairie: databaseName(config.commune, 'mairie'),
		ballots: databaseName(config.commune, 'ballots')
	};
	let backend: Backend;
	if (config.couchUrl) {
		backend = {
			kind: 'external',
			config,
			secrets,
			url: withoutCredentials(config.couchUrl),
			adminUrl: config.couchUrl.replace(/\/$/, ''),
			couch: nano(config.couchUrl),
			databases,
			embedded: null,
			stop: async () => {}
		};
		if (config.demoOnCouch && !(await communeExists(backend))) {
			// A newcomer trying Crieur on CouchDB: the embedded store's first start.
			await provisionFirstStart(backend, log);
		} else {
			// Keeps design documents and _security current after an upgrade; the
			// operator creates communes and staff with `npm run provision`.
			const report = await provisionCommune(backend.adminUrl, {
				slug: config.commune,
				name: config.communeName,
				centre: config.centre
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
		backend = {
			kind: 'embedded',
			config,
			secrets,
			url: embedded.url,
			adminUrl: embedded.adminUrl,
			couch: nano(embedded.adminUrl),
			databases,
			embedded,
			stop: () => embedded.stop()
		};
		// Also brings design documents and _security up to date on every start.
		await provisionFirstStart(backend, log);
	}
	return backend;
}

let current: Promise<Backend> | null = null;

/** The one backend of this process, started on first use. */
export function getBackend(log: (message: string) => void = console.log): Promise<Backend> {
	current ??= start(log);
	return current;
}
