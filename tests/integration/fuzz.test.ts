import fs from 'node:fs';
import fc from 'fast-check';
import nano from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCodes, pairedKioskCookie, residentCookie, staffCookie } from '../harness/api.ts';
import type { TestApp } from '../harness/app.ts';
import { STAFF, USERS } from '../harness/couch.ts';
import { startOwnApp, type OwnApp } from '../harness/own-app.ts';
import type { TestStore } from '../harness/store.ts';
import { answerFactory, pollFactory } from '../factories.ts';

/**
 * Every POST endpoint under /api, fed arbitrary JSON, strings (unicode,
 * control characters, huge), bytes that are not UTF-8, malformed JSON and
 * wrong content types, by each identity that reaches it: never a 5xx, the
 * server keeps answering, and every refusal is JSON with a stable `error` and
 * a French `reason`.
 *
 * Its own app: arbitrary codes count towards the whole server's 600 wrong
 * codes, and "logs no crash" reads the app's whole output.
 */
let own: OwnApp;
let server: TestStore;
let app: TestApp;

type Who = 'anonyme' | 'habitant' | 'borne' | 'mairie' | 'mairie-autre';
/** Several of each, taken in turn: per-resident and per-kiosk limits would otherwise answer 429 to most runs. */
const identities: Record<Who, string[]> = {
	anonyme: [''],
	habitant: [],
	borne: [],
	mairie: [],
	'mairie-autre': []
};
let turn = 0;
const cookieOf = (who: Who) => identities[who][turn++ % identities[who].length];

const poll = pollFactory({
	_id: 'poll:fuzz',
	opens_at: new Date(Date.now() - 3_600_000).toISOString(),
	closes_at: new Date(Date.now() + 86_400_000).toISOString()
});
const SUGGESTION = 'answer:idee-fuzz';

beforeAll(async () => {
	own = await startOwnApp({ env: { ADDRESS_HEADER: 'x-forwarded-for' } });
	server = own.store;
	app = own.app;
	const staff = await staffCookie(app.url, STAFF);
	identities.mairie = [staff];
	identities['mairie-autre'] = [await staffCookie(app.url, USERS.otherStaff)];
	const codes = await issueCodes(app.url, staff, ['', '', '', '', '', '']);
	identities.habitant = await Promise.all(
		codes.map((code, i) => residentCookie(app.url, code, `10.77.0.${i + 1}`))
	);
	for (let i = 0; i < 4; i++) identities.borne.push(await pairedKioskCookie(app.url, staff));
	await nano(server.adminUrl)
		.use('demo-public')
		.bulk({
			docs: [
				poll,
				answerFactory({
					_id: SUGGESTION,
					title: 'Des bancs au lavoir',
					body: 'Pour s’asseoir.'
				})
			]
		});
});
afterAll(async () => {
	await own?.stop();
});

/** Every French message the app can send, as patterns ({minutes} and the like match anything). */
const FRENCH = (() => {
	const strings: string[] = [];
	const walk = (value: unknown): void => {
		if (typeof value === 'string') strings.push(value);
		else if (value && typeof value === 'object') Object.values(value).forEach(walk);
	};
	walk(JSON.parse(fs.readFileSync('src/lib/i18n/messages/fr.json', 'utf8')));
	// Written in the kiosk routes themselves.
	strings.push('Borne introuvable.', 'Donnez un nom à la borne (80 caractères au plus).');
	return strings
		.filter((text) => /[a-zà-ÿ]{3}/i.test(text.replace(/\{[^}]*\}/g, '')))
		.map(
			(text) =>
				new RegExp(
					`^${text
						.split(/\{[^}]*\}/)
						.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
						.join('.+')}$`,
					's'
				)
		);
})();
const isFrench = (reason: string) => FRENCH.some((pattern) => pattern.test(reason));

/** The properties every answer must have. */
async function expectSoundAnswer(response: Response, what: string): Promise<void> {
	expect(response.status, what).toBeLessThan(500);
	if (response.status < 400) {
		await response.arrayBuffer();
		return;
	}
	expect(response.headers.get('content-type'), what).toMatch(/^application\/json/);
	const body = (await response.json()) as { error?: unknown; reason?: unknown };
	expect(typeof body.error, what).toBe('string');
	expect(typeof body.reason, what).toBe('string');
	expect(isFrench(String(body.reason)), `${what}: ${String(body.reason)}`).toBe(true);
}

// ---- arbitraries ----

const CONTENT_TYPES = [
	'application/json',
	'application/json; charset=utf-8',
	'application/json; charset=utf-16',
	'text/plain',
	'text/plain;charset=UTF-8',
	'multipart/form-data',
	'multipart/form-data; boundary=----fuzz',
	'application/x-www-form-urlencoded',
	'application/octet-stream',
	'application/xml',
	''
];
const contentType = fc
	.option(
		fc.oneof(
			{ weight: 4, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
			// Any printable header value.
			{ weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }) }
		),
		{ nil: undefined }
	)
	.map((type) => (type === undefined ? type : type.replace(/[^\x20-\x7e]/g, '').trim()));

/** Values of any type, with a bias towards the awkward ones. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
	fc.jsonValue({ maxDepth: 2 }),
	fc.string({ unit: 'binary', maxLength: 80 }),
	fc.constantFrom(null, '', ' ', 0, -1, 1e308, true, [], {}, '__proto__', 'constructor', '\u0000')
);
const maybe = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
	fc.oneof({ weight: 2, arbitrary: valid }, { weight: 1, arbitrary: anyValue });
/** An object with the endpoint's keys, some left out, some of the wrong type. */
const shaped = (fields: Record<string, fc.Arbitrary<unknown>>) =>
	fc.record(Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, maybe(value)])), {
		requiredKeys: []
	});

const outboxId = fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/);
const code = fc.oneof(
	fc.stringMatching(/^[A-Z0-9]{4}-?[A-Z0-9]{4}-?[A-Z0-9]{4}$/),
	fc.string({ maxLength: 70 })
);
const ballot = {
	outbox_id: outboxId,
	poll: fc.constantFrom(poll._id, 'poll:inconnu', 'notice:x', SUGGESTION),
	choices: fc.array(fc.constantFrom('oui', 'non', 'sans-avis', 'peut-etre', ''), { maxLength: 4 })
};
const submission = {
	outbox_id: outboxId,
	kind: fc.constantFrom('report', 'suggestion', 'plainte'),
	title: fc.string({ unit: 'grapheme', maxLength: 160 }),
	body: fc.string({ unit: 'grapheme', maxLength: 300 }),
	category: fc.constantFrom('voirie', 'eclairage', 'vie-locale', 'autre', 'x'),
	place: fc.option(
		shaped({
			lat: fc.oneof(fc.double(), fc.constantFrom(46.318, null)),
			lng: fc.oneof(fc.double(), fc.constantFrom(4.834, null)),
			address: fc.string({ maxLength: 220 })
		}),
		{ nil: null }
	),
	public_name: fc.option(fc.string({ maxLength: 90 }), { nil: null })
};

interface Endpoint {
	path: fc.Arbitrary<string>;
	who: Who[];
	/** Near-valid bodies: the right keys with values of any kind. */
	near: fc.Arbitrary<unknown>;
}

/** A path parameter: any string, except those that would resolve to another route. */
const pathId = (prefix: string) =>
	fc
		.oneof(
			fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
			fc.string({ maxLength: 40 }).map((rest) => `${prefix}${rest}`)
		)
		.filter((id) => id !== '.' && id !== '..')
		.map((id) => encodeURIComponent(id));

const ENDPOINTS: Record<string, Endpoint> = {
	'/api/ballots': {
		path: fc.constant('/api/ballots'),
		who: ['habitant', 'borne', 'anonyme'],
		near: shaped(ballot)
	},
	'/api/supports': {
		path: fc.constant('/api/supports'),
		who: ['habitant', 'anonyme'],
		near: shaped({
			outbox_id: outboxId,
			answer: fc.constantFrom(SUGGESTION, 'answer:inconnue', poll._id, 'answer:')
		})
	},
	'/api/reads': {
		path: fc.constant('/api/reads'),
		who: ['anonyme', 'habitant'],
		near: shaped({
			notices: fc.array(
				fc.oneof(fc.constantFrom('notice:demo-coupure-eau', 'notice:x', 'poll:y'), fc.string()),
				{ maxLength: 60 }
			)
		})
	},
	'/api/submissions': {
		path: fc.constant('/api/submissions'),
		who: ['habitant', 'mairie'],
		near: shaped(submission)
	},
	'/api/habitants/session': {
		path: fc.constant('/api/habitants/session'),
		who: ['anonyme', 'habitant'],
		near: shaped({ code })
	},
	'/api/borne/ballots': {
		path: fc.constant('/api/borne/ballots'),
		who: ['borne', 'habitant'],
		near: shaped({ ...ballot, code })
	},
	'/api/borne/code': {
		path: fc.constant('/api/borne/code'),
		who: ['borne', 'habitant'],
		near: shaped({ code })
	},
	'/api/borne/unlock': {
		path: fc.constant('/api/borne/unlock'),
		who: ['borne', 'anonyme'],
		near: shaped({
			name: fc.constantFrom(STAFF.name, USERS.otherStaff.name, 'admin', ''),
			password: fc.string({ maxLength: 40 })
		})
	},
	'/api/mairie/habitants': {
		path: fc.constant('/api/mairie/habitants'),
		who: ['mairie', 'mairie-autre'],
		near: shaped({ labels: fc.array(fc.string({ maxLength: 30 }), { maxLength: 3 }) })
	},
	'/api/mairie/habitants/:id/revoke': {
		path: pathId('resident:').map((id) => `/api/mairie/habitants/${id}/revoke`),
		who: ['mairie', 'habitant'],
		near: anyValue
	},
	'/api/mairie/habitants/:id/reissue': {
		path: pathId('resident:').map((id) => `/api/mairie/habitants/${id}/reissue`),
		who: ['mairie', 'borne'],
		near: anyValue
	},
	'/api/mairie/bornes': {
		path: fc.constant('/api/mairie/bornes'),
		who: ['mairie', 'anonyme'],
		near: shaped({ label: fc.string({ unit: 'grapheme', maxLength: 90 }) })
	},
	'/api/mairie/bornes/:id/revoke': {
		path: pathId('kiosk:').map((id) => `/api/mairie/bornes/${id}/revoke`),
		who: ['mairie', 'mairie-autre'],
		near: anyValue
	}
};

type Body = string | Uint8Array<ArrayBuffer> | undefined;

/** What a hostile client may send as a body, whatever the endpoint expects. */
function bodies(near: fc.Arbitrary<unknown>): fc.Arbitrary<Body> {
	const json = near.map((value) => JSON.stringify(value) ?? 'undefined');
	return fc.oneof(
		{ weight: 4, arbitrary: json },
		{ weight: 2, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
		// Unicode, control characters, lone surrogates.
		{ weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
		// Malformed JSON: cut short, or with something after it.
		{
			weight: 2,
			arbitrary: fc
				.tuple(json, fc.nat(), fc.constantFrom('', '}', ',', ']]', '\u0000', '{"a":'))
				.map(([text, cut, tail]) => text.slice(0, cut % (text.length + 1)) + tail)
		},
		// Bytes that are not UTF-8.
		{
			weight: 1,
			arbitrary: fc
				.uint8Array({ maxLength: 300 })
				.map((bytes) => new Uint8Array(bytes) as Uint8Array<ArrayBuffer>)
		},
		// Far above any field's limit (up to 2 MB), in the fields themselves.
		{
			weight: 1,
			arbitrary: fc
				.tuple(near, fc.integer({ min: 70_000, max: 2_000_000 }))
				.map(([value, size]) =>
					JSON.stringify(value, (_key, field) =>
						typeof field === 'string' ? field.padEnd(size, 'é') : field
					)
				)
		},
		{ weight: 1, arbitrary: fc.constantFrom(undefined, '', 'null', '[]', '{}', '""') }
	);
}

let nextAddress = 1;

async function post(who: Who, path: string, body: Body, type: string | undefined) {
	const headers: Record<string, string> = {
		// A fresh address each time: per-address limits would otherwise answer 429 to most runs.
		'x-forwarded-for': `10.78.${Math.floor(nextAddress / 250) % 250}.${nextAddress++ % 250}`
	};
	const cookie = cookieOf(who);
	if (cookie) headers.cookie = cookie;
	if (type !== undefined) headers['content-type'] = type;
	return fetch(app.url + path, { method: 'POST', headers, body });
}

async function stillAnswering() {
	expect((await fetch(`${app.url}/api/public/current`)).status).toBe(200);
	expect((await fetch(`${server.url}/demo-public`)).status).toBe(200);
}

describe('fuzzing every POST endpoint under /api', () => {
	const cases = Object.entries(ENDPOINTS).flatMap(([name, endpoint]) =>
		endpoint.who.map((who) => [name, who, endpoint] as const)
	);

	it.each(cases)(
		'%s as %s: never a 5xx, every refusal JSON and French',
		async (name, who, endpoint) => {
			await fc.assert(
				fc.asyncProperty(
					endpoint.path,
					bodies(endpoint.near),
					contentType,
					async (path, body, type) => {
						const response = await post(who, path, body, type);
						await expectSoundAnswer(response, `${who} ${path} [${type}]`);
					}
				),
				{ numRuns: 20 }
			);
			await stillAnswering();
		}
	);

	it('/api/submissions as a resident, multipart with any payload and any files', async () => {
		const file = fc.oneof(
			fc.uint8Array({ maxLength: 3000 }),
			// Looks like a JPEG or a PNG by its first bytes.
			fc
				.uint8Array({ maxLength: 3000 })
				.map((rest) => Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, ...rest])),
			fc
				.uint8Array({ maxLength: 300 })
				.map((rest) => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...rest]))
		);
		const form = fc.record({
			payload: fc.option(bodies(ENDPOINTS['/api/submissions'].near), { nil: undefined }),
			photos: fc.array(
				fc.record({ bytes: file, name: fc.string({ unit: 'binary', maxLength: 30 }) }),
				{ maxLength: 5 }
			),
			// A photo sent as text, or a field nobody expects.
			extra: fc.option(
				fc.tuple(fc.constantFrom('photo', 'payload', 'autre'), fc.string({ maxLength: 40 })),
				{ nil: undefined }
			)
		});
		await fc.assert(
			fc.asyncProperty(form, async ({ payload, photos, extra }) => {
				const data = new FormData();
				// Bytes go up as a file where the server expects text.
				if (typeof payload === 'string') data.set('payload', payload);
				else if (payload) data.set('payload', new Blob([payload]));
				for (const photo of photos) {
					data.append('photo', new Blob([new Uint8Array(photo.bytes)]), photo.name);
				}
				if (extra) data.append(extra[0], extra[1]);
				const response = await fetch(`${app.url}/api/submissions`, {
					method: 'POST',
					headers: { cookie: cookieOf('habitant') },
					body: data
				});
				await expectSoundAnswer(response, 'multipart /api/submissions');
			}),
			{ numRuns: 40 }
		);
		await stillAnswering();
	});

	it('logs no crash from any of it', () => {
		expect(app.output()).not.toMatch(/TypeError|ReferenceError|RangeError|SyntaxError|Unhandled/);
	});
});
