// Runs in CouchDB 3 and in the embedded stand-in (express-pouchdb); ES5 only.
// Guards <commune>-public even when the app server is bypassed: only the
// commune's staff (role mairie:<commune>) and server admins write, and only
// documents of a known type and shape get in, and a poll that has opened keeps
// what its ballots answered. couch/ddocs.ts pastes in lib/checks.js: its
// helpers, LIMITS and ISO_DATE from src/lib/domain/limits.ts, FOLDS from
// poll-rules.ts and the commune's slug (userCtx.db is missing in the stand-in).
function (newDoc, oldDoc, userCtx, secObj) {
	/*CHECKS*/
	requireStaff(
		userCtx,
		commune,
		'Seule la mairie publie : connectez-vous avec un compte de la mairie.',
		'Seule la mairie de cette commune peut publier ici.'
	);
	if (newDoc._deleted) {
		// Tallies and support counts are the server's: staff may not delete them either.
		if (oldDoc) requireAdminFor(oldDoc, userCtx);
		return;
	}
	if (!contains(LIMITS.publicTypes, newDoc.type)) refuse('type', 'type inconnu');
	requireAdminFor(newDoc, userCtx);
	if (oldDoc && !oldDoc._deleted && oldDoc.type !== newDoc.type) refuse('type', 'ne peut pas changer');

	if (newDoc.type === 'commune') {
		if (newDoc._id !== 'commune') refuse('_id', 'doit être « commune »');
		if (newDoc.slug !== commune) refuse('slug', 'ne correspond pas à la base');
		requireText(newDoc, 'name', LIMITS.communeNameMax, false);
		requireText(newDoc, 'timezone', 64, false);
		if (newDoc.centre !== undefined) {
			var centre = newDoc.centre;
			if (
				!centre ||
				typeof centre.lat !== 'number' ||
				typeof centre.lng !== 'number' ||
				!(Math.abs(centre.lat) <= 90) ||
				!(Math.abs(centre.lng) <= 180)
			) {
				refuse('centre', 'latitude et longitude en degrés');
			}
		}
		if (newDoc.zones !== undefined) checkZones(newDoc.zones);
		return;
	}
	if (newDoc.type === 'poll') {
		checkPoll(newDoc);
		return checkPollChange(newDoc, oldDoc);
	}
	if (newDoc.type === 'event') return checkEvent(newDoc);
	if (newDoc.type === 'tally' || newDoc.type === 'supports') return;
	if (newDoc.type === 'answer') return checkAnswer(newDoc);
	checkNotice(newDoc, userCtx);
}
