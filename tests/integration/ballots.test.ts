import nano from 'nano';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/lib/server/backend.ts';
import { runTally } from '../../src/lib/server/jobs/tally.ts';
import { freshAddress, issueResidents } from '../harness/api.ts';
import { basic, STAFF, USERS } from '../harness/couch.ts';
import { sharedApp } from '../harness/shared-app.ts';
import { tallyId, type Tally } from '../../src/lib/domain/tally.ts';
import { slugOf } from '../../src/lib/domain/slug.ts';
import { wordingOf, type Poll } from '../../src/lib/domain/poll.ts';
import { publishOpenPoll } from '../harness/polls.ts';

/**
 * Issue 3 against the production build in front of a real CouchDB-protocol
 * server: resident codes, secret ballots counted once, tallies.
 */
const app = sharedApp();
const server = app.store;
let staffCookie: string;
const couch = () => nano(server.adminUrl);

beforeAll(async () => {
	const login = await fetch(`${app.url}/db/_session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(STAFF)
	});
	staffCookie = login.headers.getSetCookie()[0].split(';')[0];
});

const issue = (labels: string[]) => issueResidents(app.url, staffCookie, labels);

/** A device (its own address) that entered a code: its cookie. */
async function enterCode(
	code: string
): Promise<{ status: number; cookie: string; body: { reason?: string } }> {
	const response = await fetch(`${app.url}/api/habitants/session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-forwarded-for': freshAddress() },
		body: JSON.stringify({ code })
	});
	const cookie = response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
	return { status: response.status, cookie, body: await response.json() };
}

async function vote(
	cookie: string,
	poll: string,
	choices: string[],
	outboxId: string,
	signal?: AbortSignal
) {
	const response = await fetch(`${app.url}/api/ballots`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify({ outbox_id: outboxId, poll, choices }),
		signal
	});
	return { status: response.status, body: await response.json() };
}

const publishPoll = (overrides: Partial<Poll> = {}) => publishOpenPoll(server.adminUrl, overrides);

async function tallyOf(pollId: string): Promise<Tally | null> {
	const response = await fetch(`${app.url}/db/demo-public/${encodeURIComponent(tallyId(pollId))}`);
	return response.ok ? ((await response.json()) as Tally) : null;
}

describe('resident codes', () => {
	it('are issued by staff only, and stored as keyed hashes', async () => {
		const refused = await fetch(`${app.url}/api/mairie/habitants`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ labels: ['x'] })
		});
		expect(refused.status).toBe(401);
		expect((await refused.json()).reason).toMatch(/Réservé à la mairie/);

		const [resident] = await issue(['12 rue des Tilleuls']);
		expect(resident.code).toMatch(/^[A-Z0-9]{12}$/);
		const stored = await couch().use('demo-mairie').get(resident.id);
		expect(JSON.stringify(stored)).not.toContain(resident.code);
		expect(stored).toMatchObject({
			type: 'resident',
			label: '12 rue des Tilleuls',
			status: 'active'
		});
	});

	it('open a resident session on any device; bad codes get a French reason', async () => {
		const [resident] = await issue(['']);
		const phone = await enterCode(resident.code.toLowerCase().replace(/(.{4})/g, '$1-'));
		expect(phone.status).toBe(200);
		const session = await (
			await fetch(`${app.url}/api/habitants/session`, { headers: { cookie: phone.cookie } })
		).json();
		expect(session).toEqual({ resident: true, revoked: false });

		expect((await enterCode('ACDE-FGHJ-KMN')).body.reason).toMatch(/vous en avez saisi 11/);
		const unknown = await enterCode('ACDE-FGHJ-KMNP');
		expect(unknown.status).toBe(401);
		expect(unknown.body.reason).toMatch(/Code inconnu/);
	});

	it('limit attempts from one address', async () => {
		const address = freshAddress();
		const statuses: number[] = [];
		for (let i = 0; i < 52; i++) {
			const response = await fetch(`${app.url}/api/habitants/session`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
				body: JSON.stringify({ code: 'ACDE-FGHJ-KMNQ' })
			});
			statuses.push(response.status);
			if (response.status === 429) {
				expect((await response.json()).reason).toMatch(/Trop de codes erronés/);
			}
		}
		expect(statuses.filter((status) => status === 401)).toHaveLength(50);
		expect(statuses.slice(50)).toEqual([429, 429]);
	});
});

describe('ballots', () => {
	it('count a resident once whatever devices they vote from', async () => {
		const poll = await publishPoll();
		const [resident] = await issue(['Famille Martin']);
		const phone = await enterCode(resident.code);
		const kiosk = await enterCode(resident.code);
		const first = await vote(phone.cookie, poll._id, ['oui'], 'phone-item-0001');
		expect(first).toMatchObject({ status: 201, body: { status: 'accepted' } });
		const retry = await vote(phone.cookie, poll._id, ['oui'], 'phone-item-0001');
		expect(retry).toMatchObject({ status: 200, body: { status: 'accepted', duplicate: true } });
		const second = await vote(kiosk.cookie, poll._id, ['non'], 'kiosk-item-0001');
		expect(second.status).toBe(409);
		expect(second.body.reason).toMatch(/déjà voté/);
		const replay = await vote(phone.cookie, poll._id, ['non'], 'phone-item-0001');
		expect(replay.status).toBe(409);

		const ballots = await couch().use('demo-ballots').list({ include_docs: true });
		const mine = ballots.rows.filter((row) => row.id.startsWith(`ballot:${slugOf(poll._id)}:`));
		expect(mine).toHaveLength(1);
		expect(JSON.stringify(mine)).not.toContain(resident.id.slice('resident:'.length));
	});

	it('replace the first ballot where the poll allows changes', async () => {
		const poll = await publishPoll({ allow_change: true });
		const [resident] = await issue(['']);
		const device = await enterCode(resident.code);
		expect((await vote(device.cookie, poll._id, ['oui'], 'change-item-01')).status).toBe(201);
		expect((await vote(device.cookie, poll._id, ['non'], 'change-item-02')).body).toMatchObject({
			replaced: true
		});
	});

	it('refuse non-residents, closed polls and invalid choices, in French', async () => {
		const poll = await publishPoll();
		const anonymous = await vote('', poll._id, ['oui'], 'anon-item-001');
		expect(anonymous.status).toBe(401);
		expect(anonymous.body.reason).toMatch(/code d’habitant/);
		const staffVote = await vote(staffCookie, poll._id, ['oui'], 'staff-item-01');
		expect(staffVote.status).toBe(401);

		const [resident] = await issue(['']);
		const device = await enterCode(resident.code);
		expect(
			(await vote(device.cookie, poll._id, ['peut-etre'], 'bad-choice-01')).body.reason
		).toMatch(/n’existe pas/);
		expect(
			(await vote(device.cookie, poll._id, ['oui', 'non'], 'bad-choice-02')).body.reason
		).toMatch(/Trop de réponses/);
		expect((await vote(device.cookie, 'poll:nope', ['oui'], 'bad-poll-0001')).status).toBe(404);
		expect((await vote(device.cookie, poll._id, ['oui'], 'x')).status).toBe(400);

		const closed = await publishPoll({
			opens_at: new Date(Date.now() - 7_200_000).toISOString(),
			closes_at: new Date(Date.now() - 3_600_000).toISOString()
		});
		const late = await vote(device.cookie, closed._id, ['oui'], 'late-item-001');
		expect(late.status).toBe(409);
		expect(late.body.reason).toMatch(/clos/);
	});

	it('stop working at once when a code is revoked, and a new code keeps the same identity', async () => {
		const poll = await publishPoll();
		const [resident] = await issue(['Lettre perdue']);
		const device = await enterCode(resident.code);
		expect((await vote(device.cookie, poll._id, ['oui'], 'before-revoke')).status).toBe(201);

		const revoke = await fetch(
			`${app.url}/api/mairie/habitants/${encodeURIComponent(resident.id)}/reissue`,
			{
				method: 'POST',
				headers: { cookie: staffCookie }
			}
		);
		const { resident: reissued } = await revoke.json();
		expect(reissued.code).not.toBe(resident.code);
		expect((await enterCode(resident.code)).status).toBe(401);
		const other = await publishPoll();
		// No session any more (401) or, while CouchDB's login cache still holds
		// the old account, a session of the replaced code (403 code_revoked).
		const oldSession = await vote(device.cookie, other._id, ['oui'], 'old-session-1');
		expect(oldSession.status).toBeOneOf([401, 403]);
		if (oldSession.status === 403) expect(oldSession.body.error).toBe('code_revoked');

		const newDevice = await enterCode(reissued.code);
		expect(newDevice.status).toBe(200);
		const again = await vote(newDevice.cookie, poll._id, ['non'], 'after-reissue');
		expect(again.status).toBe(409);
		expect(again.status).toBe(409);
		expect(again.body.reason).toMatch(/déjà voté/);

		await fetch(`${app.url}/api/mairie/habitants/${encodeURIComponent(resident.id)}/revoke`, {
			method: 'POST',
			headers: { cookie: staffCookie }
		});
		expect((await enterCode(reissued.code)).status).toBe(401);
		const revoked = await vote(newDevice.cookie, other._id, ['oui'], 'after-revoke1');
		expect(revoked.status).toBeOneOf([401, 403]);
		if (revoked.status === 403) expect(revoked.body.error).toBe('code_revoked');
	});

	it('refuses a session of a replaced code even while the login cache still knows it', async () => {
		const poll = await publishPoll();
		const [resident] = await issue(['Cache de connexion']);
		const device = await enterCode(resident.code);
		// What a stale login cache shows after a reissue: the old account, with its
		// session still valid, while the register already holds the next version.
		const mairie = couch().use<{ code_version: number }>('demo-mairie');
		const record = await mairie.get(resident.id);
		await mairie.insert({ ...record, code_version: record.code_version + 1 });
		const refused = await vote(device.cookie, poll._id, ['oui'], 'stale-cache-1');
		expect(refused.status).toBe(403);
		expect(refused.body.error).toBe('code_revoked');
		const ballots = await couch()
			.use('demo-ballots')
			.list({
				startkey: `ballot:${slugOf(poll._id)}:`,
				endkey: `ballot:${slugOf(poll._id)}:\ufff0`
			});
		expect(ballots.rows).toHaveLength(0);
	});

	it(
		'200 ballots, each sent up to 3 times with random failures, give an exact tally',
		{ timeout: 180_000 },
		async () => {
			const poll = await publishPoll({ multiple: true, max_choices: 2 });
			const residents = await issue(Array.from({ length: 200 }, (_, i) => `Foyer ${i + 1}`));
			const expected: Record<string, number> = { oui: 0, non: 0, 'sans-avis': 0 };
			const options = ['oui', 'non', 'sans-avis'];
			let seed = 42;
			const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
			const work = residents.map(async (resident, index) => {
				const device = await enterCode(resident.code);
				const choices =
					random() < 0.3 ? [options[index % 3], options[(index + 1) % 3]] : [options[index % 3]];
				for (const choice of choices) expected[choice]++;
				const outboxId = `bulk-item-${String(index).padStart(4, '0')}`;
				const sends = 1 + Math.floor(random() * 3);
				let accepted = false;
				for (let attempt = 0; attempt < sends || !accepted; attempt++) {
					// Some sends are cut before the answer comes back: the device cannot know if they counted.
					const cut =
						!accepted && random() < 0.3
							? AbortSignal.timeout(1 + Math.floor(random() * 5))
							: undefined;
					let result: Awaited<ReturnType<typeof vote>> | null = null;
					try {
						result = await vote(device.cookie, poll._id, choices, outboxId, cut);
					} catch (error) {
						// A lost answer: the outbox retries. Anything else is a failure.
						if ((error as Error).name !== 'TimeoutError' && (error as Error).name !== 'AbortError')
							throw error;
					}
					if (result) {
						expect([200, 201]).toContain(result.status);
						accepted = true;
					}
				}
			});
			for (let i = 0; i < work.length; i += 25) await Promise.all(work.slice(i, i + 25));
			await Promise.all(work);

			// Live figures move in batches of 5 (issue 13): the last few wait for the closing.
			await expect
				.poll(async () => (await tallyOf(poll._id))?.total, { timeout: 30_000 })
				.toBeGreaterThan(195);
			const stored = await couch().use('demo-public').get(poll._id);
			await couch()
				.use('demo-public')
				.insert({ ...stored, closes_at: new Date(Date.now() + 1000).toISOString() } as never);
			await expect
				.poll(async () => (await tallyOf(poll._id))?.state, { timeout: 40_000 })
				.toBe('final');
			const tally = await tallyOf(poll._id);
			expect(tally).toMatchObject({ state: 'final', total: 200, counts: expected });
		}
	);
});

describe('what clients can reach', () => {
	it('never exposes ballots: not through /db/, not to residents, not in public data', async () => {
		expect(
			(await fetch(`${app.url}/db/demo-ballots/_all_docs`, { headers: { cookie: staffCookie } }))
				.status
		).toBe(403);
		const direct = await fetch(`${server.url}/demo-ballots/_all_docs`, {
			headers: basic(USERS.resident)
		});
		expect([401, 403]).toContain(direct.status);
		const staffDirect = await fetch(`${server.url}/demo-ballots/_all_docs`, {
			headers: basic(USERS.staff)
		});
		expect([401, 403]).toContain(staffDirect.status);
		const publicDocs = await (await fetch(`${app.url}/db/demo-public/_all_docs`)).json();
		expect(publicDocs.rows.some((row: { id: string }) => row.id.startsWith('ballot:'))).toBe(false);
		const mairie = await (
			await fetch(`${app.url}/db/demo-mairie/_all_docs?include_docs=true`, {
				headers: { cookie: staffCookie }
			})
		).json();
		expect(JSON.stringify(mairie)).not.toMatch(/"choices"/);
	});

	it('refuses forged ballots and tallies written straight through /db/', async () => {
		const forgedBallot = await fetch(`${app.url}/db/demo-ballots/ballot%3Ax%3Ay`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json', cookie: staffCookie },
			body: JSON.stringify({ type: 'ballot', poll: 'poll:x', choices: ['oui'] })
		});
		expect(forgedBallot.status).toBe(403);
		const poll = await publishPoll();
		for (const cookie of [staffCookie, (await enterCode((await issue(['']))[0].code)).cookie, '']) {
			const forgedTally = await fetch(
				`${app.url}/db/demo-public/${encodeURIComponent(tallyId(poll._id))}`,
				{
					method: 'PUT',
					headers: { 'content-type': 'application/json', cookie },
					body: JSON.stringify({
						type: 'tally',
						poll: poll._id,
						state: 'final',
						total: 999,
						counts: { oui: 999 }
					})
				}
			);
			// Apache CouchDB may refuse it as a conflict (409) before its rules run.
			expect([401, 403, 409]).toContain(forgedTally.status);
		}
		const forgedResident = await fetch(`${app.url}/db/demo-mairie/resident%3Aforged`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json', cookie: staffCookie },
			body: JSON.stringify({
				type: 'resident',
				code_hash: 'x',
				status: 'active',
				label: '',
				code_version: 1
			})
		});
		expect(forgedResident.status).toBe(403);
	});
});

describe('the tally job', () => {
	it('ends exact when restarted mid-way', async () => {
		const backend = {
			couch: couch(),
			databases: {
				public: 'demo-public',
				mairie: 'demo-mairie',
				ballots: 'demo-ballots',
				reach: 'demo-reach'
			}
		} as unknown as Backend;
		const polls = [await publishPoll(), await publishPoll(), await publishPoll()];
		const ballots = couch().use('demo-ballots');
		let n = 0;
		for (const poll of polls) {
			for (let i = 0; i < 6; i++) {
				await ballots.insert({
					_id: `ballot:${slugOf(poll._id)}:pseudo-${n++}`,
					type: 'ballot',
					poll: poll._id,
					choices: [i % 2 ? 'oui' : 'non'],
					outbox_id: `o-${n}`
				} as never);
			}
		}
		let seen = 0;
		await expect(
			runTally(backend, new Date(), {
				afterPoll: () => {
					if (++seen === 1) throw new Error('killed mid-way');
				}
			})
		).rejects.toThrow('killed mid-way');
		// The shared app's own tally job may run at the same moment: the state's
		// revision stops the second run (a conflict), and the next run completes.
		for (let attempt = 0; ; attempt++) {
			try {
				await runTally(backend);
				break;
			} catch (error) {
				if ((error as { statusCode?: number }).statusCode !== 409 || attempt === 5) throw error;
			}
		}
		for (const poll of polls) {
			expect(await tallyOf(poll._id)).toMatchObject({
				state: 'live',
				total: 6,
				counts: { oui: 3, non: 3, 'sans-avis': 0 }
			});
		}
	});
});

describe('a poll taken back and put out again with other words (issue 13)', () => {
	it('counts none of the ballots cast on the old words, and lets those residents vote again', async () => {
		const poll = await publishPoll();
		const residents = await issue(Array.from({ length: 5 }, (_, i) => `Foyer reformulé ${i}`));
		const devices = await Promise.all(residents.map((resident) => enterCode(resident.code)));
		for (const [i, device] of devices.entries()) {
			expect((await vote(device.cookie, poll._id, ['oui'], `reword-a-${i}`)).status).toBe(201);
		}
		await expect
			.poll(async () => (await tallyOf(poll._id))?.counts?.oui, { timeout: 30_000 })
			.toBe(5);

		// Staff take it back and put it out again, its two answers' words swapped:
		// validate_doc_update sees a new poll over a deletion, and lets it through.
		const url = `${app.url}/db/demo-public/${encodeURIComponent(poll._id)}`;
		const stored = (await (await fetch(url, { headers: { cookie: staffCookie } })).json()) as Poll;
		const removed = await fetch(`${url}?rev=${stored._rev}`, {
			method: 'DELETE',
			headers: { cookie: staffCookie }
		});
		expect(removed.status).toBe(200);
		const { _rev: _gone, ...content } = stored;
		const reworded = {
			...content,
			options: [
				{ id: 'oui', label: 'Non' },
				{ id: 'non', label: 'Oui' },
				{ id: 'sans-avis', label: 'Sans avis' }
			]
		};
		const republished = await fetch(url, {
			method: 'PUT',
			headers: { 'content-type': 'application/json', cookie: staffCookie },
			body: JSON.stringify(reworded)
		});
		expect(republished.status).toBe(201);

		// Villagers never read the old figures under the new words: no tally, then one of none.
		const shown = async () => {
			const snapshot = (await (await fetch(`${app.url}/api/public/current`)).json()) as {
				polls: { poll: { _id: string }; tally: Tally | null }[];
			};
			return snapshot.polls.find((entry) => entry.poll._id === poll._id)?.tally ?? null;
		};
		expect((await shown())?.counts?.oui ?? 0).toBe(0);
		await expect
			.poll(async () => (await tallyOf(poll._id))?.wording, { timeout: 30_000 })
			.toBe(wordingOf(reworded));
		expect(await tallyOf(poll._id)).toMatchObject({ total: 0, counts: null });

		// Their ballots answered other words: each resident votes again, once.
		for (const [i, device] of devices.entries()) {
			expect((await vote(device.cookie, poll._id, ['non'], `reword-b-${i}`)).status).toBe(201);
		}
		const again = await vote(devices[0].cookie, poll._id, ['oui'], 'reword-c-0');
		expect(again.status).toBe(409);
		expect(again.body.reason).toMatch(/déjà voté/);
		await expect
			.poll(async () => (await tallyOf(poll._id))?.counts, { timeout: 30_000 })
			.toEqual({ oui: 0, non: 5, 'sans-avis': 0 });
	});
});
