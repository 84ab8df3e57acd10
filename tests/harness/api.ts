/** What tests do through the app's own API, as a staff laptop or a phone would. */

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
	return response.headers.getSetCookie()[0].split(';')[0];
}

/** Issues resident codes as staff; returns them in order. */
export async function issueCodes(
	baseUrl: string,
	cookie: string,
	labels: string[]
): Promise<string[]> {
	const response = await fetch(`${baseUrl}/api/mairie/habitants`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify({ labels })
	});
	const { residents } = (await response.json()) as { residents: { code: string }[] };
	return residents.map((resident) => resident.code);
}
