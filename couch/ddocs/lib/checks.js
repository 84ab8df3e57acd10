// Shared by the validate_doc_update functions; couch/ddocs.ts pastes it in
// place of the /*CHECKS*/ marker, then the values below. ES5 only: it runs in
// CouchDB's JS engine.
var LIMITS = /*LIMITS*/ null;
var ISO_DATE = new RegExp(/*ISO_DATE*/ '');
var FOLDS = /*FOLDS*/ null;
var FIELD_LABELS = /*FIELD_LABELS*/ null;
var commune = /*COMMUNE*/ '';
function refuse(field, reason) {
	var label = FIELD_LABELS && Object.prototype.hasOwnProperty.call(FIELD_LABELS, field) ? FIELD_LABELS[field] : field;
	throw { forbidden: 'Document refusé (' + label + ' : ' + reason + ').' };
}
function contains(list, value) {
	for (var i = 0; i < list.length; i++) if (list[i] === value) return true;
	return false;
}
function requireText(doc, field, max, allowEmpty) {
	var value = doc[field];
	if (typeof value !== 'string') refuse(field, 'texte attendu');
	if (!allowEmpty && value.replace(/^\s+|\s+$/g, '') === '') refuse(field, 'obligatoire');
	if (value.length > max) refuse(field, 'trop long, ' + max + ' caractères au plus');
}
// Who saved a revision (staff name): absent on older documents.
function optionalText(doc, field, max) {
	if (doc[field] !== undefined) requireText(doc, field, max, true);
}
function requireDate(doc, field, nullable) {
	var value = doc[field];
	if (nullable && value === null) return;
	if (typeof value !== 'string' || !ISO_DATE.test(value) || isNaN(Date.parse(value))) {
		refuse(field, 'date ISO 8601 avec fuseau attendue');
	}
}
function requireStaff(userCtx, commune, anonymousMessage, otherMessage) {
	var roles = userCtx.roles || [];
	if (roles.indexOf('_admin') !== -1 || roles.indexOf('mairie:' + commune) !== -1) return;
	if (!userCtx.name) throw { unauthorized: anonymousMessage };
	throw { forbidden: otherMessage };
}
function checkAttachments(doc) {
	var files = doc._attachments;
	if (files === undefined) return;
	if (typeof files !== 'object' || files === null) refuse('_attachments', 'objet attendu');
	var count = 0;
	var total = 0;
	for (var name in files) {
		if (!files.hasOwnProperty(name)) continue;
		count++;
		if (name.length > LIMITS.attachmentNameMax) refuse('_attachments', 'nom trop long');
		if (!contains(LIMITS.attachmentTypes, files[name].content_type)) {
			refuse('_attachments', 'type de fichier non accepté (' + files[name].content_type + ')');
		}
		if (files[name].length > LIMITS.attachmentBytesMax) refuse('_attachments', 'fichier trop lourd');
		total += files[name].length || 0;
	}
	if (count > LIMITS.attachmentsMax) refuse('_attachments', 'trop de pièces jointes');
	if (total > LIMITS.attachmentsBytesMax) refuse('_attachments', 'pièces jointes trop lourdes ensemble');
}
function reservedId(id) {
	return contains(LIMITS.reservedSlugs, String(id).slice(String(id).indexOf(':') + 1));
}
// Every picture carries its short description (alternative text); documents do not need one.
// The server's own writes (a scheduled notice published by its job) are not held
// back by a notice saved before descriptions existed.
function checkPictureTexts(doc, userCtx) {
	var texts = doc.files_alt;
	if (texts !== undefined) {
		if (typeof texts !== 'object' || texts === null || Object.prototype.toString.call(texts) === '[object Array]') {
			refuse('files_alt', 'objet attendu');
		}
		for (var key in texts) if (texts.hasOwnProperty(key)) requireText(texts, key, LIMITS.fileAltMax, false);
	}
	if (isAdmin(userCtx)) return;
	var files = doc._attachments || {};
	for (var name in files) {
		if (!files.hasOwnProperty(name) || String(files[name].content_type).indexOf('image/') !== 0) continue;
		if (!texts || typeof texts[name] !== 'string' || texts[name].replace(/^\s+|\s+$/g, '') === '') {
			refuse('files_alt', 'décrivez l’image « ' + name + ' »');
		}
	}
}
function checkNotice(doc, userCtx) {
	if (String(doc._id).indexOf('notice:') !== 0) refuse('_id', 'doit commencer par « notice: »');
	if (reservedId(doc._id)) refuse('_id', 'adresse réservée');
	requireText(doc, 'title', LIMITS.titleMax, false);
	requireText(doc, 'body', LIMITS.bodyMax, true);
	requireText(doc, 'author', LIMITS.authorMax, true);
	optionalText(doc, 'updated_by', LIMITS.authorMax);
	if (!contains(LIMITS.categories, doc.category)) refuse('category', 'catégorie inconnue');
	if (typeof doc.urgent !== 'boolean') refuse('urgent', 'vrai ou faux attendu');
	requireDate(doc, 'published_at', false);
	requireDate(doc, 'expires_at', true);
	requireDate(doc, 'created_at', false);
	requireDate(doc, 'updated_at', false);
	if (doc.expires_at !== null && Date.parse(doc.expires_at) <= Date.parse(doc.published_at)) {
		refuse('expires_at', 'doit suivre la publication');
	}
	if (doc.event !== undefined && doc.event !== null && !new RegExp(LIMITS.eventIdPattern).test(String(doc.event))) {
		refuse('event', 'doit désigner un événement');
	}
	if (doc.zones !== undefined) checkZoneIds(doc.zones);
	checkAttachments(doc);
	checkPictureTexts(doc, userCtx);
}
function isArray(value) {
	return Object.prototype.toString.call(value) === '[object Array]';
}
// The zones a notice is aimed at: ids as src/lib/domain/zones.ts says, each once.
function checkZoneIds(ids) {
	if (!isArray(ids)) refuse('zones', 'liste attendue');
	if (ids.length > LIMITS.zonesMax) refuse('zones', 'au plus ' + LIMITS.zonesMax + ' zones');
	var pattern = new RegExp(LIMITS.zoneIdPattern);
	var seen = {};
	for (var i = 0; i < ids.length; i++) {
		if (typeof ids[i] !== 'string' || !pattern.test(ids[i])) refuse('zones', 'identifiant de zone invalide');
		if (seen['=' + ids[i]]) refuse('zones', 'zone en double');
		seen['=' + ids[i]] = true;
	}
}
// The commune's zones: each with an id and a name, no name or id twice.
function checkZones(zones) {
	if (!isArray(zones)) refuse('zones', 'liste attendue');
	var ids = [];
	var names = {};
	for (var i = 0; i < zones.length; i++) {
		var zone = zones[i];
		if (typeof zone !== 'object' || zone === null) refuse('zones', 'zone invalide');
		requireText(zone, 'name', LIMITS.zoneNameMax, false);
		var name = labelKey(zone.name);
		if (names['=' + name]) refuse('zones', 'deux zones portent le même nom (« ' + zone.name + ' »)');
		names['=' + name] = true;
		ids.push(zone.id);
	}
	checkZoneIds(ids);
}
function requireAdminFor(doc, userCtx) {
	if (contains(LIMITS.serverOnlyTypes, doc.type) && (userCtx.roles || []).indexOf('_admin') === -1) {
		throw { forbidden: 'Seul le serveur de Crieur écrit ce document.' };
	}
}
function checkPoll(doc) {
	if (String(doc._id).indexOf('poll:') !== 0) refuse('_id', 'doit commencer par « poll: »');
	if (reservedId(doc._id)) refuse('_id', 'adresse réservée');
	requireText(doc, 'question', LIMITS.questionMax, false);
	requireText(doc, 'description', LIMITS.pollDescriptionMax, true);
	requireText(doc, 'author', LIMITS.authorMax, true);
	optionalText(doc, 'updated_by', LIMITS.authorMax);
	var options = doc.options;
	if (!isArray(options)) refuse('options', 'liste attendue');
	if (options.length < LIMITS.pollOptionsMin) refuse('options', 'au moins ' + LIMITS.pollOptionsMin + ' choix');
	if (options.length > LIMITS.pollOptionsMax) refuse('options', 'au plus ' + LIMITS.pollOptionsMax + ' choix');
	var seen = {};
	for (var i = 0; i < options.length; i++) {
		var option = options[i];
		if (typeof option !== 'object' || option === null) refuse('options', 'choix invalide');
		if (typeof option.id !== 'string' || !/^[a-z0-9-]{1,24}$/.test(option.id)) refuse('options', 'identifiant de choix invalide');
		if (seen[option.id]) refuse('options', 'choix en double');
		seen[option.id] = true;
		requireText(option, 'label', LIMITS.pollOptionLabelMax, false);
	}
	var said = {};
	for (var j = 0; j < options.length; j++) {
		var key = labelKey(options[j].label);
		if (said['=' + key]) refuse('options', 'deux réponses disent la même chose (« ' + options[j].label + ' »)');
		said['=' + key] = true;
	}
	if (typeof doc.multiple !== 'boolean') refuse('multiple', 'vrai ou faux attendu');
	if (typeof doc.allow_change !== 'boolean') refuse('allow_change', 'vrai ou faux attendu');
	if (typeof doc.max_choices !== 'number' || doc.max_choices % 1 !== 0) refuse('max_choices', 'nombre entier attendu');
	if (!doc.multiple && doc.max_choices !== 1) refuse('max_choices', 'une seule réponse sans « plusieurs réponses possibles »');
	if (doc.multiple && doc.max_choices < LIMITS.pollMultipleMin) {
		refuse('max_choices', 'au moins ' + LIMITS.pollMultipleMin + ' avec « plusieurs réponses possibles »');
	}
	if (doc.max_choices > options.length) refuse('max_choices', 'pas plus que de réponses proposées');
	if (!contains(LIMITS.pollResults, doc.results)) refuse('results', 'valeur inconnue');
	requireDate(doc, 'opens_at', false);
	requireDate(doc, 'closes_at', false);
	requireDate(doc, 'created_at', false);
	requireDate(doc, 'updated_at', false);
	if (Date.parse(doc.closes_at) <= Date.parse(doc.opens_at)) refuse('closes_at', 'doit suivre l’ouverture');
}
// What an answer says, as src/lib/domain/poll-rules.ts compares them: FOLDS is its table.
function labelKey(label) {
	var folded = '';
	for (var i = 0; i < label.length; i++) {
		var c = label.charAt(i);
		folded += FOLDS.hasOwnProperty(c) ? FOLDS[c] : c;
	}
	return folded.toLowerCase().replace(/\s+/g, ' ').replace(/^ | $/g, '');
}
function comparedField(field, value) {
	if (field === 'options' && Object.prototype.toString.call(value) === '[object Array]') {
		var pairs = [];
		for (var i = 0; i < value.length; i++) {
			pairs.push(value[i] && typeof value[i] === 'object' ? [value[i].id, value[i].label] : value[i]);
		}
		return JSON.stringify(pairs);
	}
	return JSON.stringify(value === undefined ? null : value);
}
// A published poll that has opened may have ballots: what they answered no
// longer changes (LIMITS.pollLockedWhileVoting), nor, once closed, its closing.
// As src/lib/domain/poll-rules.ts says; the description stays editable.
function checkPollChange(doc, oldDoc) {
	if (!oldDoc || oldDoc._deleted || oldDoc.type !== 'poll') return;
	var now = new Date().getTime();
	if (now < Date.parse(oldDoc.opens_at)) return;
	var locked = LIMITS.pollLockedWhileVoting.slice();
	var closed = now >= Date.parse(oldDoc.closes_at);
	if (closed) locked.push('closes_at');
	for (var i = 0; i < locked.length; i++) {
		if (comparedField(locked[i], doc[locked[i]]) !== comparedField(locked[i], oldDoc[locked[i]])) {
			refuse(locked[i], closed ? 'ne change plus, le sondage est clos' : 'ne change plus, le vote est ouvert');
		}
	}
}
function checkEvent(doc) {
	if (!new RegExp(LIMITS.eventIdPattern).test(String(doc._id)) || reservedId(doc._id)) refuse('_id', 'doit être « event: » suivi d’un identifiant');
	requireText(doc, 'title', LIMITS.eventTitleMax, false);
	requireText(doc, 'description', LIMITS.eventDescriptionMax, true);
	requireText(doc, 'place', LIMITS.eventPlaceMax, true);
	requireText(doc, 'author', LIMITS.authorMax, true);
	optionalText(doc, 'updated_by', LIMITS.authorMax);
	if (!contains(LIMITS.eventCategories, doc.category)) refuse('category', 'catégorie inconnue');
	if (typeof doc.all_day !== 'boolean') refuse('all_day', 'vrai ou faux attendu');
	if (typeof doc.cancelled !== 'boolean') refuse('cancelled', 'vrai ou faux attendu');
	requireDate(doc, 'starts_at', false);
	requireDate(doc, 'ends_at', false);
	requireDate(doc, 'created_at', false);
	requireDate(doc, 'updated_at', false);
	var length = Date.parse(doc.ends_at) - Date.parse(doc.starts_at);
	if (length <= 0) refuse('ends_at', 'doit suivre le début');
	if (length > LIMITS.eventDaysMax * 86400000) refuse('ends_at', LIMITS.eventDaysMax + ' jours au plus');
	var seats = doc.registration_limit;
	if (seats !== null && (typeof seats !== 'number' || seats % 1 !== 0 || seats < 1 || seats > LIMITS.eventSeatsMax)) {
		refuse('registration_limit', 'nombre de places invalide');
	}
	if (doc.minutes !== null && (typeof doc.minutes !== 'string' || doc.minutes.indexOf('notice:') !== 0)) {
		refuse('minutes', 'doit désigner un avis');
	}
	if (doc._attachments !== undefined) refuse('_attachments', 'pas de pièce jointe sur un événement');
}
function isAdmin(userCtx) {
	return (userCtx.roles || []).indexOf('_admin') !== -1;
}
function sameJson(a, b) {
	return JSON.stringify(a === undefined ? null : a) === JSON.stringify(b === undefined ? null : b);
}
function attachmentDigests(doc) {
	var out = {};
	var files = doc._attachments || {};
	for (var name in files) if (files.hasOwnProperty(name)) out[name] = files[name].digest || null;
	return out;
}
// A resident's suggestion or report: the app server writes it; staff moderate
// it but never change what the resident wrote, who wrote it, or their photos.
function checkSubmission(doc, oldDoc, userCtx) {
	if (String(doc._id).indexOf('submission:') !== 0) refuse('_id', 'doit commencer par « submission: »');
	if (!isAdmin(userCtx)) {
		if (!oldDoc || oldDoc._deleted) throw { forbidden: 'Seul le serveur de Crieur enregistre les envois des habitants.' };
		var fixed = ['kind', 'title', 'body', 'category', 'place', 'author', 'public_name', 'created_at'];
		for (var i = 0; i < fixed.length; i++) {
			if (!sameJson(doc[fixed[i]], oldDoc[fixed[i]])) refuse(fixed[i], 'écrit par l’habitant, ne change pas');
		}
		if (!sameJson(attachmentDigests(doc), attachmentDigests(oldDoc))) refuse('_attachments', 'photos de l’habitant, ne changent pas');
	}
	if (!contains(LIMITS.submissionKinds, doc.kind)) refuse('kind', 'type d’envoi inconnu');
	if (!contains(LIMITS.submissionCategories, doc.category)) refuse('category', 'catégorie inconnue');
	if (!contains(LIMITS.submissionStatuses, doc.status)) refuse('status', 'statut inconnu');
	requireText(doc, 'title', LIMITS.submissionTitleMax, false);
	requireText(doc, 'body', LIMITS.submissionBodyMax, false);
	requireText(doc, 'answer', LIMITS.answerMax, true);
	requireText(doc, 'decline_reason', LIMITS.declineReasonMax, true);
	optionalText(doc, 'updated_by', LIMITS.authorMax);
	if (doc.status === 'declined' && doc.decline_reason.replace(/^\s+|\s+$/g, '') === '') refuse('decline_reason', 'obligatoire pour refuser');
	if (doc.merged_into !== null && String(doc.merged_into).indexOf('submission:') !== 0) refuse('merged_into', 'envoi attendu');
	if (doc.status === 'merged' && doc.merged_into === null) refuse('merged_into', 'obligatoire pour fusionner');
	if (typeof doc.seen !== 'boolean') refuse('seen', 'vrai ou faux attendu');
	if (doc.published !== null && String(doc.published).indexOf('answer:') !== 0) refuse('published', 'réponse attendue');
	requireDate(doc, 'created_at', false);
	requireDate(doc, 'updated_at', false);
	if (doc.answered_at !== undefined) requireDate(doc, 'answered_at', true);
}
// The public answer to a submission: what residents read, with no author id.
function checkAnswer(doc) {
	if (String(doc._id).indexOf('answer:') !== 0) refuse('_id', 'doit commencer par « answer: »');
	if (doc.author !== undefined) refuse('author', 'jamais publié');
	if (!contains(LIMITS.submissionKinds, doc.kind)) refuse('kind', 'type d’envoi inconnu');
	if (!contains(LIMITS.submissionCategories, doc.category)) refuse('category', 'catégorie inconnue');
	if (!contains(LIMITS.answerStatuses, doc.status)) refuse('status', 'statut inconnu');
	requireText(doc, 'title', LIMITS.submissionTitleMax, false);
	requireText(doc, 'body', LIMITS.submissionBodyMax, false);
	requireText(doc, 'answer', LIMITS.answerMax, true);
	requireText(doc, 'place_address', LIMITS.placeAddressMax, true);
	if (doc.public_name !== null) requireText(doc, 'public_name', LIMITS.authorMax, false);
	if (doc._attachments !== undefined) refuse('_attachments', 'pas de fichier dans une réponse');
	requireDate(doc, 'submitted_at', false);
	requireDate(doc, 'answered_at', false);
	requireDate(doc, 'updated_at', false);
}
