import { describe, expect, it } from 'vitest';
import { decideProxy, LOCAL_DOC_MAX, SESSION_BODY_MAX } from './proxy-rules.ts';

const options = { databases: new Set(['demo-public', 'demo-mairie']), embedded: false };
const decide = (method: string, path: string, search = '') =>
	decideProxy(method, path, search, options);

describe('/db/ proxy allow-list', () => {
	it.each([
		['GET', '/_session'],
		['POST', '/_session'],
		['DELETE', '/_session'],
		['GET', '/demo-public'],
		['GET', '/demo-public/'],
		['GET', '/demo-public/_changes', '?style=all_docs&since=0&limit=100'],
		['POST', '/demo-public/_changes', '?filter=_doc_ids'],
		['POST', '/demo-public/_bulk_get', '?revs=true&latest=true'],
		['POST', '/demo-mairie/_revs_diff'],
		['POST', '/demo-mairie/_bulk_docs'],
		['GET', '/demo-public/_all_docs', '?include_docs=true'],
		['GET', '/demo-public/_local/abc'],
		['PUT', '/demo-public/_local/abc'],
		['GET', '/demo-public/notice%3Aabc'],
		['PUT', '/demo-mairie/notice%3Aabc'],
		['DELETE', '/demo-mairie/notice%3Aabc'],
		['GET', '/demo-public/notice%3Aabc/arrete%20n1.pdf']
	])('lets %s %s%s through', (method, path, search = '') => {
		expect(decide(method, path, search).allow).toBe(true);
	});

	it.each([
		['GET', '/', 403],
		['GET', '/_all_dbs', 403],
		['GET', '/_users', 403],
		['GET', '/_users/org.couchdb.user%3Aadmin', 403],
		['PUT', '/_config/admins/evil', 403],
		['GET', '/_node/_local/_config', 403],
		['POST', '/_replicate', 403],
		['GET', '/_active_tasks', 403],
		['GET', '/_utils', 403],
		['GET', '/demo-ballots', 403],
		['GET', '/demo-ballots/_all_docs', 403],
		['GET', '/other-public', 403],
		['PUT', '/demo-public', 405],
		['DELETE', '/demo-public', 405],
		['POST', '/demo-public', 405],
		['PUT', '/newdb', 403],
		['GET', '/demo-public/_security', 403],
		['PUT', '/demo-public/_security', 403],
		['GET', '/demo-public/_design/crieur', 403],
		['PUT', '/demo-public/_design%2Fcrieur', 403],
		['POST', '/demo-public/_find', 403],
		['POST', '/demo-public/_compact', 403],
		['POST', '/demo-public/_purge', 403],
		['GET', '/demo-public/_design/crieur/_view/by_expiry', 403],
		['POST', '/demo-public/_bulk_get/extra', 405],
		['PATCH', '/demo-public/notice%3Aabc', 405],
		['GET', '/demo-public/../_users', 400],
		['GET', '/demo-public/%2E%2E/_config', 400],
		['GET', '/demo%2Dpublic', 403],
		['GET', '/demo-public%2F_all_docs', 403],
		['GET', '/%5Fusers', 403],
		['GET', '//demo-public', 400],
		['GET', '/demo-public//_changes', 400],
		['GET', '/demo-public/%00', 400],
		['GET', '/demo-public/a%5Cb', 400],
		['GET', '/demo-public/%E0%A4%A', 400]
	])('refuses %s %s with %i', (method, path, status) => {
		const decision = decide(method, path);
		expect(decision.allow).toBe(false);
		if (!decision.allow) {
			expect(decision.status).toBe(status);
			expect(decision.reason.length).toBeGreaterThan(0);
		}
	});

	it.each([
		['?feed=continuous'],
		['?feed=longpoll'],
		['?feed=eventsource'],
		['?filter=_selector'],
		['?filter=crieur/everything'],
		['?filter=_view&view=crieur/by_expiry'],
		['?filter=_doc_ids&filter=_selector'],
		['?feed=normal&feed=longpoll'],
		['?filter%5B%5D=_selector'],
		['?filter%5Bx%5D=_selector']
	])('refuses _changes%s, which kill or hang the stand-in', (search) => {
		expect(decide('GET', '/demo-public/_changes', search).allow).toBe(false);
	});

	it('drops latest=true on _bulk_get for the embedded stand-in only', () => {
		const embedded = decideProxy('POST', '/demo-public/_bulk_get', '?revs=true&latest=true', {
			...options,
			embedded: true
		});
		expect(embedded).toEqual({ allow: true, path: '/demo-public/_bulk_get', search: '?revs=true' });
		expect(decide('POST', '/demo-public/_bulk_get', '?revs=true&latest=true')).toMatchObject({
			search: '?revs=true&latest=true'
		});
	});

	it('never forwards a query string to _session', () => {
		expect(decide('POST', '/_session', '?next=https://evil.example')).toMatchObject({
			allow: true,
			path: '/_session',
			search: ''
		});
	});

	it('counts logins, and keeps their bodies to a name and a password', () => {
		expect(decide('POST', '/_session')).toMatchObject({
			check: 'login',
			maxBodyBytes: SESSION_BODY_MAX
		});
		expect(decide('GET', '/_session')).not.toHaveProperty('check');
	});

	it.each(['PUT', 'DELETE'])('leaves %s of a checkpoint to staff, in 64 kB', (method) => {
		expect(decide(method, '/demo-public/_local/abc')).toMatchObject({
			allow: true,
			path: '/demo-public/_local/abc',
			check: 'staff',
			maxBodyBytes: LOCAL_DOC_MAX
		});
	});

	it('lets anyone read a checkpoint', () => {
		expect(decide('GET', '/demo-public/_local/abc')).not.toHaveProperty('check');
	});

	it('looks for _local documents in every _bulk_docs', () => {
		expect(decide('POST', '/demo-mairie/_bulk_docs')).toMatchObject({ check: 'no_local_docs' });
	});
});
