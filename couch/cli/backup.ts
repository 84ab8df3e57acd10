// Backs up one commune, or every commune of the store, attachments included
// (couch/backup.ts says what is in a backup and what never is).
//
//   COUCHDB_URL=http://admin:secret@127.0.0.1:5984 npm run backup -- --out /var/backups/crieur [--commune saint-crieur]
//
// Without COUCHDB_URL it reads the embedded store under DATA_DIR, through the
// app when it runs. Each run writes a dated folder: <out>/<date>/<commune>/.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backupCommune, listCommunes } from '../backup.ts';
import { connectToStore } from './connect.ts';

const { values } = parseArgs({
	options: {
		out: { type: 'string' },
		commune: { type: 'string' },
		help: { type: 'boolean', default: false }
	}
});

if (values.help || !values.out) {
	console.log(
		'Usage : npm run backup -- --out <dossier> [--commune <identifiant>]\n' +
			'Sans --commune, sauvegarde toutes les communes. Écrit <dossier>/<date>/<commune>/.'
	);
	process.exit(values.help ? 0 : 2);
}

const store = await connectToStore();
try {
	const communes = values.commune ? [values.commune] : await listCommunes(store.adminUrl);
	if (communes.length === 0) throw new Error('Aucune commune à sauvegarder.');
	const folder = path.join(
		path.resolve(values.out),
		new Date().toISOString().replace(/[:.]/g, '-')
	);
	for (const commune of communes) {
		const manifest = await backupCommune(store.adminUrl, commune, folder);
		const counts = Object.entries(manifest.databases)
			.map(([kind, db]) => `${kind} ${db.documents} documents, ${db.attachments} fichiers`)
			.join(' ; ');
		console.log(`${commune} : ${counts} ; ${manifest.users.documents} comptes`);
	}
	console.log(`Sauvegarde écrite dans ${folder}`);
} catch (error) {
	console.error(`Échec : ${(error as Error).message}`);
	process.exitCode = 1;
} finally {
	await store.stop();
}
