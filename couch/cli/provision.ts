// Creates a commune (databases, _security, design documents, first staff
// account) on CouchDB, or completes what is missing. Running it twice changes
// nothing. Admin credentials come from COUCHDB_URL only, never from arguments.
//
//   COUCHDB_URL=http://admin:secret@127.0.0.1:5984 npm run provision -- \
//     --commune saint-crieur --name "Saint-Crieur" --host saint-crieur.example.fr --staff secretariat
//
// --host (repeatable) names the host names that reach the commune once the
// deployment serves several; the running app serves it within seconds.
//
// Without COUCHDB_URL it provisions the embedded store under DATA_DIR, through
// the app when it runs.
import { parseArgs } from 'node:util';
import { DEFAULT_TIME_ZONE } from '../../src/lib/domain/limits.ts';
import { provisionCommune } from '../provision.ts';
import { generatePassword } from '../../src/lib/server/secrets.ts';
import { connectToStore } from './connect.ts';

const { values } = parseArgs({
	options: {
		commune: { type: 'string' },
		name: { type: 'string' },
		staff: { type: 'string' },
		host: { type: 'string', multiple: true, default: [] },
		timezone: { type: 'string', default: DEFAULT_TIME_ZONE },
		help: { type: 'boolean', default: false }
	}
});

if (values.help || !values.commune || !values.name) {
	console.log(
		'Usage : npm run provision -- --commune <identifiant> --name "<Nom de la commune>" [--host <nom d’hôte>]… [--staff <compte>] [--timezone Europe/Paris]\n' +
			'Le mot de passe du compte est lu dans STAFF_PASSWORD, ou tiré au hasard et affiché.'
	);
	process.exit(values.help ? 0 : 2);
}

const password = process.env.STAFF_PASSWORD || generatePassword();
const store = await connectToStore();

try {
	const report = await provisionCommune(store.adminUrl, {
		slug: values.commune,
		name: values.name,
		timezone: values.timezone,
		hosts: values.host,
		staff: values.staff ? { name: values.staff, password } : undefined
	});
	if (report.changes.length === 0) console.log('Rien à faire : la commune est déjà en place.');
	for (const change of report.changes) console.log(`- ${change}`);
	if (report.staffCreated && !process.env.STAFF_PASSWORD) {
		console.log(`Mot de passe de ${values.staff} : ${password}`);
	}
} catch (error) {
	console.error(`Échec : ${(error as Error).message}`);
	process.exitCode = 1;
} finally {
	await store.stop();
}
