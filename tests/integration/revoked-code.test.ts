import nano from 'nano';
import { beforeAll, describe, expect, it } from 'vitest';
import { pollFactory } from '../factories.ts';
import { staffCookie } from '../harness/api.ts';
import { sharedApp } from '../harness/shared-app.ts';

/**
 * Issue 13 §2 against the production build: a device whose code the mairie
 * revoked or replaced is told so (`code_revoked`, « retiré par la mairie »)
 * by every route a resident uses, instead of « saisissez votre code » as if
 * it had never entered one; and a code outside the alphabet is told which
 * characters codes use.
 */
const app = sharedApp();
let staff: string;
const POLL = pollFactory({
	_id: 'poll:retire',
	allow_change: true,
	opens_at: new Date(Date.now() - 60_000).toISOString(),
	closes_at: new Date(Date.now() + 7 * 86_400_000).toISOString()
});
let address = 0;

/** A phone: its own address and cookie jar, as a browser keeps it. */
class Phone {
	jar = new Map<string, string>();
	address = `10.13.0.${++address}`;

	get cookie(): string {
		return [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
	}

	async request(path: string, init: { method?: string; body?: unknown } = {}) {
		const response = await fetch(`${app.url}${path}`, {
			method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
			headers: {
				'content-type': 'application/json',
				accept: 'application/json',
				'accept-language': 'fr',
				'x-forwarded-for': this.address,
				cookie: this.cookie
			},
			body: init.body === undefined ? undefined : JSON.stringify(init.body)
		});
		for (const set of response.headers.getSetCookie()) {
			const [pair, ...attributes] = set.split(';');
			const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
			if (!value || attributes.some((part) => /^\s*max-age=0\s*$/i.test(part)))
				this.jar.delete(name);
			else this.jar.set(name, value);
		}
		return { status: response.status, body: (await response.json()) as Record<string, unknown> };
	}

	enter(code: string) {
		return this.request('/api/habitants/session', { body: { code } });
	}

	vote(choice: string) {
		return this.request('/api/ballots', {
			body: { poll: POLL._id, choices: [choice], outbox_id: `o-${crypto.randomUUID()}` }
		});
	}
}

async function staffPost(path: string, body?: unknown) {
	const response = await fetch(`${app.url}${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie: staff },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	expect(response.status).toBeLessThan(300);
	return (await response.json()) as Record<string, never>;
}

async function issue(label: string): Promise<{ id: string; code: string }> {
	return (await staffPost('/api/mairie/habitants', { labels: [label] })).residents[0];
}

beforeAll(async () => {
	staff = await staffCookie(app.url, app.staff);
	await nano(app.store.adminUrl).use('demo-public').insert(POLL);
});
describe('a code the mairie revoked', () => {
	it('is told as withdrawn by the session, ballots, supports, submissions and /mine', async () => {
		const resident = await issue('Famille Martin');
		const phone = new Phone();
		expect((await phone.enter(resident.code)).status).toBe(200);
		expect((await phone.request('/api/habitants/session')).body).toEqual({
			resident: true,
			revoked: false
		});
		expect((await phone.vote('oui')).status).toBeLessThan(300);

		await staffPost(`/api/mairie/habitants/${encodeURIComponent(resident.id)}/revoke`);

		const ballot = await phone.vote('non');
		expect(ballot.status).toBe(403);
		expect(ballot.body.error).toBe('code_revoked');
		expect(ballot.body.reason).toContain('Votre code a été retiré par la mairie');
		const support = await phone.request('/api/supports', {
			body: { answer: 'answer:nulle-part', outbox_id: `o-${crypto.randomUUID()}` }
		});
		expect([support.status, support.body.error]).toEqual([403, 'code_revoked']);
		const mine = await phone.request('/api/submissions/mine');
		expect([mine.status, mine.body.error]).toEqual([403, 'code_revoked']);
		// The dead CouchDB session is dropped; the note stays, so the answer stays true.
		expect((await phone.request('/api/habitants/session')).body).toEqual({
			resident: false,
			revoked: true
		});
		expect(phone.jar.has('AuthSession')).toBe(false);
		const again = await phone.vote('non');
		expect([again.status, again.body.error]).toEqual([403, 'code_revoked']);

		// The old code is refused when typed again, as any unknown code.
		expect((await phone.enter(resident.code)).body.error).toBe('unknown_code');
	});

	it('a device that never entered a code is still asked for one', async () => {
		const stranger = new Phone();
		expect((await stranger.request('/api/habitants/session')).body).toEqual({
			resident: false,
			revoked: false
		});
		const ballot = await stranger.vote('oui');
		expect([ballot.status, ballot.body.error]).toEqual([401, 'not_resident']);
	});

	it('a replaced code is told the same, and the new letter’s code works on the same device', async () => {
		const resident = await issue('Foyer Roux');
		const phone = new Phone();
		expect((await phone.enter(resident.code)).status).toBe(200);
		const fresh = (
			await staffPost(`/api/mairie/habitants/${encodeURIComponent(resident.id)}/reissue`)
		).resident as { code: string };

		const stale = await phone.vote('oui');
		expect([stale.status, stale.body.error]).toEqual([403, 'code_revoked']);
		expect((await phone.request('/api/habitants/session')).body.revoked).toBe(true);

		expect((await phone.enter(fresh.code)).status).toBe(200);
		expect((await phone.request('/api/habitants/session')).body).toEqual({
			resident: true,
			revoked: false
		});
		expect((await phone.vote('oui')).status).toBeLessThan(300);
	});

	it('signing out forgets the note: the device is then like any other', async () => {
		const resident = await issue('Mme Petit');
		const phone = new Phone();
		expect((await phone.enter(resident.code)).status).toBe(200);
		await phone.request('/api/habitants/session', { method: 'DELETE' });
		await staffPost(`/api/mairie/habitants/${encodeURIComponent(resident.id)}/revoke`);
		expect((await phone.request('/api/habitants/session')).body.revoked).toBe(false);
	});
});

describe('a typed code outside the alphabet (issue 13 §2)', () => {
	it('names the characters codes never use, and those they do', async () => {
		const answer = await new Phone().enter('AAAA-BBBB-CCCC');
		expect([answer.status, answer.body.error]).toEqual([400, 'invalid_format']);
		expect(answer.body.reason).toContain('« B »');
		expect(answer.body.reason).not.toContain('12 lettres et chiffres');
		const short = await new Phone().enter('ACDE-FGHJ');
		expect(short.body.reason).toContain('vous en avez saisi 8');
	});
});
