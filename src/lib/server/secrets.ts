import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export interface Secrets {
	/** Admin of the embedded CouchDB-protocol server. */
	couchAdmin: string;
	couchPassword: string;
	/** Signs the embedded server's session cookies. */
	cookieSecret: string;
	/** Keys the HMAC that turns a resident into a ballot id. */
	ballotSecret: string;
}

function token(bytes = 24): string {
	return randomBytes(bytes).toString('base64url');
}

/**
 * Secrets live in DATA_DIR/secrets.json (mode 600), created on first start and
 * never committed. CRIEUR_BALLOT_SECRET overrides the ballot key, so that a
 * host running several app servers gives them all the same one.
 */
export function loadSecrets(dataDir: string, env: NodeJS.ProcessEnv = process.env): Secrets {
	const file = path.join(dataDir, 'secrets.json');
	fs.mkdirSync(dataDir, { recursive: true });
	let secrets: Secrets;
	if (fs.existsSync(file)) {
		secrets = JSON.parse(fs.readFileSync(file, 'utf8')) as Secrets;
	} else {
		secrets = {
			couchAdmin: 'crieur-admin',
			couchPassword: token(),
			cookieSecret: token(32),
			ballotSecret: token(32)
		};
		fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
	}
	if (env.CRIEUR_BALLOT_SECRET) secrets = { ...secrets, ballotSecret: env.CRIEUR_BALLOT_SECRET };
	return secrets;
}

export function generatePassword(): string {
	// Readable aloud and typed on a laptop: no look-alike characters.
	const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
	const bytes = randomBytes(12);
	let out = '';
	for (const byte of bytes) out += alphabet[byte % alphabet.length];
	return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8, 12)}`;
}
