import { json } from '@sveltejs/kit';
import { getStore } from '#lib/server/backend.ts';
import { jobReports } from '#lib/server/jobs/registry.ts';

const COUCH_TIMEOUT_MS = 3000;

/**
 * Liveness for a host's monitor (systemd, a load balancer): 200 while CouchDB
 * answers and every job ran lately, 503 otherwise, saying which part failed.
 * Names nothing of a commune: it answers on any host, for the whole process.
 */
export async function GET() {
	const store = await getStore();
	let couchdb: 'ok' | 'unreachable' = 'ok';
	try {
		const answer = await fetch(`${store.url}/`, {
			signal: AbortSignal.timeout(COUCH_TIMEOUT_MS)
		});
		if (!answer.ok) couchdb = 'unreachable';
	} catch {
		couchdb = 'unreachable';
	}
	const jobs = jobReports();
	const healthy = couchdb === 'ok' && Object.values(jobs).every((job) => job.alive);
	return json(
		{ status: healthy ? 'ok' : 'failing', couchdb, jobs },
		{ status: healthy ? 200 : 503, headers: { 'cache-control': 'no-store' } }
	);
}
