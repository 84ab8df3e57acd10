import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerFactory, pollFactory } from '../factories.ts';
import { staffCookie } from '../harness/api.ts';
import { sharedApp } from '../harness/shared-app.ts';
import {
	PHONE,
	openDevice,
	resultsDir,
	waitForServiceWorker,
	waitForVillagerSync,
	type Device
} from './browser.ts';
import { slugOf } from '../../src/lib/domain/slug.ts';

/**
 * Issue 13 §2: a code the mairie revoked showed « Envoyé » and « saisissez
 * votre code », as if typing it again would help. Every place a refusal
 * reaches the resident — the poll page, supports, suggestions, /envois,
 * /habitant — says the mairie withdrew the code and what to do, the device
 * forgets the dead session, and what was written offline waits for the code
 * of the new letter instead of being dropped.
 */
const app = sharedApp();
let staff = '';
const devices: Device[] = [];
const POLL_ID = 'poll:code-retire';
const POLL = `/sondages/${slugOf(POLL_ID)}`;
const IDEA = 'Des bancs sur la place';
const REVOKED = 'Votre code a été retiré par la mairie';

async function device(viewport = PHONE) {
	// Installs the service worker: signIn waits for it, and the phones go offline.
	const opened = await openDevice(viewport, { serviceWorker: true });
	devices.push(opened);
	return opened;
}

async function issue(label: string): Promise<{ id: string; code: string }> {
	const response = await fetch(`${app.url}/api/mairie/habitants`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie: staff },
		body: JSON.stringify({ labels: [label] })
	});
	return ((await response.json()) as { residents: { id: string; code: string }[] }).residents[0];
}

async function revoke(id: string) {
	const response = await fetch(`${app.url}/api/mairie/habitants/${encodeURIComponent(id)}/revoke`, {
		method: 'POST',
		headers: { cookie: staff }
	});
	expect(response.status).toBe(200);
}

/** A new letter for the same resident: their old code stops working. */
async function reissue(id: string): Promise<string> {
	const response = await fetch(
		`${app.url}/api/mairie/habitants/${encodeURIComponent(id)}/reissue`,
		{ method: 'POST', headers: { cookie: staff } }
	);
	expect(response.status).toBe(200);
	return ((await response.json()) as { resident: { code: string } }).resident.code;
}

/** Written as a staff laptop writes to the public database, through /db/. */
async function put(id: string, doc: object) {
	const response = await fetch(`${app.url}/db/demo-public/${encodeURIComponent(id)}`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json', cookie: staff },
		body: JSON.stringify(doc)
	});
	expect(response.status).toBe(201);
}

async function publishPoll() {
	const now = Date.now();
	await put(
		POLL_ID,
		pollFactory({
			_id: POLL_ID,
			allow_change: true,
			opens_at: new Date(now - 60_000).toISOString(),
			closes_at: new Date(now + 7 * 86_400_000).toISOString()
		})
	);
}

/** A published idea, to support. */
async function publishIdea() {
	await put(
		'answer:bancs-place',
		answerFactory({
			_id: 'answer:bancs-place',
			title: IDEA,
			body: 'Deux bancs à l’ombre du tilleul.'
		})
	);
}

async function signIn(page: Device['page'], code: string) {
	await page.goto(`${app.url}/habitant#${code.replace(/-/g, '')}`);
	await waitForServiceWorker(page);
	await page.getByRole('button', { name: 'Valider mon code' }).click();
	await page.getByText('Vous êtes reconnu comme habitant').first().waitFor();
}

beforeAll(async () => {
	staff = await staffCookie(app.url, app.staff);
	await publishPoll();
	await publishIdea();
});

afterAll(async () => {
	for (const opened of devices) await opened.close().catch(() => undefined);
});

describe('a code the mairie revoked', () => {
	it('is told as withdrawn on the poll page, supports, suggestions, /envois and /habitant', async () => {
		const resident = await issue('Famille Martin');
		const phone = await device();
		const { page, context } = phone;
		await signIn(page, resident.code);

		// A first vote goes through while the code is good.
		await page.goto(`${app.url}${POLL}`);
		await waitForVillagerSync(page);
		await page.getByLabel('Oui', { exact: true }).check();
		await page.getByRole('button', { name: 'Voter' }).click();
		const state = page.locator('[data-outbox-state]');
		await expect.poll(() => state.getAttribute('data-outbox-state')).toBe('sent');

		// Offline, the resident changes their vote, supports an idea and sends one.
		await page.goto(`${app.url}/participer`);
		await waitForVillagerSync(page);
		await page.getByRole('heading', { name: IDEA }).waitFor();
		await context.setOffline(true);
		await page.getByRole('button', { name: 'Soutenir cette idée' }).click();
		await page.getByText('Votre soutien est gardé sur cet appareil').waitFor();
		await page.getByLabel('Proposer une idée').check();
		await page.getByLabel('Titre').fill('Un composteur au cimetière');
		await page.getByLabel('Description').fill('Pour les fleurs fanées.');
		await page.getByLabel('Catégorie').selectOption({ label: 'Arbres et espaces verts' });
		await page.getByRole('button', { name: 'Envoyer à la mairie' }).click();
		await page.getByText('Votre envoi est gardé sur cet appareil').waitFor();
		await page.goto(`${app.url}${POLL}`);
		await page.getByLabel('Non', { exact: true }).check();
		await page.getByRole('button', { name: /Voter|Changer mon vote/ }).click();
		await expect.poll(() => state.getAttribute('data-outbox-state')).toBe('waiting');

		// Meanwhile the mairie withdraws the code; the phone comes back online.
		await revoke(resident.id);
		await context.setOffline(false);

		// The poll page: withdrawn, what to do, the vote kept, never « saisissez votre code ».
		const poll = page.locator('article.poll');
		await poll
			.getByText('Votre vote est gardé sur cet appareil et partira dès que vous aurez saisi')
			.waitFor({ timeout: 30_000 });
		await poll.getByText(REVOKED).first().waitFor();
		await poll.getByText('nouvelle lettre').first().waitFor();
		expect(await state.getAttribute('data-outbox-state')).toBe('waiting');
		expect(await poll.getByText('saisissez votre code').count()).toBe(0);
		expect(await poll.getByText('Saisir mon code').count()).toBe(0);
		expect(await poll.getByText('au retour du réseau').count()).toBe(0);
		await page.screenshot({ path: path.join(resultsDir(), 'villager-code-revoked-412x915.png') });

		// /envois: the three kept, each saying why it waits; the first vote sent.
		await page.goto(`${app.url}/envois`);
		const waiting = page.locator('li[data-outbox-state="waiting"]');
		// Each kept item learns it when its own send is refused, one after another.
		await expect
			.poll(() => waiting.filter({ hasText: REVOKED }).count(), { timeout: 20_000 })
			.toBe(3);
		expect(await page.locator('li[data-outbox-state="sent"]').count()).toBe(1);
		expect(await page.locator('li[data-outbox-state="refused"]').count()).toBe(0);

		// /participer: the support and the suggestion say so; no « saisissez d'abord ».
		await page.goto(`${app.url}/participer`);
		const idea = page.locator('[data-answer="answer:bancs-place"]');
		await idea.getByText(REVOKED).waitFor();
		await page.locator('[data-submission]').getByText(REVOKED).waitFor();
		await page.locator('#new-submission ~ .notice-banner').getByText(REVOKED).first().waitFor();
		expect(await page.getByText('saisissez d’abord votre code').count()).toBe(0);

		// The device forgot the dead session, and /habitant says why.
		await page.goto(`${app.url}/habitant`);
		await page.getByText(REVOKED).first().waitFor();
		await page.getByText('reste gardé sur cet appareil').waitFor();
		await page.getByLabel('Code d’habitant').waitFor();
		expect(await page.getByText('Vous êtes reconnu comme habitant').count()).toBe(0);
		const session = await page.evaluate(() =>
			fetch('/api/habitants/session').then((response) => response.json())
		);
		expect(session).toEqual({ resident: false, revoked: true });
		const cookies = await context.cookies(app.url);
		expect(cookies.find((cookie) => cookie.name === 'AuthSession')?.value ?? '').toBe('');

		// The new letter's code: nothing written offline was lost, all of it goes.
		const fresh = await reissue(resident.id);
		await page.goto(`${app.url}/envois`);
		// Each kept item learns it when its own send is refused, one after another.
		await expect
			.poll(() => waiting.filter({ hasText: REVOKED }).count(), { timeout: 20_000 })
			.toBe(3);
		await signIn(page, fresh);
		await page.goto(`${app.url}/envois`);
		await expect
			.poll(() => page.locator('li[data-outbox-state="sent"]').count(), { timeout: 30_000 })
			.toBe(4);
		expect(await page.getByText(REVOKED).count()).toBe(0);
	});

	it('a device whose code was replaced by a new letter is told the same, then votes with the new one', async () => {
		const resident = await issue('Foyer Roux');
		const phone = await device();
		const { page } = phone;
		await signIn(page, resident.code);
		const fresh = await reissue(resident.id);

		// The phone learns it when it next asks the server: no vote form, but why.
		await page.goto(`${app.url}${POLL}`);
		await waitForVillagerSync(page);
		const poll = page.locator('article.poll');
		await poll.getByText(REVOKED).first().waitFor();
		expect(await poll.getByRole('button', { name: 'Voter' }).count()).toBe(0);
		expect(await poll.getByText('saisissez votre code').count()).toBe(0);

		await signIn(page, fresh);
		await page.goto(`${app.url}${POLL}`);
		await page.getByLabel('Oui', { exact: true }).check();
		await page.getByRole('button', { name: 'Voter' }).click();
		const state = page.locator('[data-outbox-state]');
		await expect
			.poll(() => state.getAttribute('data-outbox-state'), { timeout: 30_000 })
			.toBe('sent');
		expect(await page.getByText(REVOKED).count()).toBe(0);
	});
});
