/** Whether the server sends e-mail; null when it could not be asked (offline). */
export async function emailEnabled(): Promise<boolean | null> {
	try {
		const response = await fetch('/api/email');
		if (!response.ok) return null;
		return ((await response.json()) as { enabled: boolean }).enabled;
	} catch {
		return null;
	}
}

/**
 * Posts an e-mail request (subscribe, confirm, unsubscribe, the counter's
 * registration); the server's French reason when it refuses, `fallback`
 * when it gave none, `offline` when it could not be reached.
 */
export async function postEmailRequest(
	path: string,
	body: unknown,
	messages: { offline: string; failed: string }
): Promise<{ ok: true; body: Record<string, unknown> } | { ok: false; reason: string }> {
	if (!navigator.onLine) return { ok: false, reason: messages.offline };
	let response: Response;
	try {
		response = await fetch(path, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body)
		});
	} catch {
		return { ok: false, reason: messages.offline };
	}
	const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
	if (response.ok) return { ok: true, body: answer };
	return {
		ok: false,
		reason: typeof answer.reason === 'string' ? answer.reason : messages.failed
	};
}
