// Runs in CouchDB 3 and in the embedded stand-in; ES5 only. The publisher job
// asks for scheduled notices whose publication time (UTC key) has come.
function (doc) {
	if (doc.type === 'notice' && doc.status === 'scheduled') {
		emit(new Date(doc.published_at).toISOString(), null);
	}
}
