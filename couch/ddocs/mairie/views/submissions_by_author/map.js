// Runs in CouchDB 3 and in the embedded stand-in; ES5 only. The app server
// lists a resident's own submissions, to show them their status and answer.
function (doc) {
	if (doc.type === 'submission') {
		emit(doc.author, null);
	}
}
