import nano from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notice } from '../../src/lib/domain/notice.ts';
import { freshAddress, issueCodes, residentCookie, staffCookie } from '../harness/api.ts';
import { startMailServer, type MailServer, type ReceivedMail } from '../harness/mail-server.ts';
import { startOwnApp, type OwnApp } from '../harness/own-app.ts';
import { sharedApp } from '../harness/shared-app.ts';
import { noticeFactory } from '../factories.ts';

/**
 * Issue 16 §5: alerts by e-mail, to a real SMTP server on loopback. Double
 * opt-in, urgent alerts at once, a weekly digest, the one-click unsubscribe
 * of RFC 8058, the counter's registration with consent; nothing is sent to an
 * address not confirmed, nor after it left, and no client reads an address.
 * Its own app: it sends to the loopback SMTP server, on a short week.
 */
let mail: MailServer;
let own: OwnApp;
let staff: string;

beforeAll(async () => {
	mail = await startMailServer();
	own = await startOwnApp({
		env: {
			SMTP_URL: mail.url,
			MAIL_FROM: 'Mairie de Saint-Crieur <mairie@saint-crieur.test>',
			CRIEUR_JOB_INTERVAL_SECONDS: '1',
			CRIEUR_WEEKLY_SECONDS: '4',
			ADDRESS_HEADER: 'x-forwarded-for'
		}
	});
	staff = await staffCookie(own.url, own.staff);
	const admin = nano(own.store.adminUrl).use<Record<string, unknown>>('demo-public');
	const commune = await admin.get('commune');
	await admin.insert({
		...commune,
		zones: [
			{ id: 'bourg', name: 'Le Bourg' },
			{ id: 'granges', name: 'Les Granges' }
		]
	});
});
afterAll(async () => {
	await own?.stop();
	await mail?.stop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
	fetch(`${own.url}${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-forwarded-for': freshAddress(), ...headers },
		body: typeof body === 'string' ? body : JSON.stringify(body)
	});

async function publish(notice: Notice): Promise<void> {
	const response = await fetch(`${own.url}/db/demo-public/${encodeURIComponent(notice._id)}`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json', cookie: staff },
		body: JSON.stringify(notice)
	});
	expect(response.status).toBe(201);
}

const alert = (title: string, overrides: Partial<Notice> = {}) =>
	noticeFactory({
		title,
		body: 'La route de la Forge est **fermée** jusqu’à 18 h.',
		category: 'alerte',
		urgent: true,
		published_at: new Date(Date.now() - 1000).toISOString(),
		expires_at: new Date(Date.now() + 3 * 3600_000).toISOString(),
		...overrides
	});

/** Waits until the alert's sending is over: then whatever was to arrive has. */
async function sent(noticeId: string): Promise<void> {
	const reach = nano(own.store.adminUrl).use<{ state: string }>('demo-reach');
	await expect
		.poll(async () => (await reach.get(`delivery:${noticeId}`).catch(() => null))?.state, {
			timeout: 20_000
		})
		.toBe('done');
}

async function mailTo(address: string, count: number): Promise<ReceivedMail[]> {
	await expect.poll(() => mail.to(address).length, { timeout: 20_000 }).toBe(count);
	return mail.to(address);
}

const linkIn = (text: string, path: string) => {
	const found = text.match(new RegExp(`${own.url}${path}[^\\s]*`));
	expect(found, `${path} in ${text}`).not.toBeNull();
	return new URL(found![0]);
};

async function subscribeAndConfirm(address: string, categories: string[], zones?: string[]) {
	const before = mail.to(address).length;
	expect((await post('/api/email', { address, categories, zones })).status).toBe(202);
	const [confirmation] = (await mailTo(address, before + 1)).slice(-1);
	const token = linkIn(confirmation.text, '/alertes/email').searchParams.get('t');
	expect((await post('/api/email/confirm', { token })).status).toBe(200);
	return confirmation;
}

describe('alerts by e-mail', () => {
	it('are offered only where SMTP_URL is set, and say so elsewhere', async () => {
		expect(await (await fetch(`${own.url}/api/email`)).json()).toEqual({ enabled: true });
		const elsewhere = sharedApp();
		expect(await (await fetch(`${elsewhere.url}/api/email`)).json()).toEqual({ enabled: false });
		const refused = await fetch(`${elsewhere.url}/api/email`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-forwarded-for': freshAddress() },
			body: JSON.stringify({ address: 'jeanne@example.fr', categories: ['urgent'] })
		});
		expect(refused.status).toBe(503);
		expect(await refused.json()).toMatchObject({ error: 'email_off', reason: /pas proposé/ });
	});

	it('send nothing before the link is followed, then urgent alerts at once, and stop in one click', async () => {
		const address = 'Alice.Martin@Example.fr';
		expect((await post('/api/email', { address, categories: ['urgent', 'notices'] })).status).toBe(
			202
		);
		const [confirmation] = await mailTo(address, 1);
		expect(confirmation.subject).toBe('Confirmez votre adresse pour les alertes de Saint-Crieur');
		expect(confirmation.header('from')).toBe('"Mairie de Saint-Crieur" <mairie@saint-crieur.test>');
		const confirmLink = linkIn(confirmation.text, '/alertes/email');
		expect(confirmLink.searchParams.get('action')).toBe('confirmer');

		// Not confirmed yet: an alert goes to nobody here.
		const early = alert('Coupure d’eau ce matin');
		await publish(early);
		await sent(early._id);
		expect(mail.to(address)).toHaveLength(1);

		const token = confirmLink.searchParams.get('t');
		expect((await post('/api/email/confirm', { token })).status).toBe(200);
		// Followed twice (a mail scanner, then the person): still fine.
		expect((await post('/api/email/confirm', { token })).status).toBe(200);

		const storm = alert('Alerte orages : restez chez vous');
		await publish(storm);
		const [, alerted] = await mailTo(address, 2);
		expect(alerted.subject).toBe('Alerte — Alerte orages : restez chez vous (Saint-Crieur)');
		expect(alerted.text).toContain('La route de la Forge est **fermée** jusqu’à 18 h.');
		expect(alerted.text).toContain(`${own.url}/avis/${storm._id.slice('notice:'.length)}`);
		// RFC 8058: a one-click address, and the header that says it takes a POST.
		expect(alerted.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
		const oneClick = alerted.header('list-unsubscribe')?.match(/^<([^>]+)>/)?.[1] ?? '';
		expect(oneClick).toMatch(new RegExp(`^${own.url}/api/email/unsubscribe\\?t=`));
		expect(linkIn(alerted.text, '/alertes/email').searchParams.get('action')).toBe('desabonner');

		// A webmail posts the one-click from its own site; a forged token changes nothing.
		const forged = oneClick.replace(/.{4}$/, 'AAAA');
		const oneClickPost = (url: string) =>
			fetch(url, {
				method: 'POST',
				headers: {
					'content-type': 'application/x-www-form-urlencoded',
					origin: 'https://mail.example.net'
				},
				body: 'List-Unsubscribe=One-Click'
			});
		expect((await oneClickPost(forged)).status).toBe(404);
		expect((await oneClickPost(oneClick)).status).toBe(200);
		expect((await oneClickPost(oneClick)).status).toBe(404);
		const reach = nano(own.store.adminUrl).use('demo-reach');
		const kept = await reach.list({
			startkey: 'email:',
			endkey: 'email:\ufff0',
			include_docs: true
		});
		expect(JSON.stringify(kept.rows)).not.toContain('Alice');

		const after = alert('Crue : route des Granges fermée');
		await publish(after);
		await sent(after._id);
		expect(mail.to(address)).toHaveLength(2);
	});

	it('gather the week’s news in one message, each address hearing of what it asked for', async () => {
		await subscribeAndConfirm('paul@example.fr', ['notices', 'agenda']);
		await subscribeAndConfirm('lea@example.fr', ['urgent']);
		const first = noticeFactory({
			title: 'Fermeture de la mairie samedi',
			published_at: new Date().toISOString()
		});
		const second = noticeFactory({
			title: 'Collecte des encombrants',
			published_at: new Date().toISOString()
		});
		await publish(first);
		await publish(second);
		const [, weekly] = await mailTo('paul@example.fr', 2);
		expect(weekly.subject).toMatch(/^Cette semaine à Saint-Crieur : \d+ nouveautés$/);
		expect(weekly.text).toContain('Fermeture de la mairie samedi');
		expect(weekly.text).toContain(`${own.url}/avis/${second._id.slice('notice:'.length)}`);
		expect(weekly.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
		// Only urgent alerts asked for: no weekly message.
		expect(mail.to('lea@example.fr')).toHaveLength(1);
	});

	it('go only to the zones aimed at, and forget an address its server refuses', async () => {
		await subscribeAndConfirm('ferme@example.fr', ['urgent'], ['granges']);
		await subscribeAndConfirm('parti@example.fr', ['urgent']);
		mail.reject('parti@example.fr');
		const town = alert('Marché déplacé au Bourg', { zones: ['bourg'] });
		await publish(town);
		await sent(town._id);
		expect(mail.to('ferme@example.fr')).toHaveLength(1);
		const reach = nano(own.store.adminUrl).use('demo-reach');
		const left = await reach.list({
			startkey: 'email:',
			endkey: 'email:\ufff0',
			include_docs: true
		});
		expect(JSON.stringify(left.rows)).not.toContain('parti@example.fr');
		const portee = await (
			await fetch(`${own.url}/api/mairie/portee`, { headers: { cookie: staff } })
		).text();
		expect(portee).not.toContain('@');
		const counted = JSON.parse(portee) as {
			alerts: { notice: string; mailFailed: number }[];
			emails: { zones: Record<string, number> };
		};
		expect(counted.alerts.find((one) => one.notice === town._id)?.mailFailed).toBe(1);
		expect(counted.emails.zones).toMatchObject({ granges: 1 });
	});

	it('take a person at the counter with their consent, and only from staff', async () => {
		const address = 'guichet@example.fr';
		const body = { address, categories: ['urgent'], consent: true };
		expect((await post('/api/mairie/email', body)).status).toBe(401);
		const [code] = await issueCodes(own.url, staff, ['Habitant curieux']);
		const resident = await residentCookie(own.url, code, freshAddress());
		expect((await post('/api/mairie/email', body, { cookie: resident })).status).toBe(403);
		const noConsent = await post(
			'/api/mairie/email',
			{ ...body, consent: false },
			{ cookie: staff }
		);
		expect(noConsent.status).toBe(400);
		expect(await noConsent.json()).toMatchObject({ reason: /accord/ });

		const registered = await post('/api/mairie/email', body, { cookie: staff });
		expect(registered.status).toBe(201);
		expect(await registered.json()).toEqual({ status: 'registered', welcome: true });
		const [welcome] = await mailTo(address, 1);
		expect(welcome.subject).toBe('Vous recevrez les alertes de Saint-Crieur par e-mail');
		expect(welcome.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
		const doc = (
			await nano(own.store.adminUrl)
				.use<{ consent: unknown; state: string }>('demo-reach')
				.list({ startkey: 'email:', endkey: 'email:\ufff0', include_docs: true })
		).rows.find((row) => JSON.stringify(row.doc).includes(address))?.doc;
		expect(doc).toMatchObject({
			state: 'confirmed',
			consent: { channel: 'counter', staff: own.staff.name, day: expect.any(String) }
		});

		const storm = alert('Tempête : toute la commune');
		await publish(storm);
		await mailTo(address, 2);
	});

	it.each([
		['not an address', { address: 'pas-une-adresse', categories: ['urgent'] }, 400],
		['no category', { address: 'a@example.fr', categories: [] }, 400],
		['an unknown category', { address: 'a@example.fr', categories: ['sms'] }, 400],
		[
			'another commune’s zone',
			{ address: 'a@example.fr', categories: ['urgent'], zones: ['ailleurs'] },
			400
		],
		['an extra field', { address: 'a@example.fr', categories: ['urgent'], owner: 'mairie' }, 400],
		[
			'an address of 300 characters',
			{ address: `${'a'.repeat(290)}@example.fr`, categories: ['urgent'] },
			400
		],
		[
			'a body far too large',
			{ address: 'a@example.fr', categories: ['urgent'], filler: 'x'.repeat(10_000) },
			413
		]
	])('refuses %s with a French reason', async (_label, body, status) => {
		const response = await post('/api/email', body);
		expect(response.status).toBe(status);
		expect(await response.json()).toMatchObject({ reason: expect.stringMatching(/\p{L}/u) });
	});

	it('refuses forged links, and sends one address few confirmations', async () => {
		for (const token of ['', 'x', `${'A'.repeat(43)}.${'B'.repeat(32)}`]) {
			const confirm = await post('/api/email/confirm', { token });
			expect([400, 404]).toContain(confirm.status);
			expect(await confirm.json()).toMatchObject({ reason: /lien/ });
			const stop = await post('/api/email/unsubscribe', { token });
			expect([400, 404]).toContain(stop.status);
		}
		const address = 'insiste@example.fr';
		for (let i = 0; i < 5; i++) {
			expect((await post('/api/email', { address, categories: ['urgent'] })).status).toBe(202);
		}
		await mailTo(address, 3);
		// Many from one connection: refused after a while, in words.
		const from = freshAddress();
		const statuses: number[] = [];
		for (let i = 0; i < 21; i++) {
			const response = await post(
				'/api/email',
				{ address: `masse-${i}@example.fr`, categories: ['urgent'] },
				{ 'x-forwarded-for': from }
			);
			statuses.push(response.status);
		}
		expect(statuses.slice(0, 20).every((status) => status === 202)).toBe(true);
		expect(statuses[20]).toBe(429);
	});
});
