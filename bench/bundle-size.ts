// JavaScript a first-time visitor downloads, per route, gzip-compressed.
// Budget (issue 2): 100 kB gzip for the villager home. "first render" counts
// the scripts the page loads before its load event; "after idle" adds what is
// fetched in the next seconds (PouchDB, loaded after the first render).
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startApp } from '../tests/harness/app.ts';

const ROUTES: { route: string; label: string; budget?: number }[] = [
	{ route: '/', label: 'villager home', budget: 100 },
	{ route: '/avis/demo-arrete-circulation-forge', label: 'notice page' },
	{ route: '/archives', label: 'past notices' },
	{ route: '/mairie', label: 'staff (laptop)' }
];

function gzipBytes(urlPath: string): number {
	const file = path.join('build', 'client', decodeURIComponent(urlPath));
	if (fs.existsSync(`${file}.gz`)) return fs.statSync(`${file}.gz`).size;
	return gzipSync(new Uint8Array(fs.readFileSync(file)), { level: 9 }).length;
}

const kB = (bytes: number) => (bytes / 1000).toFixed(1);

export async function measureBundles(): Promise<
	{ route: string; label: string; initial: number; total: number; budget?: number }[]
> {
	const app = await startApp();
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking']
	});
	const results = [];
	try {
		for (const { route, label, budget } of ROUTES) {
			const context = await browser.newContext({ serviceWorkers: 'block' });
			const page = await context.newPage();
			const scripts: { path: string; beforeLoad: boolean }[] = [];
			let loaded = false;
			page.on('request', (request) => {
				const url = new URL(request.url());
				if (request.resourceType() === 'script' && url.origin === app.url) {
					scripts.push({ path: url.pathname, beforeLoad: !loaded });
				}
			});
			await page.goto(app.url + route, { waitUntil: 'load' });
			loaded = true;
			await page.waitForTimeout(4000);
			const unique = new Map(scripts.map((script) => [script.path, script.beforeLoad]));
			let initial = 0;
			let total = 0;
			for (const [scriptPath, beforeLoad] of unique) {
				const size = gzipBytes(scriptPath);
				total += size;
				if (beforeLoad) initial += size;
			}
			results.push({ route, label, initial, total, budget: budget ? budget * 1000 : undefined });
			await context.close();
		}
		const worker = gzipBytes('/service-worker.js');
		results.push({
			route: '/service-worker.js',
			label: 'service worker',
			initial: worker,
			total: worker
		});
		// Leaflet: fetched only when a resident opens the report form (not on any other page).
		const manifest = JSON.parse(
			fs.readFileSync('.svelte-kit/output/client/.vite/manifest.json', 'utf8')
		) as Record<string, { file: string; css?: string[] }>;
		const mapChunk = manifest['src/lib/client/place-map.ts'];
		const map = [mapChunk.file, ...(mapChunk.css ?? [])]
			.map((file) => gzipBytes(`/${file}`))
			.reduce((sum, size) => sum + size, 0);
		results.push({ route: '(on demand)', label: 'report map, JS + CSS', initial: 0, total: map });
	} finally {
		await browser.close();
		await app.stop();
		fs.rmSync(app.dataDir, { recursive: true, force: true });
	}
	return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const results = await measureBundles();
	console.log('\nJavaScript per route, gzip (kB = 1000 bytes)');
	console.log('route                                  first render   after idle   budget');
	for (const row of results) {
		const budget = row.budget ? `${kB(row.budget)} ${row.total <= row.budget ? 'OK' : 'OVER'}` : '';
		console.log(
			`${`${row.route} (${row.label})`.padEnd(44)} ${kB(row.initial).padStart(7)}  ${kB(row.total).padStart(11)}   ${budget}`
		);
	}
}
