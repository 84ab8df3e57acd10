// Runs in CouchDB 3 and in the embedded stand-in (express-pouchdb); ES5 only.
// <commune>-mairie is readable by its members only (_security); this adds that
// only staff and admins write, and only known document shapes. couch/ddocs.ts
// pastes in lib/checks.js: its helpers, LIMITS, ISO_DATE, FOLDS and the commune's slug.
function (newDoc, oldDoc, userCtx, secObj) {
	/*CHECKS*/
	requireStaff(
		userCtx,
		commune,
		'Connexion de la mairie requise.',
		'Réservé à la mairie de cette commune.'
	);
	if (newDoc._deleted) {
		// The resident register is the server's: staff revoke codes through the app.
		// Residents' submissions are kept: staff decline or merge them instead. Staff
		// only close the losing revision of a conflict, marked as such, when two
		// laptops moderated it apart (the kept revision stays).
		if (oldDoc) requireAdminFor(oldDoc, userCtx);
		if (oldDoc && oldDoc.type === 'submission' && !isAdmin(userCtx) && newDoc.conflict_closed !== true) {
			throw { forbidden: 'Un envoi d’habitant ne se supprime pas : refusez-le ou fusionnez-le.' };
		}
		return;
	}
	if (!contains(LIMITS.mairieTypes, newDoc.type)) refuse('type', 'type inconnu');
	requireAdminFor(newDoc, userCtx);
	if (newDoc.type === 'resident' || newDoc.type === 'kiosk' || newDoc.type === 'reads') return;
	if (newDoc.type === 'submission' || (oldDoc && oldDoc.type === 'submission')) {
		if (oldDoc && !oldDoc._deleted && oldDoc.type !== newDoc.type) refuse('type', 'ne peut pas changer');
		return checkSubmission(newDoc, oldDoc, userCtx);
	}

	// Drafts, scheduled and retracted notices and polls, kept for the record.
	if (!contains(LIMITS.draftStatuses, newDoc.status)) refuse('status', 'statut inconnu');
	if (newDoc.type === 'poll') return checkPoll(newDoc);
	if (newDoc.type === 'event') return checkEvent(newDoc);
	checkNotice(newDoc, userCtx);
}
