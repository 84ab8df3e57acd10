import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, dayOf, instantFromWallTime } from '../../src/lib/domain/event.ts';
import { staffCookie } from '../harness/api.ts';
import { sharedApp } from '../harness/shared-app.ts';
import {
	LAPTOP,
	PHONE,
	newStaffTab,
	openDevice,
	resultsDir,
	staffLogin,
	syncStaff,
	type Device
} from './browser.ts';

/**
 * Issue 13 §2, end to end on the secretary's laptop: a multiple choice that
 * allows one answer and two answers saying the same thing are refused in
 * French; a laptop on New York time types 18:00 and villagers read 18:00;
 * once the vote opened, the question and answers are shown read-only with
 * why, CouchDB refuses a change, and « Clore maintenant » and « Retirer le
 * sondage » do what they say. A notice typed there is in commune time too.
 */
const app = sharedApp();
let cookie = '';
const devices: Device[] = [];
const QUESTION = 'Quels créneaux pour la bibliothèque ?';

beforeAll(async () => {
	cookie = await staffCookie(app.url, app.staff);
});

afterAll(async () => {
	for (const opened of devices) await opened.close().catch(() => undefined);
});

let laptop: Device | null = null;
/** The secretary's laptop, its clock on New York time, signed in once: a new tab per test. */
async function staffTab() {
	if (laptop) return newStaffTab(laptop, app.url);
	laptop = await openDevice(LAPTOP, { timezoneId: 'America/New_York' });
	devices.push(laptop);
	await staffLogin(laptop.page, app.url, app.staff);
	return laptop.page;
}

async function serverDoc(db: string, id: string): Promise<Record<string, unknown>> {
	const url = `${app.url}/db/${db}/${encodeURIComponent(id)}`;
	return (await fetch(url, { headers: { cookie } })).json();
}

describe('the poll editor', () => {
	let slug = '';

	it('refuses a multiple choice allowing one answer and repeated answers, and types dates in commune time', async () => {
		const day = addDays(dayOf(new Date().toISOString(), 'Europe/Paris'), 3);
		// The laptop's clock says New York: the form still speaks the commune's time.
		const staff = await staffTab();
		await staff.goto(`${app.url}/mairie/sondages/nouveau`);
		await staff.getByLabel('Question').fill(QUESTION);
		await staff.getByLabel('Réponse 1', { exact: true }).fill('Le samedi matin');
		await staff.getByLabel('Réponse 2', { exact: true }).fill(' le Samedi  MATIN');
		await staff.getByRole('button', { name: '+ Ajouter une réponse' }).click();
		await staff.getByLabel('Réponse 3', { exact: true }).fill('Le mercredi soir');

		// Ticking « several answers » offers every answer, not 1.
		await staff.getByLabel('Plusieurs réponses possibles').check();
		await expect.poll(() => staff.getByLabel('Nombre de réponses au plus').inputValue()).toBe('3');
		await staff.getByLabel('Nombre de réponses au plus').fill('1');
		await staff.getByLabel('Clôture du vote').fill(`${day}T18:00`);
		await staff.getByRole('button', { name: 'Publier le sondage' }).click();
		await staff.getByText('Deux réponses disent la même chose').waitFor();
		for (const n of ['Réponse 1', 'Réponse 2']) {
			await expect
				.poll(() => staff.getByLabel(n, { exact: true }).getAttribute('aria-invalid'))
				.toBe('true');
		}
		await expect
			.poll(() => staff.getByLabel('Réponse 3', { exact: true }).getAttribute('aria-invalid'))
			.toBeNull();
		await staff.getByText('permettez au moins 2 réponses').waitFor();
		await staff.getByText('Heures de la commune (Europe/Paris).').waitFor();
		await staff.screenshot({ path: path.join(resultsDir(), 'staff-poll-refused-1366x768.png') });

		await staff.getByLabel('Réponse 2', { exact: true }).fill('Le samedi après-midi');
		await staff.getByLabel('Nombre de réponses au plus').fill('2');
		await staff.getByRole('button', { name: 'Publier le sondage' }).click();
		await staff.getByText('Sondage publié.').waitFor();
		await syncStaff(staff);
		await staff.waitForURL((url) => !url.pathname.endsWith('/nouveau'));
		slug = staff.url().split('/').pop()!;

		await expect
			.poll(() => serverDoc('demo-public', `poll:${slug}`))
			.toMatchObject({
				multiple: true,
				max_choices: 2,
				closes_at: instantFromWallTime(`${day}T18:00`, 'Europe/Paris')
			});
		// The field shows back what was typed, not the laptop's hour.
		await staff.reload();
		await staff.getByLabel('Question').waitFor();
		await expect.poll(() => staff.getByLabel('Clôture du vote').inputValue()).toBe(`${day}T18:00`);

		const phone = await openDevice(PHONE);
		devices.push(phone);
		await phone.page.goto(`${app.url}/sondages/${slug}`);
		await phone.page.getByRole('heading', { name: QUESTION }).waitFor();
		// The vote opens at the minute the form proposed: until then the page says « Bientôt ».
		await expect
			.poll(
				async () => {
					await phone.page.reload();
					return phone.page.locator('.meta').innerText();
				},
				{ timeout: 90_000, interval: 5_000 }
			)
			.toMatch(/Vote ouvert jusqu’au .* 18:00/);
	}, 240_000);

	it('keeps what ballots answered once the vote opened, and closes and retracts', async () => {
		const staff = await staffTab();
		await staff.goto(`${app.url}/mairie/sondages/${slug}`);
		await staff.getByText('Le vote est ouvert : des habitants ont peut-être déjà voté.').waitFor();
		expect(await staff.getByLabel('Question').getAttribute('readonly')).not.toBeNull();
		expect(
			await staff.getByLabel('Réponse 1', { exact: true }).getAttribute('readonly')
		).not.toBeNull();
		expect(await staff.getByRole('button', { name: 'Publier le sondage' }).count()).toBe(0);
		await staff.getByRole('button', { name: 'Enregistrer les modifications' }).waitFor();
		await staff.screenshot({ path: path.join(resultsDir(), 'staff-poll-locked-1366x768.png') });

		// Even bypassing the app, the server keeps the question.
		const stored = await serverDoc('demo-public', `poll:${slug}`);
		const response = await fetch(
			`${app.url}/db/demo-public/${encodeURIComponent(`poll:${slug}`)}`,
			{
				method: 'PUT',
				headers: { 'content-type': 'application/json', cookie },
				body: JSON.stringify({ ...stored, question: 'Une autre question ?' })
			}
		);
		expect(response.status).toBe(403);
		expect(await response.text()).toContain('ne change plus, le vote est ouvert');

		let asked = '';
		staff.once('dialog', (dialog) => {
			asked = dialog.message();
			void dialog.accept();
		});
		await staff.getByRole('button', { name: 'Clore maintenant' }).click();
		await staff.getByText('Vote clos').first().waitFor();
		expect(asked).toContain('Clore le vote maintenant ?');
		await syncStaff(staff);
		const closed = await serverDoc('demo-public', `poll:${slug}`);
		expect(Date.parse(String(closed.closes_at))).toBeLessThanOrEqual(Date.now());
		await staff.getByText('Le vote est clos').waitFor();

		staff.once('dialog', (dialog) => void dialog.accept());
		await staff.getByRole('button', { name: 'Retirer le sondage' }).click();
		await staff.getByText('Sondage retiré').first().waitFor();
		await syncStaff(staff);
		expect(await serverDoc('demo-public', `poll:${slug}`)).toMatchObject({ error: 'not_found' });
		expect(await serverDoc('demo-mairie', `poll:${slug}`)).toMatchObject({
			status: 'retracted',
			question: QUESTION
		});
		await staff.goto(`${app.url}/mairie/sondages`);
		const row = staff.locator('tr', { hasText: QUESTION });
		expect(await row.innerText()).toContain('Retiré');
	});

	it('types a notice’s publication in commune time too', async () => {
		const day = addDays(dayOf(new Date().toISOString(), 'Europe/Paris'), 2);
		const staff = await staffTab();
		await staff.goto(`${app.url}/mairie/avis/nouveau`);
		await staff.getByLabel('Titre').fill('Réunion publique sur la bibliothèque');
		await staff.getByLabel('Texte').fill('Salle du conseil.');
		await staff.getByLabel('Publication').fill(`${day}T18:00`);
		await staff.getByRole('button', { name: 'Programmer la publication' }).click();
		await staff.getByText(/Programmé pour le .* 18:00/).waitFor();
		await syncStaff(staff);
		const slug = staff.url().split('/').pop()!;
		expect(await serverDoc('demo-mairie', `notice:${slug}`)).toMatchObject({
			status: 'scheduled',
			published_at: instantFromWallTime(`${day}T18:00`, 'Europe/Paris')
		});
		await staff.reload();
		await staff.getByLabel('Titre').waitFor();
		expect(await staff.getByLabel('Publication').inputValue()).toBe(`${day}T18:00`);
	});
});
