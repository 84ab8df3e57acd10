// `npm start` builds only when the sources changed since the last build: a
// restart of an unchanged checkout takes a second, not the build's half minute.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Everything the production build reads: the server bundle takes couch/ in too. */
const INPUTS = [
	'src',
	'service-worker',
	'static',
	'couch',
	'package-lock.json',
	'package.json',
	'vite.config.ts',
	'svelte.config.js',
	'tsconfig.json'
];
/** Written by the build or by tools, so they say nothing about the sources. */
const SKIPPED = [/(^|\/)\.svelte-kit\//, /^src\/lib\/i18n\/paraglide\//, /\.test\.ts$/];
const STAMP = path.join('build', '.sources-hash');

function files(entry: string): string[] {
	if (!fs.existsSync(entry)) return [];
	if (fs.statSync(entry).isFile()) return [entry];
	return fs
		.readdirSync(entry, { recursive: true, encoding: 'utf8' })
		.map((name) => path.join(entry, name).split(path.sep).join('/'))
		.filter((name) => fs.statSync(name).isFile() && !SKIPPED.some((skip) => skip.test(name)))
		.sort();
}

function sourcesHash(): string {
	const hash = createHash('sha256');
	for (const file of INPUTS.flatMap(files)) {
		hash
			.update(file)
			.update('\0')
			.update(new Uint8Array(fs.readFileSync(file)))
			.update('\0');
	}
	return hash.digest('hex');
}

const wanted = sourcesHash();
const built = fs.existsSync(STAMP) ? fs.readFileSync(STAMP, 'utf8').trim() : null;
if (built === wanted && fs.existsSync(path.join('build', 'index.js'))) {
	console.log('Sources inchangées depuis la dernière construction : build/ est à jour.');
} else {
	const result = spawnSync('npx', ['vite', 'build'], { stdio: 'inherit' });
	if (result.status !== 0) process.exit(result.status ?? 1);
	fs.writeFileSync(STAMP, wanted + '\n');
}
