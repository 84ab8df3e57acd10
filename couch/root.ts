import fs from 'node:fs';
import path from 'node:path';

/**
 * The project folder, found from the working directory. Server code is bundled
 * into build/ and no longer sits beside couch/, so import.meta.url cannot be used.
 * CRIEUR_ROOT overrides it.
 */
export function projectRoot(): string {
	if (process.env.CRIEUR_ROOT) return path.resolve(process.env.CRIEUR_ROOT);
	let dir = process.cwd();
	for (;;) {
		if (fs.existsSync(path.join(dir, 'couch', 'ddocs'))) return dir;
		const parent = path.dirname(dir);
		if (parent === dir) {
			throw new Error(
				'Dossier du projet introuvable (couch/ddocs). Lancez Crieur depuis son dossier ou définissez CRIEUR_ROOT.'
			);
		}
		dir = parent;
	}
}
