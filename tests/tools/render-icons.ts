// Renders static/favicon.svg into the PNG icons the manifest names, with
// Debian's Chromium. Run once after changing the SVG: `node tests/tools/render-icons.ts`.
import fs from 'node:fs';
import { chromium } from 'playwright-core';

const svg = fs.readFileSync('static/favicon.svg', 'utf8');
const browser = await chromium.launch({
	executablePath: '/usr/bin/chromium',
	args: ['--no-sandbox']
});
const page = await browser.newPage();

async function render(size: number, file: string, maskable: boolean) {
	await page.setViewportSize({ width: size, height: size });
	// A maskable icon fills the square and keeps its drawing in the central 80 %.
	const inner = maskable
		? `<div style="width:100%;height:100%;background:#1d3b6e;display:grid;place-items:center"><div style="width:80%;height:80%">${svg}</div></div>`
		: svg;
	await page.setContent(
		`<html><body style="margin:0;background:transparent"><div style="width:${size}px;height:${size}px">${inner}</div><style>svg{width:100%;height:100%;display:block}</style></body></html>`
	);
	await page.screenshot({ path: file, omitBackground: true });
}

await render(192, 'static/icons/icon-192.png', false);
await render(512, 'static/icons/icon-512.png', false);
await render(512, 'static/icons/maskable-512.png', true);
await browser.close();
