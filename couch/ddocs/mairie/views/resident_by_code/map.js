// Runs in CouchDB 3 and in the embedded stand-in; ES5 only. The app server
// finds the resident behind a code by its keyed hash; revoked codes are left out.
function (doc) {
	if (doc.type === 'resident' && doc.status === 'active') {
		emit(doc.code_hash, null);
	}
}
