import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nano from 'nano';
import { launchEmbeddedCouch, type EmbeddedCouch } from '../../couch/embedded/launch.ts';
import { provisionCommune } from '../../couch/provision.ts';

export interface TestCouch {
	couch: EmbeddedCouch;
	dir: string;
	/** Base URL without credentials. */
	url: string;
	adminUrl: string;
	stop(): Promise<void>;
}

/** A real CouchDB-protocol server (the embedded stand-in) in a fresh folder. */
export async function startCouch(): Promise<TestCouch> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-couch-'));
	const couch = await launchEmbeddedCouch({
		dir,
		admin: 'admin',
		password: 'admin-password',
		cookieSecret: 'test-cookie-secret',
		log: () => {}
	});
	return {
		couch,
		dir,
		url: couch.url,
		adminUrl: couch.adminUrl,
		stop: async () => {
			await couch.stop();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}

export const STAFF = { name: 'secretariat', password: 'mot-de-passe-staff' };

/** Users of every kind, to try what each may do. */
export const USERS = {
	staff: { ...STAFF, roles: ['mairie:demo'] },
	resident: { name: 'habitant1', password: 'pw-habitant', roles: ['habitant:demo'] },
	kiosk: { name: 'borne1', password: 'pw-borne', roles: ['borne:demo'] },
	otherStaff: { name: 'secretariat-autre', password: 'pw-autre', roles: ['mairie:autre'] }
};

export async function provisionDemo(adminUrl: string) {
	const report = await provisionCommune(adminUrl, {
		slug: 'demo',
		name: 'Saint-Crieur',
		staff: STAFF
	});
	const users = nano(adminUrl).use('_users');
	for (const user of [USERS.resident, USERS.kiosk, USERS.otherStaff]) {
		try {
			await users.insert({
				_id: `org.couchdb.user:${user.name}`,
				name: user.name,
				type: 'user',
				roles: user.roles,
				password: user.password
			} as never);
		} catch (error) {
			if ((error as { statusCode?: number }).statusCode !== 409) throw error;
		}
	}
	return report;
}

/** Basic-auth headers for a user, to talk to CouchDB as that user. */
export function basic(user: { name: string; password: string }): Record<string, string> {
	return {
		authorization: `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`
	};
}
