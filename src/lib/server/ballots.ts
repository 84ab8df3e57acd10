import { createHmac } from 'node:crypto';
import * as v from 'valibot';
import {
	decideBallot,
	wordingOf,
	type BallotRefusal,
	type Poll,
	type StoredBallot
} from '../domain/poll.ts';
import type { Backend } from './backend.ts';
import { statusOf } from './couch-errors.ts';
import { slugOf } from '../domain/slug.ts';

/** A ballot in <commune>-ballots: no resident, no device, only a keyed pseudonym in the id. */
export interface BallotDoc extends StoredBallot {
	_id: string;
	_rev?: string;
	type: 'ballot';
	poll: string;
	cast_at: string;
}

export const BallotRequestSchema = v.object({
	outbox_id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,64}$/)),
	poll: v.pipe(v.string(), v.regex(/^poll:[A-Za-z0-9_.:-]{1,120}$/)),
	choices: v.pipe(v.array(v.pipe(v.string(), v.maxLength(24))), v.maxLength(20))
});

export type BallotRequest = v.InferOutput<typeof BallotRequestSchema>;

export type BallotOutcome =
	| { status: 'accepted'; replaced: boolean; duplicate: boolean }
	| { status: 'refused'; reason: BallotRefusal | 'unknown_poll' };

/**
 * `ballot:<poll>:<HMAC(secret, poll + resident)>`: CouchDB itself keeps one
 * ballot per resident and poll, the ballots database holds no resident id, and
 * putting the poll into the MAC keeps one resident's ballots in different polls
 * from being linked to each other.
 */
export function ballotId(secret: string, pollId: string, residentId: string): string {
	const pseudonym = createHmac('sha256', secret)
		.update(`ballot:${pollId}:${residentId}`)
		.digest('base64url');
	return `ballot:${slugOf(pollId)}:${pseudonym}`;
}

export async function castBallot(
	backend: Backend,
	residentId: string,
	request: BallotRequest,
	now = new Date()
): Promise<BallotOutcome> {
	let poll: Poll;
	try {
		poll = (await backend.couch.use(backend.databases.public).get(request.poll)) as unknown as Poll;
	} catch (error) {
		if (statusOf(error) === 404) return { status: 'refused', reason: 'unknown_poll' };
		throw error;
	}
	if (poll.type !== 'poll') return { status: 'refused', reason: 'unknown_poll' };

	const ballots = backend.couch.use<BallotDoc>(backend.databases.ballots);
	const id = ballotId(backend.secrets.ballotSecret, poll._id, residentId);
	// Two devices of one resident may race: CouchDB's 409 settles it, and the loser decides again.
	for (let attempt = 0; attempt < 6; attempt++) {
		// Most ballots are a resident's first on the poll: the first try writes it
		// without reading, and CouchDB's 409 says when one was there.
		const assumeFirst = attempt === 0;
		let existing: BallotDoc | null = null;
		if (!assumeFirst) {
			try {
				existing = await ballots.get(id);
			} catch (error) {
				if (statusOf(error) !== 404) throw error;
			}
		}
		const incoming = { outbox_id: request.outbox_id, choices: request.choices };
		const decision = decideBallot(poll, existing, incoming, now);
		// Anything but a first ballot (a retry, a closed poll) is decided knowing what is stored.
		if (assumeFirst && decision.action !== 'store') continue;
		if (decision.action === 'refuse') return { status: 'refused', reason: decision.reason };
		if (decision.action === 'already_accepted') {
			return { status: 'accepted', replaced: false, duplicate: true };
		}
		try {
			await ballots.insert({
				_id: id,
				_rev: existing?._rev,
				type: 'ballot',
				poll: poll._id,
				...incoming,
				wording: wordingOf(poll),
				cast_at: now.toISOString()
			});
			return { status: 'accepted', replaced: decision.action === 'replace', duplicate: false };
		} catch (error) {
			if (statusOf(error) !== 409) throw error;
		}
	}
	throw new Error('ballot: too many concurrent writes');
}
