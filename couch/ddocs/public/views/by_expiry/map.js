// Runs in CouchDB 3 and in the embedded stand-in; ES5 only. Used by the app
// server to render current notices (key after now) and the archive (key before
// now) without reading the whole history. Keys are UTC so that they sort as text.
function (doc) {
	if (doc.type === 'notice') {
		emit(doc.expires_at ? new Date(doc.expires_at).toISOString() : '9999-12-31T23:59:59.999Z', null);
	}
}
