import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCodes, residentCookie, staffCookie } from '../harness/api.ts';
import { eventFactory, noticeFactory, pollFactory } from '../factories.ts';
import { demoStaffLogin, startApp, type TestApp } from '../harness/app.ts';
import { fillStorageWhenAsked, setStorageFull } from '../storage-full.ts';
import {
	LAPTOP,
	openDevice,
	resultsDir,
	staffLogin,
	syncStaff,
	waitForServiceWorker,
	type Device,
	newStaffTab,
	publishedConfirmation
} from './browser.ts';

/**
 * Issues 13 §4 and 14 §2–§5, end to end on the secretary's laptop: one
 * address per document, statuses that say whether villagers see it, nothing
 * typed lost on leaving, a past date asked about, every kind of conflict
 * shown with who wrote each version and what differs, and errors in French.
 */
let app: TestApp;
let cookie = '';
const devices: Device[] = [];

/** offline: the laptop installs the service worker, to work without the network. */
async function laptop(offline = false): Promise<Device> {
	const opened = await openDevice(LAPTOP, { serviceWorker: offline });
	devices.push(opened);
	await staffLogin(opened.page, app.url, demoStaffLogin(app.dataDir));
	return opened;
}

let secretary: Device | null = null;
/** The secretary's laptop, signed in once, for tests that need nothing else of it: a new tab each. */
async function secretaryTab(): Promise<{ page: Page }> {
	if (secretary) return { page: await newStaffTab(secretary, app.url) };
	secretary = await laptop();
	return secretary;
}

const shot = (page: Page, name: string) =>
	page.screenshot({ path: path.join(resultsDir(), `${name}-1366x768.png`) });

/** A document as the server holds it, through the proxy with the staff cookie. */
async function serverDoc(db: string, id: string): Promise<Record<string, unknown>> {
	const url = `${app.url}/db/${db}/${encodeURIComponent(id)}?conflicts=true`;
	return (await fetch(url, { headers: { cookie } })).json();
}

async function put(db: string, doc: object): Promise<void> {
	const id = String((doc as { _id: string })._id);
	const response = await fetch(`${app.url}/db/${db}/${encodeURIComponent(id)}`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify(doc)
	});
	expect(response.status, await response.clone().text()).toBe(201);
}

let forks = 0;
/**
 * Two laptops' offline edits of one document as replication brings them to
 * CouchDB: two children of its current revision, one conflict.
 */
async function forkOnServer(db: string, id: string, edits: Record<string, unknown>[]) {
	const url = `${app.url}/db/${db}/${encodeURIComponent(id)}?revs=true`;
	const { _revisions: revisions, ...doc } = await (
		await fetch(url, { headers: { cookie } })
	).json();
	const start = revisions.start + 1;
	const docs = edits.map((edit) => {
		const hash = `${(++forks).toString(16).padStart(8, '0')}${'e2e0'.repeat(6)}`;
		return {
			...doc,
			updated_at: new Date().toISOString(),
			...edit,
			_rev: `${start}-${hash}`,
			_revisions: { start, ids: [hash, ...revisions.ids] }
		};
	});
	const response = await fetch(`${app.url}/db/${db}/_bulk_docs`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify({ docs, new_edits: false })
	});
	expect(await response.json()).toEqual([]);
	expect(Object.keys(await serverDoc(db, id))).toContain('_conflicts');
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** A poll still to open, so its answers can change. */
const poll = (id: string, question: string) =>
	pollFactory({ _id: id, question, opens_at: inDays(3), closes_at: inDays(10) });

const event = (id: string, title: string) =>
	eventFactory({ _id: id, title, starts_at: inDays(5), ends_at: inDays(5.1) });

/**
 * PouchDB tells a laptop's other tabs about a write through `storage` events;
 * while the page sets `__holdTabNotices` its listener hears nothing, as if the
 * news were still on its way. Runs in the page, before the app.
 */
function holdTabNotices() {
	const listen = window.addEventListener;
	window.addEventListener = function (
		this: Window,
		type: string,
		listener: EventListenerOrEventListenerObject,
		options?: boolean | AddEventListenerOptions
	) {
		if (type !== 'storage') return listen.call(this, type, listener, options);
		const held = (event: Event) => {
			if ((window as unknown as { __holdTabNotices?: boolean }).__holdTabNotices) return;
			if (typeof listener === 'function') listener.call(this, event);
			else listener.handleEvent(event);
		};
		return listen.call(this, type, held, options);
	} as typeof window.addEventListener;
}

/** The editor's form element: the same one before and after a save means no remount. */
const markForm = (page: Page) =>
	page.evaluate(() => document.querySelector('form')!.setAttribute('data-e2e', 'same-form'));
const sameForm = (page: Page) =>
	page.evaluate(() => document.querySelector('form')?.getAttribute('data-e2e') === 'same-form');

beforeAll(async () => {
	app = await startApp();
	cookie = await staffCookie(app.url, demoStaffLogin(app.dataDir));
});

afterAll(async () => {
	for (const opened of devices) await opened.close().catch(() => undefined);
	await app?.stop();
});

describe('one address per document', () => {
	it('publishes a draft without leaving its page, and old addresses still lead there', async () => {
		const { page } = await secretaryTab();
		await page.getByRole('link', { name: /Nouvel avis/ }).click();
		await page.getByLabel('Titre').fill('Réunion publique sur le PLU');
		await page.getByLabel('Texte').fill('Mardi à 18 h, salle du conseil.');
		await page.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
		await page.getByText('Enregistré sur cet ordinateur.').waitFor();
		// Its first save gives a new notice its address.
		await page.waitForURL(/\/mairie\/avis\/(?!nouveau)[^/]+$/);
		const address = new URL(page.url()).pathname;
		await shot(page, 'staff-notice-editor');

		await markForm(page);
		await page.getByRole('button', { name: 'Publier maintenant' }).click();
		await publishedConfirmation(page).waitFor();
		expect(new URL(page.url()).pathname).toBe(address);
		expect(await sameForm(page)).toBe(true);

		// Printed and bookmarked links named the database: they lead to the one address.
		const slug = address.split('/').pop()!;
		// A readable address from the title, accents folded and little words left out (issue 13 §5).
		expect(slug).toMatch(/^reunion-publique-sur-plu-[0-9a-z]{4}$/);
		for (const [old, now] of [
			[`/mairie/avis/public/${slug}`, address],
			['/mairie/sondages/public/demo-marche', '/mairie/sondages/demo-marche'],
			['/mairie/agenda/public/demo-conseil-novembre', '/mairie/agenda/demo-conseil-novembre']
		]) {
			await page.goto(`${app.url}${old}`);
			await page.waitForURL(`${app.url}${now}`);
		}
		await page.goto(`${app.url}/mairie/avis/public/${slug}`);
		await page.waitForURL(`${app.url}${address}`);
		expect(await page.getByLabel('Titre').inputValue()).toBe('Réunion publique sur le PLU');
	});
});

describe('statuses that say what villagers see', () => {
	it('lists a notice published offline as not sent, and says so until it is', async () => {
		const { page, context } = await laptop(true);
		// Its pages must open offline: « Retour à la liste » comes from the cache.
		await waitForServiceWorker(page);
		await page.getByRole('link', { name: /Nouvel avis/ }).click();
		await page.getByLabel('Titre').fill('Permanence des élus annulée');
		await context.setOffline(true);
		await page.getByRole('button', { name: 'Publier maintenant' }).click();
		await page.getByText('Publié. Il partira vers les habitants').waitFor();
		await page.getByText('pas encore envoyé : les habitants le verront').waitFor();
		await context.setOffline(false);
		await syncStaff(page);
		// The confirmation no longer says it will leave: it left.
		await page.getByText('Publié : les habitants le voient.').waitFor();
		expect(await page.getByText('Il partira').count()).toBe(0);
		expect(await page.getByText('pas encore envoyé').count()).toBe(0);

		// Changed offline again: the list says villagers do not see the change yet.
		await context.setOffline(true);
		await page.getByLabel('Texte').fill('Le secrétariat sera fermé vendredi.');
		await page.getByRole('button', { name: 'Enregistrer les modifications' }).click();
		await page.getByText('Publié. Il partira').waitFor();
		await page.getByRole('link', { name: 'Retour à la liste' }).click();
		const row = page.locator('tr', { hasText: 'Permanence des élus annulée' });
		await expect.poll(() => row.innerText()).toContain('pas encore envoyé');
		expect(await row.innerText()).toContain('Publié');
		await context.setOffline(false);
		await syncStaff(page);
		expect(await row.innerText()).not.toContain('pas encore envoyé');
	});

	it('says where a retracted notice is, and lists it there', async () => {
		const { page } = await secretaryTab();
		await page.getByRole('link', { name: /Nouvel avis/ }).click();
		await page.getByLabel('Titre').fill('Avis publié par erreur');
		await page.getByRole('button', { name: 'Publier maintenant' }).click();
		await publishedConfirmation(page).waitFor();
		let asked = '';
		page.once('dialog', (dialog) => {
			asked = dialog.message();
			void dialog.accept();
		});
		await page.getByRole('button', { name: 'Retirer l’avis' }).click();
		await page.getByText('Avis retiré.').waitFor();
		expect(asked).toContain('dans la liste « Retiré »');
		expect(await page.getByText('Avis retiré.').innerText()).toContain('dans la liste « Retiré »');
		expect(await page.getByText('brouillons').count()).toBe(0);
		await page.getByRole('link', { name: 'Retour à la liste' }).click();
		await page.getByRole('button', { name: /^Retiré/ }).click();
		await page.getByRole('link', { name: 'Avis publié par erreur' }).waitFor();
	});
});

describe('nothing typed is lost', () => {
	it('warns before leaving an editor and gives the text back on return', async () => {
		const { page } = await secretaryTab();
		await page.getByRole('link', { name: /Nouvel avis/ }).click();
		await page.getByLabel('Titre').fill('Collecte des sapins');
		await page
			.getByLabel('Texte')
			.fill('Déposez vos sapins place de l’église jusqu’au 15 janvier.');

		const nav = page.getByRole('navigation', { name: 'Navigation principale' });
		await nav.getByRole('link', { name: 'Sondages' }).click();
		const warning = page.getByRole('dialog', { name: 'Quitter sans enregistrer ?' });
		await warning.waitFor();
		await shot(page, 'staff-leave-warning');
		await warning.getByRole('button', { name: 'Rester sur la page' }).click();
		await warning.waitFor({ state: 'hidden' });
		expect(new URL(page.url()).pathname).toBe('/mairie/avis/nouveau');
		expect(await page.getByLabel('Titre').inputValue()).toBe('Collecte des sapins');

		await nav.getByRole('link', { name: 'Sondages' }).click();
		await warning.getByRole('button', { name: 'Quitter la page' }).click();
		await page.getByRole('heading', { name: 'Sondages', level: 1 }).waitFor();
		await page.goBack();
		await page.getByText('Texte repris du brouillon gardé sur cet ordinateur').waitFor();
		expect(await page.getByLabel('Titre').inputValue()).toBe('Collecte des sapins');
		expect(await page.getByLabel('Texte').inputValue()).toContain('place de l’église');

		// Saved, the kept copy is dropped: a new notice starts empty.
		await page.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
		await page.getByText('Enregistré sur cet ordinateur.').waitFor();
		await nav.getByRole('link', { name: 'Avis' }).click();
		await page.getByRole('link', { name: /Nouvel avis/ }).click();
		await page.getByRole('heading', { name: 'Nouvel avis', level: 1 }).waitFor();
		expect(await page.getByLabel('Titre').inputValue()).toBe('');
		expect(await page.getByText('Texte repris du brouillon').count()).toBe(0);

		// The poll editor keeps its own, and its draft can be thrown away.
		await nav.getByRole('link', { name: 'Sondages' }).click();
		await page.getByRole('link', { name: '+ Nouveau sondage' }).click();
		await page.getByLabel('Question', { exact: true }).fill('Faut-il un marché le dimanche ?');
		await shot(page, 'staff-poll-editor');
		await nav.getByRole('link', { name: 'Agenda' }).click();
		await warning.getByRole('button', { name: 'Quitter la page' }).click();
		await page.getByRole('heading', { name: 'Agenda', level: 1 }).waitFor();
		await page.goBack();
		await page.getByText('Texte repris du brouillon').waitFor();
		expect(await page.getByLabel('Question', { exact: true }).inputValue()).toBe(
			'Faut-il un marché le dimanche ?'
		);
		await page.getByRole('button', { name: 'Abandonner ce brouillon' }).click();
		// Discarding first deletes the kept draft (IndexedDB), then empties the form.
		await expect.poll(() => page.getByLabel('Question', { exact: true }).inputValue()).toBe('');

		// And the event editor.
		await nav.getByRole('link', { name: 'Agenda' }).click();
		await page.getByRole('link', { name: '+ Nouvel événement' }).click();
		await page.getByLabel('Titre', { exact: true }).fill('Loto de l’école');
		await shot(page, 'staff-event-editor');
		await nav.getByRole('link', { name: 'Avis' }).click();
		await warning.getByRole('button', { name: 'Quitter la page' }).click();
		await page.getByRole('heading', { name: 'Avis', level: 1 }).waitFor();
		await page.goBack();
		await page.getByText('Texte repris du brouillon').waitFor();
		expect(await page.getByLabel('Titre', { exact: true }).inputValue()).toBe('Loto de l’école');

		// Closing the tab: the browser asks too.
		const asked = new Promise<string>((resolve) =>
			page.once('dialog', (dialog) => {
				resolve(dialog.type());
				void dialog.accept();
			})
		);
		await page.getByLabel('Titre', { exact: true }).fill('Loto de l’école, samedi');
		await page.close({ runBeforeUnload: true });
		expect(await asked).toBe('beforeunload');
	});

	it('asks before publishing with a date in the past', async () => {
		const { page } = await secretaryTab();
		await page.getByRole('link', { name: /Nouvel avis/ }).click();
		await page.getByLabel('Titre').fill('Compte rendu de la réunion de quartier');
		const yesterday = new Date(Date.now() - 86_400_000);
		const local = new Date(yesterday.getTime() - yesterday.getTimezoneOffset() * 60_000)
			.toISOString()
			.slice(0, 16);
		await page.getByLabel('Publication').fill(local);
		let asked = '';
		page.once('dialog', (dialog) => {
			asked = dialog.message();
			void dialog.dismiss();
		});
		await page.getByRole('button', { name: 'Publier maintenant' }).click();
		await expect.poll(() => asked).toContain('La date de publication est passée');
		expect(new URL(page.url()).pathname).toBe('/mairie/avis/nouveau');
		expect(await page.getByText('Publié.').count()).toBe(0);

		page.once('dialog', (dialog) => void dialog.accept());
		await page.getByRole('button', { name: 'Publier maintenant' }).click();
		await publishedConfirmation(page).waitFor();
	});

	it('tells a full disk in French, and saves once there is room', async () => {
		const device = await openDevice(LAPTOP);
		devices.push(device);
		const { page, context } = device;
		await context.addInitScript(fillStorageWhenAsked);
		await staffLogin(page, app.url, demoStaffLogin(app.dataDir));
		await page.getByRole('link', { name: /Nouvel avis/ }).click();
		await page.getByLabel('Titre').fill('Avis sur un disque plein');
		await setStorageFull(page, true);
		await page.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
		const alert = page.getByRole('alert');
		await alert.getByText('La mémoire de cet ordinateur est pleine').waitFor();
		expect(await alert.innerText()).not.toMatch(/quota|indexed_db|error/i);
		await setStorageFull(page, false);
		await page.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
		await page.getByText('Enregistré sur cet ordinateur.').waitFor();
	});
});

describe('conflicts, shown and settled by a person', () => {
	it('keeps what was just saved in the form when the save leaves a conflict', async () => {
		await put(
			'demo-public',
			noticeFactory({
				_id: 'notice:e2e-sauvegarde',
				title: 'Horaires de la déchetterie',
				body: 'Ouverte le samedi matin.',
				published_at: inDays(-1),
				created_at: inDays(-1),
				updated_at: inDays(-1)
			})
		);
		const { page } = await secretaryTab();
		await page.goto(`${app.url}/mairie/avis/e2e-sauvegarde`);
		await page.getByLabel('Titre').waitFor();
		expect(await page.getByLabel('Titre').inputValue()).toBe('Horaires de la déchetterie');

		// Another laptop's edit arrives while this form is open: the form does not move.
		const current = await serverDoc('demo-public', 'notice:e2e-sauvegarde');
		await put('demo-public', {
			...current,
			title: 'Déchetterie : horaires d’hiver',
			updated_by: 'Jean Martin',
			updated_at: new Date().toISOString()
		});
		await syncStaff(page);
		expect(await page.getByLabel('Titre').inputValue()).toBe('Horaires de la déchetterie');

		await page.getByLabel('Titre').fill('Déchetterie fermée le 24 décembre');
		await page.getByRole('button', { name: 'Enregistrer les modifications' }).click();
		await page.getByText('Enregistré sur cet ordinateur, mais une autre version existe').waitFor();
		expect(await page.getByText('Publié. Il partira').count()).toBe(0);
		expect(await page.getByLabel('Titre').inputValue()).toBe('Déchetterie fermée le 24 décembre');
		await page.getByRole('heading', { name: 'Deux versions de cet avis' }).waitFor();
		const theirs = page.locator('article.version', { hasText: 'Version de Jean Martin' });
		const mine = page.locator('article.version', { hasText: 'Version de secretariat' });
		expect(await theirs.innerText()).toContain('Déchetterie : horaires d’hiver');
		expect(await mine.innerText()).toContain('Déchetterie fermée le 24 décembre');
		// The title is what differs: it is marked, in words as well.
		expect(await page.locator('.conflict .legend').innerText()).toContain(
			'diffère entre les versions : Titre.'
		);
		expect(await mine.locator('.row.differs').innerText()).toContain('Titre');
		expect(await mine.locator('.row.differs').count()).toBe(1);
		await shot(page, 'staff-conflict-panel');

		await mine.getByRole('button', { name: 'Garder cette version' }).click();
		await page.getByText('Conflit résolu.').waitFor();
		await syncStaff(page);
		const settled = await serverDoc('demo-public', 'notice:e2e-sauvegarde');
		expect(settled).toMatchObject({
			title: 'Déchetterie fermée le 24 décembre',
			updated_by: 'secretariat'
		});
		expect(settled._conflicts).toBeUndefined();
	});

	it('shows conflicting polls and events, with who wrote each version, and settles them', async () => {
		await put('demo-public', poll('poll:e2e-conflit', 'Faut-il un marché ?'));
		await forkOnServer('demo-public', 'poll:e2e-conflit', [
			{ question: 'Faut-il un marché le samedi ?', updated_by: 'Marie Dupont' },
			{ question: 'Faut-il un marché le dimanche ?', updated_by: 'Jean Martin' }
		]);
		await put('demo-public', event('event:e2e-conflit', 'Bal du 14 juillet'));
		await forkOnServer('demo-public', 'event:e2e-conflit', [
			{ place: 'Place de la mairie', updated_by: 'Marie Dupont' },
			{ place: 'Salle des fêtes', title: 'Bal du 14 juillet (à l’abri)', updated_by: 'Jean Martin' }
		]);
		const { page } = await secretaryTab();
		const nav = page.getByRole('navigation', { name: 'Navigation principale' });

		await nav.getByRole('link', { name: 'Sondages' }).click();
		const pollRow = page.locator('tr', { hasText: /Faut-il un marché le/ });
		await pollRow.getByText('Conflit à résoudre').waitFor();
		await pollRow.getByRole('link').click();
		await page.getByRole('heading', { name: 'Deux versions de ce sondage' }).waitFor();
		await page.getByText('Version de Marie Dupont').waitFor();
		await page.getByText('Version de Jean Martin').waitFor();
		expect(await page.locator('.conflict .legend').innerText()).toContain('Question');
		await shot(page, 'staff-poll-conflict');
		await page
			.locator('article.version', { hasText: 'Version de Jean Martin' })
			.getByRole('button', { name: 'Garder cette version' })
			.click();
		await page.getByText('Conflit résolu.').waitFor();
		expect(await page.getByLabel('Question').inputValue()).toBe('Faut-il un marché le dimanche ?');
		await page.getByRole('heading', { name: 'Deux versions de ce sondage' }).waitFor({
			state: 'detached'
		});

		await nav.getByRole('link', { name: 'Agenda' }).click();
		await page
			.locator('tr', { hasText: 'Bal du 14 juillet' })
			.getByRole('link', { name: /Bal du 14 juillet/ })
			.click();
		await page.getByRole('heading', { name: 'Deux versions de cet événement' }).waitFor();
		const legend = await page.locator('.conflict .legend').innerText();
		expect(legend).toContain('Titre');
		expect(legend).toContain('Lieu');
		await page
			.locator('article.version', { hasText: 'Version de Marie Dupont' })
			.getByRole('button', { name: 'Garder cette version' })
			.click();
		await page.getByText('Conflit résolu.').waitFor();
		expect(await page.getByLabel('Lieu (facultatif)').inputValue()).toBe('Place de la mairie');

		await syncStaff(page);
		for (const id of ['poll:e2e-conflit', 'event:e2e-conflit']) {
			expect((await serverDoc('demo-public', id))._conflicts).toBeUndefined();
		}
		expect(await serverDoc('demo-public', 'poll:e2e-conflit')).toMatchObject({
			question: 'Faut-il un marché le dimanche ?',
			updated_by: 'secretariat'
		});
	});

	it('shows two laptops’ moderation of one submission, and settles it', async () => {
		const [code] = await issueCodes(app.url, cookie, ['']);
		const resident = await residentCookie(app.url, code, '10.0.14.1');
		const sent = await fetch(`${app.url}/api/submissions`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', cookie: resident },
			body: JSON.stringify({
				outbox_id: 'o-e2e-conflit-01',
				kind: 'report',
				title: 'Banc cassé au square',
				body: 'Le banc près du bac à sable a une planche cassée.',
				category: 'espaces-verts',
				place: null,
				public_name: null
			})
		});
		expect(sent.status).toBe(201);
		await forkOnServer('demo-mairie', 'submission:o-e2e-conflit-01', [
			{
				status: 'accepted',
				answer: 'Les services passent jeudi.',
				seen: true,
				updated_by: 'Marie Dupont'
			},
			{
				status: 'declined',
				decline_reason: 'Le square est privé.',
				seen: true,
				updated_by: 'Jean Martin'
			}
		]);
		const { page } = await secretaryTab();
		// The queue's old address (/mairie/envois, the villager outbox's name) still leads there.
		await page.goto(`${app.url}/mairie/envois`);
		await page.waitForURL(`${app.url}/mairie/signalements`);
		const row = page.locator('tr', { hasText: 'Banc cassé au square' });
		await row.getByText('Conflit à résoudre').waitFor();
		await row.getByRole('link', { name: 'Banc cassé au square' }).click();
		await page.getByRole('heading', { name: 'Deux suites données à cet envoi' }).waitFor();
		await page.getByText('Version de Marie Dupont').waitFor();
		await page.getByText('Version de Jean Martin').waitFor();
		expect(await page.locator('.conflict .legend').innerText()).toContain('Statut');
		await page
			.locator('article.version', { hasText: 'Version de Marie Dupont' })
			.getByRole('button', { name: 'Garder cette version' })
			.click();
		await page.getByText('Conflit résolu.').waitFor();
		expect(await page.getByLabel('Réponse de la mairie').inputValue()).toBe(
			'Les services passent jeudi.'
		);
		await syncStaff(page);
		const settled = await serverDoc('demo-mairie', 'submission:o-e2e-conflit-01');
		expect(settled).toMatchObject({ status: 'accepted', updated_by: 'secretariat' });
		expect(settled._conflicts).toBeUndefined();
	});

	it('says so when the conflict was settled meanwhile, instead of claiming to settle it', async () => {
		await put('demo-public', poll('poll:e2e-deja-regle', 'Quel nom pour la salle ?'));
		await forkOnServer('demo-public', 'poll:e2e-deja-regle', [
			{ question: 'Quel nom pour la salle polyvalente ?', updated_by: 'Marie Dupont' },
			{ question: 'Quel nom pour la nouvelle salle ?', updated_by: 'Jean Martin' }
		]);
		const { page, context } = await laptop();
		await context.addInitScript(holdTabNotices);
		await page.goto(`${app.url}/mairie/sondages/e2e-deja-regle`);
		await page.getByRole('heading', { name: 'Deux versions de ce sondage' }).waitFor();
		// This tab has not heard yet of what another tab of the laptop is about to
		// write: neither from that tab nor from the server (its own network is cut).
		await page.evaluate(
			() => ((window as unknown as { __holdTabNotices: boolean }).__holdTabNotices = true)
		);
		const network = await context.newCDPSession(page);
		await network.send('Network.enable');
		await network.send('Network.emulateNetworkConditions', {
			offline: true,
			latency: 0,
			downloadThroughput: -1,
			uploadThroughput: -1
		});
		const other = await context.newPage();
		await other.goto(`${app.url}/mairie/sondages/e2e-deja-regle`);
		await other
			.locator('article.version', { hasText: 'Version de Jean Martin' })
			.getByRole('button', { name: 'Garder cette version' })
			.click();
		await other.getByText('Conflit résolu.').waitFor();

		await page
			.locator('article.version', { hasText: 'Version de Marie Dupont' })
			.getByRole('button', { name: 'Garder cette version' })
			.click();
		await page.getByText('Ce conflit a déjà été réglé sur un autre ordinateur').waitFor();
		expect(await page.getByText('Conflit résolu.').count()).toBe(0);
		expect(await page.getByLabel('Question').inputValue()).toBe(
			'Quel nom pour la nouvelle salle ?'
		);
	});
});
