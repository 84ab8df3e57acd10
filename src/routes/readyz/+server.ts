import { json } from '@sveltejs/kit';
import { lifecycle } from '#lib/server/jobs/registry.ts';

/**
 * Readiness: requests are answered only once the server's init has started the
 * store and the jobs, so reaching this means ready, until a SIGTERM has begun
 * the shutdown (then a load balancer sends new requests elsewhere).
 */
export function GET() {
	const ready = !lifecycle.stopping;
	return json(
		{ status: ready ? 'ready' : 'stopping' },
		{ status: ready ? 200 : 503, headers: { 'cache-control': 'no-store' } }
	);
}
