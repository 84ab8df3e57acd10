import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { answerFrom } from '../src/lib/domain/answer.ts';
import { submissionFactory as submission } from '../tests/factories.ts';
import { validateSource } from './ddocs.ts';

describe('validate_doc_update for submissions and answers', () => {
	type Validate = (newDoc: unknown, oldDoc: unknown, userCtx: unknown, secObj: unknown) => void;
	const mairie = vm.runInNewContext(`(${validateSource('mairie', 'demo')})`) as Validate;
	const publicDb = vm.runInNewContext(`(${validateSource('public', 'demo')})`) as Validate;
	const staff = { name: 'secretariat', roles: ['mairie:demo'] };
	const admin = { name: 'admin', roles: ['_admin'] };
	const verdict = (validate: Validate, doc: unknown, old: unknown, user: unknown) => {
		try {
			validate(doc, old, user, {});
			return 'ok';
		} catch (error) {
			return Object.keys(error as object)[0];
		}
	};

	it('lets only the server create one, and staff moderate it without rewriting it', () => {
		const stored = submission();
		expect(verdict(mairie, stored, null, admin)).toBe('ok');
		expect(verdict(mairie, stored, null, staff)).toBe('forbidden');
		const moderated = { ...stored, status: 'in_progress', seen: true, answer: 'On s’en occupe.' };
		expect(verdict(mairie, moderated, stored, staff)).toBe('ok');
		// Who moderated is the staff's to record, and only as a name.
		expect(verdict(mairie, { ...moderated, updated_by: 'secretariat' }, stored, staff)).toBe('ok');
		expect(verdict(mairie, { ...moderated, updated_by: 42 }, stored, staff)).toBe('forbidden');
		expect(verdict(mairie, { ...moderated, body: 'changé' }, stored, staff)).toBe('forbidden');
		expect(verdict(mairie, { ...moderated, author: 'resident:x' }, stored, staff)).toBe(
			'forbidden'
		);
		expect(
			verdict(
				mairie,
				{ ...moderated, _attachments: { 'x.jpg': { digest: 'md5-x' } } },
				stored,
				staff
			)
		).toBe('forbidden');
		expect(verdict(mairie, { ...moderated, status: 'declined' }, stored, staff)).toBe('forbidden');
		expect(verdict(mairie, { ...moderated, status: 'merged' }, stored, staff)).toBe('forbidden');
		expect(verdict(mairie, { _id: stored._id, _deleted: true }, stored, staff)).toBe('forbidden');
		// Two laptops moderated it apart: staff close the version they did not keep.
		expect(
			verdict(mairie, { _id: stored._id, _deleted: true, conflict_closed: true }, stored, staff)
		).toBe('ok');
		expect(verdict(mairie, stored, null, { name: 'h', roles: ['habitant:demo'] })).toBe(
			'forbidden'
		);
	});

	it('takes answers from staff only without an author and in a public status', () => {
		const answer = answerFrom(submission({ status: 'resolved' }), new Date());
		expect(verdict(publicDb, answer, null, staff)).toBe('ok');
		expect(verdict(publicDb, { ...answer, author: 'resident:r1' }, null, staff)).toBe('forbidden');
		expect(verdict(publicDb, { ...answer, status: 'received' }, null, staff)).toBe('forbidden');
		expect(verdict(publicDb, answer, null, {})).toBe('unauthorized');
		expect(verdict(publicDb, { ...answer, title: '' }, null, staff)).toBe('forbidden');
	});
});
