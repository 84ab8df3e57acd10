// Runs in CouchDB 3 and in the embedded stand-in (express-pouchdb); ES5 only.
// <commune>-mairie is readable by its members only (_security); this adds that
// only staff and admins write, and only known document shapes. couch/ddocs.ts
// injects LIMITS, ISO_DATE, the helpers of lib/checks.js and the commune's slug.
function (newDoc, oldDoc, userCtx, secObj) {
	var LIMITS = /*LIMITS*/ null;
	var ISO_DATE = new RegExp(/*ISO_DATE*/ '');
	var commune = /*COMMUNE*/ '';
	/*CHECKS*/
	requireStaff(
		userCtx,
		commune,
		'Connexion de la mairie requise.',
		'Réservé à la mairie de cette commune.'
	);
	if (newDoc._deleted) return;
	if (!contains(LIMITS.mairieTypes, newDoc.type)) refuse('type', 'type inconnu');

	// type === 'notice': a draft, a scheduled notice, or a retracted one kept for the record
	if (!contains(LIMITS.draftStatuses, newDoc.status)) refuse('status', 'statut inconnu');
	checkNotice(newDoc);
}
