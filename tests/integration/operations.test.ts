import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshAddress, issueCodes, residentCookie, staffCookie } from '../harness/api.ts';
import { startOwnApp, type OwnApp } from '../harness/own-app.ts';
import { sharedApp } from '../harness/shared-app.ts';

/**
 * Issue 15 §4, what a host watches: /healthz and /readyz, one JSON log line per
 * request with nothing secret in it, and a SIGTERM that lets requests in flight
 * finish before the process ends.
 */
const app = sharedApp();

interface LogLine {
	time: string;
	level: string;
	event: string;
	[field: string]: unknown;
}

function logLines(output: string): LogLine[] {
	return output
		.split('\n')
		.filter((line) => line.startsWith('{'))
		.map((line) => JSON.parse(line) as LogLine);
}

describe('what a host watches', () => {
	it('says the app is healthy and ready, with each job', async () => {
		const health = await fetch(`${app.url}/healthz`);
		expect(health.status).toBe(200);
		const body = (await health.json()) as {
			status: string;
			couchdb: string;
			jobs: Record<string, { alive: boolean; last_ok_at: string | null }>;
		};
		expect(body.status).toBe('ok');
		expect(body.couchdb).toBe('ok');
		expect(Object.keys(body.jobs).sort()).toEqual(['alerts', 'publisher', 'tally']);
		for (const job of Object.values(body.jobs)) expect(job.alive).toBe(true);
		const ready = await fetch(`${app.url}/readyz`);
		expect(ready.status).toBe(200);
		expect(await ready.json()).toEqual({ status: 'ready' });
	});

	it('logs each request as one JSON line, without passwords, codes or cookies', async () => {
		const staff = await staffCookie(app.url, app.staff);
		const [code] = await issueCodes(app.url, staff, ['']);
		const resident = await residentCookie(app.url, code, freshAddress());
		const tag = `journal-${Date.now()}`;
		await fetch(`${app.url}/sondages?code=${code}&t=${tag}`, { headers: { cookie: resident } });
		await fetch(`${app.url}/db/_users/org.couchdb.user:${app.staff.name}`, {
			headers: { cookie: staff }
		});

		// Lines reach the log file as the app writes them.
		let lines: LogLine[] = [];
		await expect
			.poll(() => {
				lines = logLines(app.output());
				// The last request made above: its line comes after the others'.
				return lines.some((line) => line.method === 'GET' && line.path === '/db/_users');
			})
			.toBe(true);
		for (const line of lines) {
			expect(Date.parse(line.time)).not.toBeNaN();
			expect(['info', 'warn', 'error']).toContain(line.level);
		}
		const requests = lines.filter((line) => line.event === 'request');
		expect(requests).toContainEqual(
			expect.objectContaining({ method: 'GET', path: '/sondages', status: 200 })
		);
		expect(requests).toContainEqual(
			expect.objectContaining({ method: 'POST', path: '/db/_session', status: 200 })
		);
		expect(requests).toContainEqual(
			expect.objectContaining({ method: 'POST', path: '/api/habitants/session', status: 200 })
		);
		expect(requests).toContainEqual(
			expect.objectContaining({ method: 'GET', path: '/db/_users', ms: expect.any(Number) })
		);

		const output = app.output();
		for (const secret of [
			app.staff.password,
			code,
			tag,
			staff.split('=')[1],
			resident.split('=')[1],
			`org.couchdb.user:${app.staff.name}`
		]) {
			expect(output).not.toContain(secret);
		}
	});
});

describe('stopping', () => {
	// Its own app and store: the store is stopped under it, then the app.
	let own: OwnApp;

	beforeAll(async () => {
		own = await startOwnApp();
	});
	afterAll(() => own?.stop());

	it('fails its health check when CouchDB is gone, and finishes a request in flight on SIGTERM', async () => {
		expect((await fetch(`${own.url}/healthz`)).status).toBe(200);
		await own.store.stop();
		const failing = await fetch(`${own.url}/healthz`);
		expect(failing.status).toBe(503);
		expect(await failing.json()).toMatchObject({ status: 'failing', couchdb: 'unreachable' });

		// A phone sending a report when the host restarts the app: the app has its
		// request (it said 100 Continue), the body follows once SIGTERM was heard.
		const url = new URL(own.url);
		const body = JSON.stringify({ outbox_id: 'o-arret-000001', kind: 'idea', title: 'x' });
		const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
			const request = http.request(
				{
					host: url.hostname,
					port: url.port,
					method: 'POST',
					path: '/api/submissions',
					headers: {
						'content-type': 'application/json',
						'content-length': body.length,
						expect: '100-continue'
					}
				},
				(response) => {
					let text = '';
					response.on('data', (chunk) => (text += chunk));
					response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
				}
			);
			request.on('error', reject);
			request.on('continue', () => {
				process.kill(own.app.pid, 'SIGTERM');
				untilNewConnectionsRefused(own.url).then(() => request.end(body), reject);
			});
			request.flushHeaders();
		});
		const exited = new Promise<void>((resolve) => {
			const poll = setInterval(() => {
				try {
					process.kill(own.app.pid, 0);
				} catch {
					clearInterval(poll);
					resolve();
				}
			}, 50);
		});

		const { status, text } = await answered;
		// Answered in full, as it would have been without the SIGTERM: no session, so 401.
		expect(status).toBe(401);
		expect(JSON.parse(text)).toMatchObject({ error: expect.any(String) });
		await exited;
		const shutdown = logLines(own.app.output()).find((line) => line.event === 'shutdown');
		expect(shutdown).toMatchObject({ reason: 'SIGTERM' });
	});
});

/** Resolves once a new connection to the app is refused: it heard SIGTERM. */
async function untilNewConnectionsRefused(baseUrl: string): Promise<void> {
	for (let i = 0; i < 200; i++) {
		try {
			await fetch(`${baseUrl}/readyz`, { headers: { connection: 'close' } });
		} catch {
			return;
		}
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	throw new Error('the app kept taking new connections after SIGTERM');
}
