import nano from 'nano';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueCodes, pairedKioskCookie, residentCookie, staffCookie } from '../harness/api.ts';
import { sharedApp } from '../harness/shared-app.ts';
import { pollFactory } from '../factories.ts';

/**
 * Issue 13 §3: the kiosk checks a code as soon as it is typed. The check says
 * valid or not and nothing else, uses nothing up (no first use, no ballot),
 * and counts wrong codes against the kiosk with its ballots: 20 in 10 minutes,
 * then a 429 that says how long to wait.
 */
const app = sharedApp();
let staff: string;

const poll = pollFactory({
	_id: 'poll:borne-verif',
	opens_at: new Date(Date.now() - 3_600_000).toISOString(),
	closes_at: new Date(Date.now() + 86_400_000).toISOString()
});

function post(path: string, cookie: string, body: unknown) {
	return fetch(`${app.url}${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify(body)
	});
}

const check = (cookie: string, code: string) => post('/api/borne/code', cookie, { code });

beforeAll(async () => {
	staff = await staffCookie(app.url, app.staff);
	await nano(app.store.adminUrl).use('demo-public').insert(poll);
});

describe('the kiosk’s early code check', () => {
	it('answers valid or not, and nothing else; only kiosks may ask', async () => {
		const kiosk = await pairedKioskCookie(app.url, staff);
		const [code, revoked] = await issueCodes(app.url, staff, ['Famille Ravel', 'Famille Roux']);
		const residents = nano(app.store.adminUrl).use<{
			type: string;
			label: string;
			first_used_at?: string;
		}>('demo-mairie');
		const list = await residents.list({ include_docs: true });
		const revokedId = list.rows.find((row) => row.doc?.label === 'Famille Roux')!.id;
		expect(
			(await post(`/api/mairie/habitants/${encodeURIComponent(revokedId)}/revoke`, staff, {}))
				.status
		).toBe(200);

		const valid = await check(kiosk, code.toLowerCase());
		expect(valid.status).toBe(200);
		expect(await valid.json()).toEqual({ valid: true });
		// A check is not a use: the participation report counts codes used, not codes checked.
		const after = await residents.list({ include_docs: true });
		const ravel = after.rows.find((row) => row.doc?.label === 'Famille Ravel')!.doc!;
		expect(ravel.first_used_at).toBeUndefined();

		// A revoked code and one never issued get the same answer: nothing to learn from it.
		const gone = await check(kiosk, revoked);
		const never = await check(kiosk, 'ACDE-FGHJ-KMNP');
		expect(gone.status).toBe(403);
		expect(never.status).toBe(403);
		expect(await gone.json()).toEqual(await never.json());
		const format = await check(kiosk, 'ACDE');
		expect(format.status).toBe(400);
		expect((await format.json()).error).toBe('invalid_format');

		for (const who of ['', staff, await residentCookie(app.url, code)]) {
			const refused = await check(who, code);
			expect(refused.status).toBe(401);
			expect((await refused.json()).error).toBe('not_kiosk');
		}
	});

	it('counts wrong codes with the kiosk’s ballots, then says how long to wait', async () => {
		const kiosk = await pairedKioskCookie(app.url, staff);
		const other = await pairedKioskCookie(app.url, staff);
		const [code, second] = await issueCodes(app.url, staff, ['', '']);
		const statuses: number[] = [];
		for (let i = 0; i < 10; i++) statuses.push((await check(kiosk, 'ACDE-FGHJ-KMNP')).status);
		for (let i = 0; i < 10; i++) {
			const ballot = await post('/api/borne/ballots', kiosk, {
				outbox_id: `wrong-ballot-${i}0`,
				code: 'ACDE-FGHJ-KMNP',
				poll: poll._id,
				choices: ['oui']
			});
			statuses.push(ballot.status);
		}
		expect(statuses).toEqual(Array(20).fill(403));

		// The 21st try, even with a right code, and by either route.
		const paused = await check(kiosk, code);
		expect(paused.status).toBe(429);
		const body = await paused.json();
		expect(body.error).toBe('too_many_attempts');
		expect(body.reason).toMatch(/Trop de codes erronés sur cette borne : réessayez dans \d+ min/);
		expect(body.retry_after).toBeGreaterThan(500);
		expect(body.retry_after).toBeLessThanOrEqual(600);
		expect(Number(paused.headers.get('retry-after'))).toBe(body.retry_after);
		const ballot = await post('/api/borne/ballots', kiosk, {
			outbox_id: 'paused-ballot-1',
			code,
			poll: poll._id,
			choices: ['oui']
		});
		expect(ballot.status).toBe(429);
		expect((await ballot.json()).retry_after).toBeGreaterThan(500);

		// Another kiosk is not paused by this one.
		expect((await check(other, second)).status).toBe(200);
		const elsewhere = await post('/api/borne/ballots', other, {
			outbox_id: 'other-kiosk-ballot-1',
			code: second,
			poll: poll._id,
			choices: ['oui']
		});
		expect(elsewhere.status).toBe(201);
	});
});
