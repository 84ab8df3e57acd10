import nano from 'nano';
import { beforeAll, describe, expect, it } from 'vitest';
import { dayOf } from '../../src/lib/domain/event.ts';
import { readsId, type ReadsDoc } from '../../src/lib/domain/participation.ts';
import { freshAddress, issueCodes, residentCookie, staffCookie } from '../harness/api.ts';
import { STAFF } from '../harness/couch.ts';
import { sharedApp } from '../harness/shared-app.ts';

/**
 * Issue 6, what the participation report counts, against the real server:
 * reads sent by devices without any identity, the first use of a code, and
 * the time of the mairie's first answer — each kept where only staff read it.
 */
const app = sharedApp();
const server = app.store;
const mairie = () => nano(server.adminUrl).use('demo-mairie');
const today = () => readsId(dayOf(new Date().toISOString(), 'Europe/Paris'));

/** Reads sent by a device: a new one each time, unless headers name its address. */
async function sendReads(body: unknown, headers: Record<string, string> = {}) {
	return fetch(`${app.url}/api/reads`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-forwarded-for': freshAddress(), ...headers },
		body: JSON.stringify(body)
	});
}

beforeAll(async () => {
	const notice = (slug: string) => ({
		_id: `notice:${slug}`,
		type: 'notice',
		title: slug,
		body: '',
		category: 'avis',
		urgent: false,
		published_at: '2026-01-01T08:00:00.000Z',
		expires_at: null,
		created_at: '2026-01-01T08:00:00.000Z',
		updated_at: '2026-01-01T08:00:00.000Z',
		author: STAFF.name
	});
	await nano(server.adminUrl)
		.use('demo-public')
		.bulk({ docs: [notice('eau'), notice('fete')] });
});

describe('reads', () => {
	it('counts notices opened by devices, per day, with nothing about who', async () => {
		const first = await sendReads({ notices: ['notice:eau', 'notice:fete'] });
		expect(first.status).toBe(200);
		expect(await first.json()).toEqual({ counted: 2 });
		// Another device: the device, not the server, remembers what it counted.
		expect((await sendReads({ notices: ['notice:eau'] })).status).toBe(200);
		const doc = (await mairie().get(today())) as unknown as ReadsDoc;
		expect(doc.counts).toEqual({ 'notice:eau': 2, 'notice:fete': 1 });
		expect(Object.keys(doc).sort()).toEqual(['_id', '_rev', 'counts', 'day', 'type']);
	});

	it('adds up reads sent at the same moment, losing none', async () => {
		const before = ((await mairie().get(today())) as unknown as ReadsDoc).counts['notice:fete'];
		const sent = await Promise.all(
			Array.from({ length: 25 }, () => sendReads({ notices: ['notice:fete'] }))
		);
		expect(sent.every((response) => response.status === 200)).toBe(true);
		const after = ((await mairie().get(today())) as unknown as ReadsDoc).counts['notice:fete'];
		expect(after - before).toBe(25);
	});

	it('counts nothing for unknown notices and refuses what is not a list of notice ids', async () => {
		const before = await mairie().get(today());
		const unknown = await sendReads({ notices: ['notice:inexistant'] });
		expect(await unknown.json()).toEqual({ counted: 0 });
		for (const body of [
			null,
			{},
			{ notices: [] },
			{ notices: 'notice:eau' },
			{ notices: ['poll:demo'] },
			{ notices: ['notice:../_users'] },
			{ notices: Array.from({ length: 51 }, (_, i) => `notice:n${i}`) }
		]) {
			const response = await sendReads(body);
			expect(response.status, JSON.stringify(body)).toBe(400);
			const error = (await response.json()) as { error: string; reason: string };
			expect(error.error).toBe('invalid_request');
			expect(error.reason).toMatch(/identifiants d’avis/);
		}
		expect((await mairie().get(today()))._rev).toBe(before._rev);
	});

	it('keeps the counts from villagers and refuses them from staff', async () => {
		expect((await fetch(`${app.url}/db/demo-mairie/${today()}`)).status).toBe(401);
		const staff = await staffCookie(app.url, STAFF);
		const [code] = await issueCodes(app.url, staff, ['Lecteur']);
		const resident = await residentCookie(app.url, code, freshAddress());
		expect([401, 403]).toContain(
			(await fetch(`${app.url}/db/demo-mairie/${today()}`, { headers: { cookie: resident } }))
				.status
		);
		const asStaff = nano(server.url.replace('://', `://${STAFF.name}:${STAFF.password}@`)).use(
			'demo-mairie'
		);
		await expect(
			asStaff.insert({
				_id: 'reads:2026-01-01',
				type: 'reads',
				day: '2026-01-01',
				counts: {}
			} as never)
		).rejects.toMatchObject({ statusCode: 403 });
	});

	it('stops a flood from one address', async () => {
		const headers = { 'x-forwarded-for': freshAddress() };
		let last = 0;
		for (let i = 0; i < 121; i++)
			last = (await sendReads({ notices: ['notice:eau'] }, headers)).status;
		expect(last).toBe(429);
	});
});

describe('first use of a code and the first answer', () => {
	it('notes the day a code is first used, once', async () => {
		const staff = await staffCookie(app.url, STAFF);
		const [code] = await issueCodes(app.url, staff, ['Famille Usage']);
		const find = async () => {
			const rows = await mairie().list({
				startkey: 'resident:',
				endkey: 'resident:\ufff0',
				include_docs: true
			});
			return rows.rows
				.map((row) => row.doc as unknown as { label: string; first_used_at?: string })
				.find((doc) => doc.label === 'Famille Usage')!;
		};
		expect((await find()).first_used_at).toBeUndefined();
		const parisDay = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
		const before = parisDay();
		await residentCookie(app.url, code, freshAddress());
		const first = (await find()).first_used_at;
		// Only the commune's day, never the moment: staff cannot match it to a ballot.
		expect([before, parisDay()]).toContain(first);
		await residentCookie(app.url, code, freshAddress());
		expect((await find()).first_used_at).toBe(first);
	});
});
