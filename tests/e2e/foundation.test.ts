import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simplePdf } from '../../couch/demo-pdf.ts';
import { dayOf } from '../../src/lib/domain/event.ts';
import { readsId } from '../../src/lib/domain/participation.ts';
import { startOwnApp, type OwnApp } from '../harness/own-app.ts';
import {
	LAPTOP,
	PHONE,
	openDevice,
	resultsDir,
	staffLogin,
	syncStaff,
	waitForServiceWorker,
	waitForVillagerSync,
	knowsItIsOffline,
	type Device,
	type DeviceOptions,
	publishedConfirmation
} from './browser.ts';

/**
 * Issue 2, end to end: a notice travels from the mairie's laptop to a
 * villager's offline phone, against the production build on its embedded store.
 */
// Its own app: it counts each read of a demo notice exactly, which other
// files' phones, opening the same notices, would add to.
let app: OwnApp;
beforeAll(async () => {
	app = await startOwnApp({ demoContent: true, env: { ADDRESS_HEADER: 'x-forwarded-for' } });
});
const devices: Device[] = [];

async function device(viewport = PHONE, options: DeviceOptions = {}) {
	const opened = await openDevice(viewport, options);
	devices.push(opened);
	return opened;
}

/** Reads the phone still has to send (src/lib/client/read-counter.ts keeps them in IndexedDB). */
function pendingReads(page: Page): Promise<string[]> {
	return page.evaluate(async () => {
		// Opened only once it exists: opening creates it, without the store the app expects.
		if (!(await indexedDB.databases()).some((database) => database.name === 'crieur-reads')) {
			return [];
		}
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('crieur-reads');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		try {
			const read = db.transaction('lists').objectStore('lists').get('reads-pending');
			return await new Promise<string[]>((resolve, reject) => {
				read.onsuccess = () => resolve((read.result as string[] | undefined) ?? []);
				read.onerror = () => reject(read.error);
			});
		} finally {
			db.close();
		}
	});
}

async function currentTitles(): Promise<string[]> {
	const snapshot = await (await fetch(`${app.url}/api/public/current`)).json();
	return snapshot.notices.map((notice: { title: string }) => notice.title);
}

afterAll(async () => {
	for (const opened of devices) await opened.close().catch(() => undefined);
	await app?.stop();
});

describe('a notice travels from the mairie to an offline phone', () => {
	let villager: Device;

	it('shows the first visit server-rendered, then installs for offline use', async () => {
		villager = await device(PHONE, { serviceWorker: true });
		const { page } = villager;
		await page.goto(app.url);
		await expect(
			page.getByRole('heading', { name: 'Les avis de la mairie' }).isVisible()
		).resolves.toBe(true);
		await waitForServiceWorker(page);
		await waitForVillagerSync(page);
		// The urgent alert comes first and says so in words, not only in red.
		const first = page.locator('.cards li').first();
		expect(await first.textContent()).toContain('Alerte urgente');
		expect(await first.textContent()).toContain("Coupure d'eau");
		await page.screenshot({ path: path.join(resultsDir(), 'villager-home-412x915.png') });
	});

	it('brings a notice published while the phone was offline, without a reload', async () => {
		const { page, context } = villager;
		await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
		await context.setOffline(true);
		await page.locator('.sync.offline').waitFor();

		const staff = await device(LAPTOP);
		await staffLogin(staff.page, app.url, app.staff);
		await staff.page.getByRole('link', { name: /Nouvel avis/ }).click();
		await staff.page.getByLabel('Titre').fill('Route du Moulin fermée samedi');
		await staff.page
			.getByLabel('Texte')
			.fill('La route du Moulin sera **fermée samedi** de 8 h à 18 h pour élagage.');
		await staff.page.getByLabel('Catégorie').selectOption('alerte');
		await staff.page.getByRole('button', { name: 'Publier maintenant' }).click();
		await publishedConfirmation(staff.page).waitFor();
		await syncStaff(staff.page);
		await expect
			.poll(currentTitles, { timeout: 20_000 })
			.toContain('Route du Moulin fermée samedi');

		expect(await page.getByText('Route du Moulin fermée samedi').count()).toBe(0);
		await context.setOffline(false);
		await page.getByText('Route du Moulin fermée samedi').waitFor({ timeout: 20_000 });
		expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);
	});

	it('reloads offline with every notice it had, and opens notices offline', async () => {
		const { page, context } = villager;
		// Other files publish meanwhile: the phone pulls once more, so it has every
		// notice current now, before the network goes.
		const titles = await currentTitles();
		await page.evaluate(() => window.dispatchEvent(new Event('online')));
		for (const title of titles) await page.getByText(title, { exact: true }).first().waitFor();
		await context.setOffline(true);
		await page.reload();
		for (const title of titles) {
			await page.getByText(title, { exact: true }).first().waitFor({ timeout: 10_000 });
		}
		await page.locator('.sync.offline').waitFor();

		// A notice never opened before: routed in the page, read from the replica.
		await page.getByRole('link', { name: 'Route du Moulin fermée samedi' }).click();
		await page.getByText('pour élagage').waitFor();
		// Reloaded offline on a URL the service worker never cached: the app shell renders it.
		await page.reload();
		await page.getByRole('heading', { name: 'Route du Moulin fermée samedi' }).waitFor();
		await page.goto(`${app.url}/avis/demo-horaires-hiver`);
		await page
			.getByRole('heading', { name: "Horaires d'hiver du secrétariat de mairie" })
			.waitFor();
		// The phone has noted the read while offline, and knows it is, so that the
		// network's return fires `online`, which sends what waits.
		await expect.poll(() => pendingReads(page)).toContain('notice:demo-horaires-hiver');
		const offline = await knowsItIsOffline(page);
		await offline.backOnline();
	});

	it('counts each notice read once per phone, the ones read offline when back online', async () => {
		const { page } = villager;
		const reads = async (): Promise<Record<string, number>> => {
			const session = await fetch(`${app.url}/db/_session`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(app.staff)
			});
			const cookie = session.headers.getSetCookie()[0].split(';')[0];
			const day = dayOf(new Date().toISOString(), 'Europe/Paris');
			const response = await fetch(`${app.url}/db/demo-mairie/${readsId(day)}`, {
				headers: { cookie }
			});
			return response.ok ? (await response.json()).counts : {};
		};
		// Read offline in the test before: sent now that the network is back.
		await expect.poll(reads, { timeout: 20_000 }).toMatchObject({
			'notice:demo-horaires-hiver': 1
		});
		// Opened again: the phone remembers it already counted it. Reads leave in
		// order, so once the next notice's read is counted, a second one would be too.
		await page.goto(`${app.url}/avis/demo-horaires-hiver`);
		await page
			.getByRole('heading', { name: "Horaires d'hiver du secrétariat de mairie" })
			.waitFor();
		await page.goto(`${app.url}/avis/demo-recensement`);
		await page.locator('main h1').first().waitFor();
		await expect.poll(reads, { timeout: 20_000 }).toMatchObject({ 'notice:demo-recensement': 1 });
		expect((await reads())['notice:demo-horaires-hiver']).toBe(1);
	});
});

describe('staff laptops', () => {
	it('resolve a conflict between two offline edits in the UI, losing neither', async () => {
		const laptopA = await device(LAPTOP, { serviceWorker: true });
		const laptopB = await device(LAPTOP, { serviceWorker: true });
		await staffLogin(laptopA.page, app.url, app.staff);
		await staffLogin(laptopB.page, app.url, app.staff);
		await waitForServiceWorker(laptopA.page);
		await waitForServiceWorker(laptopB.page);
		const notice = '/mairie/avis/public/demo-encombrants';

		for (const [laptop, version] of [
			[laptopA, 'Version A : collecte avancée au lundi 8 décembre'],
			[laptopB, 'Version B : collecte maintenue, mais à partir de 6 h']
		] as const) {
			await laptop.context.setOffline(true);
			// The staff screens open offline, from the laptop's own copy.
			await laptop.page.goto(`${app.url}${notice}`);
			await laptop.page.getByLabel('Titre').fill(version);
			await laptop.page.getByRole('button', { name: 'Enregistrer les modifications' }).click();
			await laptop.page.getByText('Publié. Il partira').waitFor();
		}

		for (const laptop of [laptopA, laptopB]) await laptop.context.setOffline(false);
		for (const laptop of [laptopA, laptopB, laptopA]) await syncStaff(laptop.page);

		const { page } = laptopA;
		await page.goto(`${app.url}${notice}`);
		await page.getByRole('heading', { name: 'Deux versions de cet avis' }).waitFor();
		await page.getByText('Version A : collecte avancée').first().waitFor();
		await page.getByText('Version B : collecte maintenue').first().waitFor();
		await page.screenshot({ path: path.join(resultsDir(), 'staff-conflict-1366x768.png') });

		const versionB = page.locator('article.version', { hasText: 'Version B' });
		await versionB.getByRole('button', { name: 'Garder cette version' }).click();
		await page.getByText('Conflit résolu.').waitFor();
		expect(await page.getByLabel('Titre').inputValue()).toBe(
			'Version B : collecte maintenue, mais à partir de 6 h'
		);
		await syncStaff(page);
		await syncStaff(laptopB.page);

		// Both laptops converge; the server keeps one winner and no open conflict.
		await laptopB.page.goto(`${app.url}/mairie`);
		await laptopB.page.getByRole('link', { name: /Version B : collecte maintenue/ }).waitFor();
		expect(await laptopB.page.getByText('Conflit à résoudre').count()).toBe(0);
		const doc = await (
			await fetch(`${app.url}/db/demo-public/notice%3Ademo-encombrants?conflicts=true`)
		).json();
		expect(doc.title).toBe('Version B : collecte maintenue, mais à partir de 6 h');
		expect(doc._conflicts).toBeUndefined();
		// The other version is not lost: it stays in the revision history.
		const revs = await (
			await fetch(`${app.url}/db/demo-public/notice%3Ademo-encombrants?open_revs=all`, {
				headers: { accept: 'application/json' }
			})
		).json();
		const titles = revs.map((entry: { ok: { title?: string } }) => entry.ok.title ?? '(retiré)');
		expect(titles.some((title: string) => title.startsWith('Version B'))).toBe(true);
	});

	it('publish a PDF and a photo that villagers can open', async () => {
		const staff = await device(LAPTOP);
		await staffLogin(staff.page, app.url, app.staff);
		await staff.page.getByRole('link', { name: /Nouvel avis/ }).click();
		await staff.page.getByLabel('Titre').fill('Arrêté de stationnement place de la Mairie');
		await staff.page.getByLabel('Texte').fill('Voir l’arrêté joint et le plan.');
		await staff.page.getByLabel('Catégorie').selectOption('arrete');
		// A program renamed « .pdf » is refused before it is sent (issue 13 §4).
		await staff.page.locator('input[type=file]').setInputFiles({
			name: 'faux.pdf',
			mimeType: 'application/pdf',
			buffer: Buffer.from('MZ\x90\x00')
		});
		await staff.page.getByText('« faux.pdf » refusé').waitFor();
		await staff.page.locator('input[type=file]').setInputFiles([
			{
				name: 'arrete-stationnement.pdf',
				mimeType: 'application/pdf',
				buffer: Buffer.from(simplePdf('Arrêté 2026-050', ['Stationnement interdit.']))
			},
			{
				name: 'plan.png',
				mimeType: 'image/png',
				buffer: fs.readFileSync('static/icons/icon-512.png')
			}
		]);
		await staff.page.getByText('arrete-stationnement.pdf').waitFor();
		// A picture is published only with its description, read to those who cannot see it (§5).
		await staff.page.getByRole('button', { name: 'Publier maintenant' }).click();
		await staff.page.getByText('Décrivez chaque image en quelques mots').first().waitFor();
		await staff.page
			.getByLabel(/Description de l’image « plan\.png »/)
			.fill('Plan des places interdites au stationnement');
		await staff.page.getByRole('button', { name: 'Aperçu' }).click();
		await staff.page
			.getByRole('heading', { name: 'Arrêté de stationnement place de la Mairie' })
			.waitFor();
		await staff.page.screenshot({ path: path.join(resultsDir(), 'staff-editor-1366x768.png') });
		await staff.page.getByRole('button', { name: 'Publier maintenant' }).click();
		await publishedConfirmation(staff.page).waitFor();
		await syncStaff(staff.page);

		const villager = await device(PHONE);
		await villager.page.goto(app.url);
		await villager.page
			.getByRole('link', { name: 'Arrêté de stationnement place de la Mairie' })
			.click();
		const pdfLink = villager.page.getByRole('link', { name: /arrete-stationnement\.pdf/ });
		await pdfLink.waitFor();
		const href = await pdfLink.getAttribute('href');
		const response = await villager.page.request.get(`${app.url}${href}`);
		expect(response.status()).toBe(200);
		expect(response.headers()['content-type']).toBe('application/pdf');
		expect((await response.body()).subarray(0, 5).toString()).toBe('%PDF-');
		const picture = villager.page.getByRole('img', {
			name: 'Plan des places interdites au stationnement'
		});
		await picture.waitFor();
		expect(await picture.getAttribute('loading')).toBe('lazy');
		// A shared link's preview shows the notice's photo, from the server's own HTML (§5).
		const html = await (await fetch(villager.page.url())).text();
		expect(html).toMatch(
			/<meta property="og:image" content="https?:\/\/[^"]+\/fichiers\/[^"]+\/plan\.png"/
		);
		expect(html).toContain('content="Plan des places interdites au stationnement"');
		await villager.page.getByRole('heading', { name: 'Documents joints' }).waitFor();

		// Retracted: it leaves the phones at their next pull, and stays in the mairie's drafts.
		staff.page.once('dialog', (dialog) => void dialog.accept());
		await staff.page.getByRole('button', { name: 'Retirer l’avis' }).click();
		await staff.page.getByText('Avis retiré.').waitFor();
		await syncStaff(staff.page);
		await villager.page.goto(app.url);
		await waitForVillagerSync(villager.page);
		await villager.page.getByRole('heading', { name: 'Les avis de la mairie' }).waitFor();
		// The page may render from the replica a moment before the pull that removes it lands.
		await expect
			.poll(() => villager.page.getByText('Arrêté de stationnement place de la Mairie').count(), {
				timeout: 20_000
			})
			.toBe(0);
		await staff.page.goto(`${app.url}/mairie`);
		await staff.page.getByRole('button', { name: /^Retiré/ }).click();
		await staff.page
			.getByRole('link', { name: 'Arrêté de stationnement place de la Mairie' })
			.waitFor();
		expect(await currentTitles()).not.toContain('Arrêté de stationnement place de la Mairie');
	});
});

describe('first visit and installability', () => {
	it('shows a shared notice with its text before any script runs', async () => {
		const noScript = await device(PHONE, { javaScriptEnabled: false });
		await noScript.page.goto(`${app.url}/avis/demo-fete-saint-crieur`);
		await noScript.page
			.getByRole('heading', { name: 'Fête de la Saint-Crieur : programme du 14 décembre' })
			.waitFor();
		await noScript.page.getByText('concours de belote').waitFor();
		expect(await noScript.page.locator('meta[property="og:title"]').getAttribute('content')).toBe(
			'Fête de la Saint-Crieur : programme du 14 décembre'
		);
		// Without a photo of its own, a shared link shows the commune's icon (issue 13 §5).
		const image = await noScript.page.locator('meta[property="og:image"]').getAttribute('content');
		expect(image).toMatch(/^https?:\/\/[^/]+\/icons\/icon-512\.png$/);
		// A notice about an event shows the agenda's own date, one document for both (issue 13 §5).
		await noScript.page.goto(`${app.url}/avis/demo-marche-noel`);
		const event = noScript.page.getByRole('link', { name: /Marché de Noël des écoles/ });
		expect(await event.getAttribute('href')).toBe('/agenda/demo-marche-noel');
		expect(await event.innerText()).toMatch(/16:30|16 h 30/);
		// Search and categories work as plain links and forms, without JavaScript.
		await noScript.page.goto(`${app.url}/?categorie=arrete`);
		expect(await noScript.page.locator('.cards li').count()).toBeGreaterThan(0);
		expect(await noScript.page.getByText("Coupure d'eau").count()).toBe(0);
	});

	it('passes Chromium’s installability check', async () => {
		// A profile on disk: Chromium finds no app installable in an off-the-record context.
		const phone = await device(PHONE, { persistent: true });
		await phone.page.goto(app.url);
		await waitForServiceWorker(phone.page);
		const cdp = await phone.context.newCDPSession(phone.page);
		const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
			installabilityErrors: { errorId: string }[];
		};
		expect(installabilityErrors).toEqual([]);
		const manifest = (await cdp.send('Page.getAppManifest')) as { errors: unknown[]; url: string };
		expect(manifest.errors).toEqual([]);
	});
});
