import { json } from '@sveltejs/kit';
import { m } from '#lib/i18n/index.ts';
import { jsonError } from '#lib/server/http.ts';
import {
	isActiveCode,
	kioskCodeQueue,
	kioskOfRequest,
	kioskThrottled,
	kioskWrongCodes,
	wrongKioskCode
} from '#lib/server/kiosks.ts';
import type { RequestHandler } from './$types';

/**
 * A code typed at a kiosk, checked as soon as it is complete, so that a typo
 * is caught before the resident chooses. The answer is valid or not, nothing
 * else: it casts nothing, marks no first use and says nothing of the
 * resident's ballots. Wrong codes count against the kiosk as wrong ballots do.
 */
export const POST: RequestHandler = async ({ request, locals }) => {
	const backend = locals.backend;
	const kiosk = await kioskOfRequest(backend, request);
	if (!kiosk) return jsonError(401, 'not_kiosk', m.residents_kiosk_only());
	const body = (await request.json().catch(() => null)) as { code?: unknown } | null;
	const code = typeof body?.code === 'string' && body.code.length <= 64 ? body.code : null;
	return kioskCodeQueue.run(kiosk, async () => {
		const limit = kioskWrongCodes.check(kiosk);
		if (!limit.allowed) return kioskThrottled(limit.retryAfterSeconds);
		const valid = code === null ? 'format' : await isActiveCode(backend, code);
		if (valid === true) return json({ valid: true }, { headers: { 'cache-control': 'no-store' } });
		return wrongKioskCode(kiosk, valid === 'format' ? 'invalid_format' : 'unknown_code');
	});
};
