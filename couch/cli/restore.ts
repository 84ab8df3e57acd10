// Restores communes from a folder written by `npm run backup`, into databases
// that do not exist yet or are empty, before the app serves them.
//
//   COUCHDB_URL=http://admin:secret@127.0.0.1:5984 npm run restore -- --from /var/backups/crieur/<date> [--commune saint-crieur]
//
// The app that serves the restored communes needs the ballot key they were
// made with (DATA_DIR/secrets.json or CRIEUR_BALLOT_SECRET), which no backup holds.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { restoreCommune } from '../backup.ts';
import { connectToStore } from './connect.ts';

const { values } = parseArgs({
	options: {
		from: { type: 'string' },
		commune: { type: 'string' },
		help: { type: 'boolean', default: false }
	}
});

if (values.help || !values.from) {
	console.log(
		'Usage : npm run restore -- --from <dossier de sauvegarde> [--commune <identifiant>]\n' +
			'Sans --commune, restaure toutes les communes du dossier.'
	);
	process.exit(values.help ? 0 : 2);
}

const from = path.resolve(values.from);
if (!fs.existsSync(from)) {
	console.error(`Échec : le dossier ${from} n’existe pas.`);
	process.exit(1);
}
const store = await connectToStore();
try {
	const communes = values.commune
		? [values.commune]
		: fs.readdirSync(from).filter((name) => fs.existsSync(path.join(from, name, 'manifest.json')));
	if (communes.length === 0) throw new Error(`Aucune sauvegarde de commune dans ${from}.`);
	for (const commune of communes) {
		const manifest = await restoreCommune(store.adminUrl, path.join(from, commune));
		console.log(`${manifest.commune} restaurée (sauvegarde du ${manifest.created_at})`);
		if (manifest.keysRestored === 'different') {
			console.log(
				'  Les clés d’envoi des alertes de ce serveur ne sont pas celles de la sauvegarde : les appareils abonnés de cette commune devront se réabonner.'
			);
		}
	}
} catch (error) {
	console.error(`Échec : ${(error as Error).message}`);
	process.exitCode = 1;
} finally {
	await store.stop();
}
