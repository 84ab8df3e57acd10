import { randomInt } from 'node:crypto';
import http from 'node:http';
import { CODES_PER_REQUEST } from '../../src/lib/domain/limits.ts';

/** What tests do through the app's own API, as a staff laptop or a phone would. */

/**
 * A device address nobody else in the run uses (files run in parallel), for
 * the limits the app counts per address (ADDRESS_HEADER=x-forwarded-for).
 */
export function freshAddress(): string {
	return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

/** Signs in through /db/_session; returns the session cookie to send back. */
export async function staffCookie(
	baseUrl: string,
	login: { name: string; password: string }
): Promise<string> {
	const response = await fetch(`${baseUrl}/db/_session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(login)
	});
	if (!response.ok) throw new Error(`staff login ${response.status}: ${await response.text()}`);
	return response.headers.getSetCookie()[0].split(';')[0];
}

/** Issues resident codes as staff, in requests of the size the staff page sends; returns them in order. */
export async function issueCodes(
	baseUrl: string,
	cookie: string,
	labels: string[]
): Promise<string[]> {
	return (await issueResidents(baseUrl, cookie, labels)).map((resident) => resident.code);
}

export async function issueResidents(
	baseUrl: string,
	cookie: string,
	labels: string[]
): Promise<{ id: string; label: string; code: string }[]> {
	const issued: { id: string; label: string; code: string }[] = [];
	for (let start = 0; start < labels.length; start += CODES_PER_REQUEST) {
		const response = await fetch(`${baseUrl}/api/mairie/habitants`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', cookie },
			body: JSON.stringify({ labels: labels.slice(start, start + CODES_PER_REQUEST) })
		});
		if (response.status !== 201) throw new Error(`issuing codes: ${response.status}`);
		issued.push(...((await response.json()) as { residents: typeof issued }).residents);
	}
	return issued;
}

/** Casts a ballot on the demo market poll (or another) as the resident of a session; returns the status. */
export async function castBallot(
	baseUrl: string,
	cookie: string,
	choice: string,
	poll = 'poll:demo-marche'
): Promise<number> {
	const response = await fetch(`${baseUrl}/api/ballots`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify({
			outbox_id: `vote-${randomInt(1e9).toString(36)}-${randomInt(1e9).toString(36)}`,
			poll,
			choices: [choice]
		})
	});
	await response.body?.cancel();
	return response.status;
}

/** Opens a resident session with a code, from a given device address; returns its cookie. */
export async function residentCookie(
	baseUrl: string,
	code: string,
	address = '10.0.0.1'
): Promise<string> {
	const response = await fetch(`${baseUrl}/api/habitants/session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
		body: JSON.stringify({ code })
	});
	if (response.status !== 200) throw new Error(`resident session: ${response.status}`);
	return response.headers.getSetCookie()[0].split(';')[0];
}

/** Adds a kiosk as staff and pairs it as the tablet does; returns the kiosk's cookie. */
export async function pairedKioskCookie(baseUrl: string, staff: string): Promise<string> {
	const response = await fetch(`${baseUrl}/api/mairie/bornes`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie: staff },
		body: JSON.stringify({ label: 'Borne du hall' })
	});
	const { kiosk } = (await response.json()) as { kiosk: { pairing: string } };
	const [name, password] = kiosk.pairing.split(':');
	return staffCookie(baseUrl, { name, password });
}

export interface RawResponse {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
}

/**
 * A request sent exactly as written: fetch resolves `..` and `%2e%2e` before
 * sending, a hostile client does not.
 */
export function rawRequest(
	baseUrl: string,
	method: string,
	path: string,
	options: { headers?: Record<string, string>; body?: string } = {}
): Promise<RawResponse> {
	const url = new URL(baseUrl);
	const headers: Record<string, string> = { ...options.headers };
	if (options.body !== undefined)
		headers['content-length'] = String(Buffer.byteLength(options.body));
	return new Promise((resolve, reject) => {
		const request = http.request(
			{ host: url.hostname, port: url.port, method, path, headers },
			(response) => {
				let text = '';
				response.setEncoding('utf8');
				response.on('data', (chunk) => (text += chunk));
				response.on('end', () =>
					resolve({ status: response.statusCode ?? 0, headers: response.headers, text })
				);
			}
		);
		request.on('error', reject);
		request.end(options.body);
	});
}
