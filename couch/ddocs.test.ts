import vm from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateDraft, validatePublicDoc } from '../src/lib/domain/notice-schema.ts';
import { noticeFactory, pollFactory } from '../tests/factories.ts';
import { lockedChanges } from '../src/lib/domain/poll-rules.ts';
import { designDoc, designDocChanged, validateSource, type DesignedDatabase } from './ddocs.ts';

type Validate = (newDoc: unknown, oldDoc: unknown, userCtx: unknown, secObj: unknown) => void;

/** Compiles a validate_doc_update as CouchDB would, in a fresh context. */
function compile(which: DesignedDatabase, commune = 'demo'): Validate {
	return vm.runInNewContext(`(${validateSource(which, commune)})`) as Validate;
}

const staff = { name: 'secretariat', roles: ['mairie:demo'], db: 'demo-public' };

function verdict(validate: Validate, doc: unknown, userCtx: unknown = staff) {
	try {
		validate(doc, null, userCtx, {});
		return 'ok';
	} catch (error) {
		const thrown = error as { forbidden?: string; unauthorized?: string };
		if (thrown.forbidden) return 'forbidden';
		if (thrown.unauthorized) return 'unauthorized';
		throw error;
	}
}

describe('validate_doc_update of <commune>-public', () => {
	const validate = compile('public');

	it('lets staff and admins write a valid notice', () => {
		expect(verdict(validate, noticeFactory())).toBe('ok');
		expect(verdict(validate, noticeFactory(), { name: 'admin', roles: ['_admin'] })).toBe('ok');
	});

	it('refuses anonymous writers as unauthorized and others as forbidden', () => {
		expect(verdict(validate, noticeFactory(), { name: null, roles: [] })).toBe('unauthorized');
		expect(verdict(validate, noticeFactory(), { name: 'jean', roles: ['habitant:demo'] })).toBe(
			'forbidden'
		);
		expect(verdict(validate, noticeFactory(), { name: 'borne', roles: ['borne:demo'] })).toBe(
			'forbidden'
		);
		expect(verdict(validate, noticeFactory(), { name: 'x', roles: ['mairie:autre'] })).toBe(
			'forbidden'
		);
	});

	it('refuses even deletions from non-staff', () => {
		expect(verdict(validate, { _id: 'notice:x', _deleted: true }, { name: null, roles: [] })).toBe(
			'unauthorized'
		);
		expect(verdict(validate, { _id: 'notice:x', _deleted: true })).toBe('ok');
	});

	const commune = {
		_id: 'commune',
		type: 'commune',
		slug: 'demo',
		name: 'Saint-Crieur',
		timezone: 'Europe/Paris'
	};

	it('checks the commune document against its own database', () => {
		expect(verdict(validate, commune)).toBe('ok');
		expect(verdict(validate, { ...commune, slug: 'autre' })).toBe('forbidden');
	});

	it('agrees with the app schema on the commune’s zones', () => {
		const zone = fc.record({
			id: fc.constantFrom('bourg', 'les-granges', 'Bourg', '', 'a'.repeat(42), 7),
			name: fc.constantFrom(
				'Le Bourg',
				'le  bourg',
				'Les Granges',
				'LES GRANGES',
				'',
				' ',
				'x'.repeat(61),
				null
			)
		});
		fc.assert(
			fc.property(
				fc.oneof(fc.array(zone, { maxLength: 4 }), fc.constantFrom('bourg', null, {}, [null])),
				(zones) => {
					const doc = { ...commune, zones };
					const app = validatePublicDoc(doc).ok ? 'ok' : 'forbidden';
					expect(verdict(validate, doc), JSON.stringify(zones)).toBe(app);
				}
			)
		);
		const many = Array.from({ length: 41 }, (_, i) => ({ id: `z${i}`, name: `Zone ${i}` }));
		expect(verdict(validate, { ...commune, zones: many })).toBe('forbidden');
		expect(verdict(validate, { ...commune, zones: many.slice(0, 40) })).toBe('ok');
	});

	// One set of rules: CouchDB and the app must agree on every document.
	it('agrees with the app schema on any notice', () => {
		const good = noticeFactory();
		const field = <T>(valid: T, ...invalid: unknown[]) =>
			fc.oneof({ weight: 3, arbitrary: fc.constant(valid) }, fc.constantFrom(...invalid));
		const arbitraryNotice = fc.record({
			_id: field(good._id, 'poll:1', 'notice', 42, 'notice:nouveau'),
			type: field('notice', 'ballot', undefined),
			title: field(
				good.title,
				'',
				'   ',
				'x'.repeat(161),
				' '.repeat(5) + 'x'.repeat(156),
				7,
				null
			),
			body: field(good.body, '', 'x'.repeat(20001), undefined, ['a']),
			category: field('arrete', 'fete', '', null),
			urgent: field(true, 'true', 1, null),
			published_at: field(
				good.published_at,
				'2026-11-25',
				'2026-11-25T10:00:00',
				'2026-13-45T10:00:00Z',
				'demain',
				null
			),
			expires_at: field(
				null,
				'2026-11-30T10:00:00+01:00',
				'2020-01-01T00:00:00Z',
				'jamais',
				undefined
			),
			created_at: field(good.created_at, '', 'hier'),
			updated_at: field(good.updated_at, 12),
			author: field(good.author, 'x'.repeat(81), null),
			updated_by: field(undefined, 'secretariat', '', 'x'.repeat(81), 12, null),
			event: field(undefined, null, 'event:fete-k3f9', 'poll:x', 'event:', 'event:Fete', 12),
			zones: field(
				undefined,
				[],
				['bourg', 'les-granges'],
				['bourg', 'bourg'],
				['Le Bourg'],
				'bourg',
				[1],
				{}
			),
			files_alt: field(
				undefined,
				{ 'a.jpg': 'Le lavoir après travaux' },
				{ 'a.jpg': '   ' },
				{ 'a.jpg': 'x'.repeat(201) },
				{ 'a.jpg': 3 },
				['Le lavoir'],
				'Le lavoir',
				null
			),
			_attachments: field(
				undefined,
				{ 'a.pdf': { content_type: 'application/pdf', length: 100, stub: true } },
				{ 'a.svg': { content_type: 'image/svg+xml', length: 100, stub: true } },
				{ 'a.jpg': { content_type: 'image/jpeg', length: 100, stub: true } },
				{ 'b.jpg': { content_type: 'image/jpeg', length: 100, stub: true } },
				{ 'big.pdf': { content_type: 'application/pdf', length: 11 * 1024 * 1024, stub: true } },
				// Each within its limit, too heavy together for one request.
				Object.fromEntries(
					['a', 'b', 'c'].map((name) => [
						`${name}.pdf`,
						{ content_type: 'application/pdf', length: 8 * 1024 * 1024, stub: true }
					])
				)
			)
		});
		fc.assert(
			fc.property(arbitraryNotice, (raw) => {
				const doc = Object.fromEntries(
					Object.entries(raw).filter(([, value]) => value !== undefined)
				);
				const couch = verdict(validate, doc) === 'ok';
				const app = validatePublicDoc(doc).ok;
				expect({ couch, app, doc }).toEqual({ couch: app, app, doc });
			}),
			{ numRuns: 600 }
		);
	});
});

describe('addresses of new documents (issue 13 §5)', () => {
	it('keeps the route words for the routes', () => {
		const validate = compile('public');
		expect(verdict(validate, noticeFactory({ _id: 'notice:nouveau' }))).toBe('forbidden');
		expect(verdict(validate, noticeFactory({ _id: 'notice:nouveau-k3f9' }))).toBe('ok');
		expect(verdict(validate, noticeFactory({ _id: 'notice:marche-noel-ecoles-k3f9' }))).toBe('ok');
		expect(verdict(validate, pollFactory({ _id: 'poll:nouveau' }))).toBe('forbidden');
		expect(verdict(validate, pollFactory({ _id: 'poll:fete-ecole-k3f9' }))).toBe('ok');
	});
});

describe('pictures and events of notices (issue 13 §5)', () => {
	const photo = { 'lavoir.jpg': { content_type: 'image/jpeg', length: 100, stub: true } };

	it('refuses a picture without its description from staff, in both databases', () => {
		for (const which of ['public', 'mairie'] as const) {
			const validate = compile(which);
			const doc = { ...noticeFactory({ _attachments: photo }), status: 'draft' };
			expect(verdict(validate, doc)).toBe('forbidden');
			expect(verdict(validate, { ...doc, files_alt: { 'lavoir.jpg': 'Le lavoir' } })).toBe('ok');
		}
	});

	it('lets the server publish a notice saved before descriptions existed', () => {
		const doc = noticeFactory({ _attachments: photo });
		expect(verdict(compile('public'), doc, { name: 'admin', roles: ['_admin'] })).toBe('ok');
	});
});

describe('polls and tallies in <commune>-public', () => {
	const validate = compile('public');
	const admin = { name: 'admin', roles: ['_admin'] };
	const tally = {
		_id: 'tally:x',
		type: 'tally',
		poll: 'poll:x',
		state: 'live',
		total: 5,
		counts: { oui: 5 }
	};

	it('lets staff publish a valid poll and agrees with the app on bad ones', () => {
		expect(verdict(validate, pollFactory())).toBe('ok');
		expect(verdict(validate, { ...pollFactory(), updated_by: 'secretariat' })).toBe('ok');
		for (const patch of [
			{ options: [{ id: 'a', label: 'A' }] },
			{
				options: [
					{ id: 'a', label: 'A' },
					{ id: 'a', label: 'B' }
				]
			},
			{ max_choices: 2 },
			{ closes_at: '2020-01-01T00:00:00Z' },
			{ results: 'jamais' },
			{ updated_by: 'x'.repeat(81) },
			{ updated_by: null }
		]) {
			const doc = { ...pollFactory(), ...patch };
			expect(verdict(validate, doc)).toBe('forbidden');
			expect(validatePublicDoc(doc).ok).toBe(false);
		}
	});

	// Issue 13 §2: « Oui » / « oui », and a multiple choice allowing one answer.
	it('agrees with the app on repeated answers and on the number of answers allowed', () => {
		const labels = fc.constantFrom(
			'Oui',
			'oui',
			' OUI ',
			'Oùi',
			'Non',
			'non  merci',
			'Non merci',
			'Été',
			'ete',
			'l’école',
			"l'école",
			'Œuf',
			'oeuf',
			'e\u0301te\u0301',
			'Sans avis'
		);
		const poll = fc.record({
			labels: fc.array(labels, { minLength: 2, maxLength: 4 }),
			multiple: fc.boolean(),
			max_choices: fc.integer({ min: 0, max: 5 })
		});
		fc.assert(
			fc.property(poll, ({ labels: chosen, multiple, max_choices }) => {
				const doc = {
					...pollFactory(),
					options: chosen.map((label, i) => ({ id: `r${i}`, label })),
					multiple,
					max_choices
				};
				const couch = verdict(validate, doc) === 'ok';
				const app = validatePublicDoc(doc).ok;
				expect({ couch, doc }).toEqual({ couch: app, doc });
			}),
			{ numRuns: 400 }
		);
		const twice = {
			...pollFactory(),
			options: [
				{ id: 'a', label: 'Oui' },
				{ id: 'b', label: ' oui' }
			]
		};
		expect(verdict(validate, twice)).toBe('forbidden');
		expect(verdict(validate, { ...pollFactory(), multiple: true, max_choices: 1 })).toBe(
			'forbidden'
		);
	}, 30_000);

	// validate_doc_update has no normalize(): it folds with the table pasted in.
	it('folds any text as the app does', () => {
		fc.assert(
			fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), (text) => {
				const doc = {
					...pollFactory(),
					options: [
						{ id: 'a', label: `x${text}` },
						{ id: 'b', label: `x${text.normalize('NFD').toUpperCase()}` }
					]
				};
				const couch = verdict(validate, doc) === 'ok';
				expect({ couch, text }).toEqual({ couch: validatePublicDoc(doc).ok, text });
			}),
			{ numRuns: 200 }
		);
		// Each run checks both sides' schema in full: slow on a busy machine.
	}, 30_000);

	// Issue 13 §2: once a poll opened, ballots may answer its question as it stands.
	it('agrees with the app on what a poll that opened keeps', () => {
		const past = '2000-01-01T00:00:00.000Z';
		const future = '2099-01-01T00:00:00.000Z';
		const base = pollFactory({ multiple: true, max_choices: 2 });
		const when = fc.constantFrom(
			{ opens_at: future, closes_at: '2099-02-01T00:00:00.000Z' },
			{ opens_at: past, closes_at: future },
			{ opens_at: past, closes_at: '2001-01-01T00:00:00.000Z' }
		);
		const change = fc.record(
			{
				question: fc.constantFrom(base.question, 'Autre question ?'),
				description: fc.constantFrom(base.description, 'Texte corrigé.'),
				options: fc.constantFrom(base.options, [
					{ id: 'oui', label: 'Oui !' },
					{ id: 'non', label: 'Non' },
					{ id: 'sans-avis', label: 'Sans avis' }
				]),
				max_choices: fc.constantFrom(2, 3),
				results: fc.constantFrom('live', 'after_close'),
				allow_change: fc.boolean(),
				closes_at: fc.constantFrom(future, '2099-03-01T00:00:00.000Z')
			},
			{ requiredKeys: [] }
		);
		fc.assert(
			fc.property(when, change, (dates, patch) => {
				const before = { ...base, ...dates, _rev: '1-a' };
				const after = { ...before, ...patch, _rev: '1-a' };
				let couch = 'ok';
				try {
					validate(after, before, staff, {});
				} catch {
					couch = 'forbidden';
				}
				const app =
					validatePublicDoc(after).ok && lockedChanges(before, after, new Date()).length === 0
						? 'ok'
						: 'forbidden';
				expect({ couch, patch, dates }).toEqual({ couch: app, patch, dates });
			}),
			{ numRuns: 300 }
		);
		const open = { ...base, opens_at: past, closes_at: future };
		let reason = '';
		try {
			validate({ ...open, question: 'Autre ?' }, open, staff, {});
		} catch (error) {
			reason = (error as { forbidden: string }).forbidden;
		}
		expect(reason).toMatch(/question : ne change plus, le vote est ouvert/);
		// A typo in the description is still fixed; a new poll over nothing has nothing to keep.
		expect(() => validate({ ...open, description: 'Corrigé' }, open, staff, {})).not.toThrow();
		expect(() => validate(open, null, staff, {})).not.toThrow();
		expect(() => validate(open, { _id: open._id, _deleted: true }, staff, {})).not.toThrow();
	}, 30_000);

	it('keeps tallies to the server: staff may neither write nor delete one', () => {
		expect(verdict(validate, tally)).toBe('forbidden');
		expect(verdict(validate, tally, admin)).toBe('ok');
		expect(validate.length).toBe(4);
		expect(() => validate({ _id: 'tally:x', _deleted: true }, tally, staff, {})).toThrow();
	});

	it('refuses turning a notice into a tally', () => {
		expect(() => validate({ ...tally, _id: 'notice:x' }, noticeFactory(), admin, {})).toThrow();
	});
});

describe('validate_doc_update of <commune>-mairie', () => {
	const validate = compile('mairie');

	it('needs staff and a known status', () => {
		const draft = { ...noticeFactory(), status: 'draft' };
		expect(verdict(validate, draft)).toBe('ok');
		expect(verdict(validate, { ...draft, status: 'published' })).toBe('forbidden');
		expect(verdict(validate, draft, { name: 'jean', roles: ['habitant:demo'] })).toBe('forbidden');
		expect(validateDraft({ ...draft, status: 'published' }).ok).toBe(false);
	});

	it('keeps the resident register to the server', () => {
		const resident = { _id: 'resident:x', type: 'resident', code_hash: 'h', status: 'active' };
		expect(verdict(validate, resident)).toBe('forbidden');
		expect(verdict(validate, resident, { name: 'admin', roles: ['_admin'] })).toBe('ok');
		expect(() => validate({ _id: 'resident:x', _deleted: true }, resident, staff, {})).toThrow();
	});

	it('takes poll drafts from staff', () => {
		expect(verdict(validate, { ...pollFactory(), status: 'draft' })).toBe('ok');
	});
});

describe('design document deploys', () => {
	it('change nothing when the content is the same', () => {
		const wanted = designDoc('public', 'demo');
		expect(designDocChanged({ ...wanted, _rev: '7-abc' }, wanted)).toBe(false);
		expect(designDocChanged(null, wanted)).toBe(true);
		expect(designDocChanged({ ...wanted, validate_doc_update: 'function(){}' }, wanted)).toBe(true);
	});

	it('compile its views', () => {
		for (const which of ['public', 'mairie'] as const) {
			for (const view of Object.values(designDoc(which, 'demo').views)) {
				expect(typeof vm.runInNewContext(`(${view.map})`)).toBe('function');
			}
		}
	});
});
