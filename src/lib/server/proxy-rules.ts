/**
 * What the /db/ proxy lets through to CouchDB: the endpoints PouchDB replication
 * and _session need, on the commune's own databases, and nothing else. Pure, so
 * that the allow-list is tested without a server. CouchDB's own _security and
 * validate_doc_update still decide who may read or write what passes here.
 */

export type ProxyDecision =
	| {
			allow: true;
			path: string;
			search: string;
			/** A body limit below the proxy's general one. */
			maxBodyBytes?: number;
			/**
			 * What the proxy checks before forwarding: a login (rate-limited), a
			 * `_local` write (staff only), a `_bulk_docs` (no `_local` documents, and
			 * attachments that are what they say), a document or an attachment
			 * written alone (its files' bytes).
			 */
			check?: 'login' | 'staff' | 'no_local_docs' | 'document' | 'attachment';
	  }
	| { allow: false; status: 400 | 403 | 404 | 405; error: string; reason: string };

/** A name and a password. */
export const SESSION_BODY_MAX = 4 * 1024;
/** PouchDB's checkpoints hold a few sequence numbers: a few hundred bytes. */
export const LOCAL_DOC_MAX = 64 * 1024;

export interface ProxyRuleOptions {
	/** Databases clients may reach, e.g. demo-public and demo-mairie. */
	databases: ReadonlySet<string>;
	/**
	 * The embedded stand-in crashes on `_bulk_get?latest=true` naming an unknown
	 * revision; for it the parameter is dropped (couch/README.md).
	 */
	embedded: boolean;
}

const READ = new Set(['GET', 'HEAD']);
const DOC_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

function deny(
	status: 400 | 403 | 404 | 405,
	reason: string,
	error = status === 400 ? 'bad_request' : status === 405 ? 'method_not_allowed' : 'forbidden'
): ProxyDecision {
	return { allow: false, status, error, reason };
}

/** Decodes one path segment, or null when it hides a separator or a control character. */
function decodeSegment(segment: string): string | null {
	let decoded: string;
	try {
		decoded = decodeURIComponent(segment);
	} catch {
		return null;
	}
	// Control characters and backslashes have no place in a database or document path.
	// eslint-disable-next-line no-control-regex
	if (/[\u0000-\u001f\\]/.test(decoded)) return null;
	return decoded;
}

/**
 * @param method HTTP method
 * @param rawPath the path after `/db`, still percent-encoded, e.g. `/demo-public/_changes`
 * @param search the query string with its `?`, or ''
 */
export function decideProxy(
	method: string,
	rawPath: string,
	search: string,
	options: ProxyRuleOptions
): ProxyDecision {
	if (!rawPath.startsWith('/')) return deny(400, 'Chemin invalide.');
	if (rawPath === '/') return deny(403, "La racine du serveur n'est pas accessible.");
	const raw = rawPath.slice(1).split('/');
	if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
	const segments: string[] = [];
	for (const segment of raw) {
		const decoded = decodeSegment(segment);
		if (decoded === null || decoded === '' || decoded === '.' || decoded === '..') {
			return deny(400, 'Chemin invalide.');
		}
		segments.push(decoded);
	}
	if (segments.length === 0) return deny(403, "La racine du serveur n'est pas accessible.");

	const params = new URLSearchParams(search);
	// The embedded store (express) reads `filter[]=…` and a repeated name as arrays while
	// the checks below see one string: `filter=_doc_ids&filter=_selector` would kill it.
	const names = [...params.keys()];
	if (new Set(names).size !== names.length || names.some((name) => /[[\]]/.test(name))) {
		return deny(400, 'Paramètres invalides.');
	}
	const [first, ...rest] = segments;

	if (first === '_session') {
		if (rest.length > 0 || !['GET', 'POST', 'DELETE'].includes(method)) {
			return deny(405, 'Méthode non permise sur _session.');
		}
		if (method === 'POST') {
			return {
				allow: true,
				path: '/_session',
				search: '',
				maxBodyBytes: SESSION_BODY_MAX,
				check: 'login'
			};
		}
		return { allow: true, path: '/_session', search: '' };
	}
	// The database name itself must arrive unencoded: %2F or %5F tricks are refused.
	if (raw[0] !== first || !options.databases.has(first)) {
		return deny(403, "Cette base n'est pas accessible.");
	}

	const db = `/${encodeURIComponent(first)}`;
	const pass = (
		sub: string,
		query: URLSearchParams = params,
		extra: Pick<ProxyDecision & { allow: true }, 'maxBodyBytes' | 'check'> = {}
	): ProxyDecision => {
		const q = query.toString();
		return { allow: true, path: db + sub, search: q ? `?${q}` : '', ...extra };
	};

	if (rest.length === 0) {
		if (READ.has(method)) return pass('');
		return deny(405, 'Créer, modifier ou supprimer une base est réservé à l’administrateur.');
	}

	const [head, ...tail] = rest;
	switch (head) {
		case '_changes': {
			if (tail.length > 0 || !['GET', 'POST'].includes(method)) {
				return deny(405, 'Méthode non permise.');
			}
			const feed = params.get('feed');
			if (feed !== null && feed !== 'normal') {
				return deny(403, 'Seul le flux de modifications ponctuel est permis.');
			}
			const filter = params.get('filter');
			if (filter !== null && filter !== '_doc_ids') {
				return deny(403, 'Ce filtre n’est pas permis.');
			}
			if (params.has('view')) return deny(403, 'Ce filtre n’est pas permis.');
			return pass('/_changes');
		}
		case '_bulk_get': {
			if (tail.length > 0 || method !== 'POST') return deny(405, 'Méthode non permise.');
			if (options.embedded && params.has('latest')) {
				const query = new URLSearchParams(params);
				query.delete('latest');
				return pass('/_bulk_get', query);
			}
			return pass('/_bulk_get');
		}
		case '_revs_diff':
			if (tail.length > 0 || method !== 'POST') return deny(405, 'Méthode non permise.');
			return pass('/_revs_diff');
		case '_bulk_docs':
			if (tail.length > 0 || method !== 'POST') return deny(405, 'Méthode non permise.');
			// CouchDB stores `_local/…` ids of a _bulk_docs as local documents, which no
			// validate_doc_update sees: replication never sends them that way.
			return pass('/_bulk_docs', params, { check: 'no_local_docs' });
		case '_all_docs':
			if (tail.length > 0 || !['GET', 'POST'].includes(method)) {
				return deny(405, 'Méthode non permise.');
			}
			return pass('/_all_docs');
		case '_local': {
			// Replication checkpoints. CouchDB lets anyone write them (no validate_doc_update
			// runs on them); only staff laptops replicate through here, villagers and kiosks
			// pull through /api/sync.
			if (tail.length !== 1 || !DOC_METHODS.has(method)) return deny(405, 'Méthode non permise.');
			const path = `/_local/${encodeURIComponent(tail[0])}`;
			if (READ.has(method)) return pass(path);
			return pass(path, params, { maxBodyBytes: LOCAL_DOC_MAX, check: 'staff' });
		}
	}
	if (head.startsWith('_')) {
		return deny(403, 'Cette opération n’est pas permise.');
	}
	if (!DOC_METHODS.has(method)) return deny(405, 'Méthode non permise.');
	const attachment = tail.map(encodeURIComponent).join('/');
	const path = `/${encodeURIComponent(head)}${attachment ? `/${attachment}` : ''}`;
	if (method !== 'PUT') return pass(path);
	return pass(path, params, { check: attachment ? 'attachment' : 'document' });
}
