import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	abandonChange,
	saveDocument,
	syncOnce,
	unsentIds,
	type Refusal,
	type StaffDbs
} from '../../src/lib/client/staff/index.ts';
import { databaseName } from '../../src/lib/domain/commune.ts';
import { LIMITS } from '../../src/lib/domain/limits.ts';
import { noticeFields } from '../../src/lib/domain/staff-notice.ts';
import { staffCookie } from '../harness/api.ts';
import { closeLaptop, openLaptop } from '../harness/laptop.ts';
import { sharedApp } from '../harness/shared-app.ts';

/**
 * Issue 15 §1, nothing refused in silence: a laptop's document the server
 * refuses is named with the reason, stays on the laptop with its change, does
 * not hold back the rest, and goes once corrected; staff may also give the
 * change up. The laptop's own sync code, through the /db/ proxy, on both back ends.
 */
const COMMUNE = 'demo';
const WATCHDOG_MS = 60_000;
const app = sharedApp();
let cookie = '';
let tmp = '';
let laptop: StaffDbs;

beforeAll(async () => {
	cookie = await staffCookie(app.url, app.staff);
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-refusals-'));
	laptop = openLaptop(app.url, COMMUNE, cookie, tmp, 'refusals');
	await syncOnce(laptop, WATCHDOG_MS);
});

afterAll(async () => {
	if (laptop) await closeLaptop(laptop);
	if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const freshId = (name: string) => `notice:${name}-${Date.now().toString(36)}`;

/** A draft notice saved by the editor's own code. */
async function draft(id: string, title: string): Promise<void> {
	await saveDocument(laptop, {
		id,
		fields: noticeFields(
			{
				title,
				body: 'Texte de l’avis.',
				category: 'avis',
				urgent: false,
				published_at: null,
				expires_at: null
			},
			null,
			app.staff.name,
			new Date()
		),
		files: [],
		from: null,
		to: 'mairie',
		status: 'draft',
		baseRev: null
	});
}

/** A change written past the editor's checks, as an older build of the app could. */
async function overwrite(id: string, change: Record<string, unknown>): Promise<void> {
	const doc = await laptop.local.mairie.get(id);
	await laptop.local.mairie.put({ ...doc, ...change });
}

async function onServer(id: string): Promise<{ status: number; title?: string }> {
	const response = await fetch(
		`${app.url}/db/${databaseName(COMMUNE, 'mairie')}/${encodeURIComponent(id)}`,
		{ headers: { cookie, accept: 'application/json' } }
	);
	const body = (await response.json()) as { title?: string };
	return { status: response.status, title: body.title };
}

describe('a staff sync the server refuses part of', () => {
	it('names the document and the rules’ reason, keeps it until corrected, and sends the rest', async () => {
		const refused = freshId('refus');
		const accepted = freshId('accepte');
		const tooLong = 'É'.repeat(LIMITS.titleMax + 1);
		await draft(refused, 'Avis à corriger');
		await overwrite(refused, { title: tooLong });
		await draft(accepted, 'Avis sans souci');

		const first = await syncOnce(laptop, WATCHDOG_MS);
		expect(first.refused).toEqual([
			expect.objectContaining({
				location: 'mairie',
				id: refused,
				title: tooLong,
				kind: 'rules',
				reason: expect.stringMatching(/^Document refusé \(titre/)
			})
		]);
		expect(await onServer(accepted)).toMatchObject({ status: 200, title: 'Avis sans souci' });
		expect((await onServer(refused)).status).toBe(404);

		// The next sync still names it, and the laptop still counts it as unsent.
		const second = await syncOnce(laptop, WATCHDOG_MS, first.refused);
		expect(second.refused.map((refusal) => refusal.id)).toEqual([refused]);
		expect((await unsentIds(laptop, second.refused)).mairie.has(refused)).toBe(true);

		// Corrected, it goes.
		await overwrite(refused, { title: 'Avis corrigé' });
		const third = await syncOnce(laptop, WATCHDOG_MS, second.refused);
		expect(third.refused).toEqual([]);
		expect(await onServer(refused)).toMatchObject({ status: 200, title: 'Avis corrigé' });

		// A later bad change given up: the laptop takes the server's version back.
		await overwrite(refused, { title: tooLong });
		const fourth = await syncOnce(laptop, WATCHDOG_MS, third.refused);
		expect(fourth.refused.map((refusal) => refusal.id)).toEqual([refused]);
		await abandonChange(laptop, 'mairie', refused);
		expect(await syncOnce(laptop, WATCHDOG_MS, fourth.refused)).toEqual({ refused: [] });
		expect(((await laptop.local.mairie.get(refused)) as { title?: string }).title).toBe(
			'Avis corrigé'
		);
		expect(await onServer(refused)).toMatchObject({ status: 200, title: 'Avis corrigé' });
	});

	it('refuses alone a document too large to send, and sends the rest of its batch', async () => {
		const big = freshId('lourd');
		const small = freshId('leger');
		await draft(big, 'Avis trop lourd');
		await draft(small, 'Avis léger');
		// Four PDFs of 7 MB: each within the rules, together beyond what one request may carry.
		const pdf = Buffer.alloc(7 * 1024 * 1024, 0x20);
		pdf.write('%PDF-1.4\n');
		const data = pdf.toString('base64');
		await overwrite(big, {
			_attachments: Object.fromEntries(
				['a', 'b', 'c', 'd'].map((name) => [
					`${name}.pdf`,
					{ content_type: 'application/pdf', data }
				])
			)
		});

		const outcome = await syncOnce(laptop, WATCHDOG_MS);
		const refusal: Refusal | undefined = outcome.refused[0];
		expect(outcome.refused).toHaveLength(1);
		expect(refusal).toMatchObject({ id: big, kind: 'too_large', title: 'Avis trop lourd' });
		expect(await onServer(small)).toMatchObject({ status: 200 });
		expect((await onServer(big)).status).toBe(404);

		// Given up, a document the server never had leaves the laptop.
		await abandonChange(laptop, 'mairie', big);
		expect(await syncOnce(laptop, WATCHDOG_MS, outcome.refused)).toEqual({ refused: [] });
		await expect(laptop.local.mairie.get(big)).rejects.toMatchObject({ status: 404 });
	});
});
