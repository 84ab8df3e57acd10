/**
 * The time zone a commune is provisioned in unless told otherwise, and the one
 * used until a device holds the `commune` document. Every date staff type and
 * every date shown follows that document's `timezone` (issue 13 §2), never the
 * device's zone: this is the only place the name is written.
 */
export const DEFAULT_TIME_ZONE = 'Europe/Paris';

/**
 * Resident codes per request, and per issue on the staff page (which sends
 * them in requests of this size and shows its progress). CouchDB hashes each
 * account's password with 600,000 pbkdf2 rounds (~¼ s): 500 codes in one
 * request would hold it for minutes.
 */
export const CODES_PER_REQUEST = 20;
export const CODES_PER_ISSUE = 500;

/**
 * The most a write through /db/ may carry (a notice and its files go up in
 * one request): the proxy refuses more, and a laptop does not send more.
 */
export const REQUEST_BYTES_MAX = 32 * 1024 * 1024;

// One source of truth for the document rules. The valibot schemas below use
// these values, and couch/ddocs injects the same object into validate_doc_update
// so that CouchDB enforces them even when the app server is bypassed.
export const LIMITS = {
	titleMax: 160,
	bodyMax: 20000,
	authorMax: 80,
	communeNameMax: 80,
	attachmentsMax: 8,
	attachmentBytesMax: 10 * 1024 * 1024,
	/**
	 * A notice's files together: they go up with it in one request of at most
	 * REQUEST_BYTES_MAX, a third larger once in base64.
	 */
	attachmentsBytesMax: 22 * 1024 * 1024,
	attachmentNameMax: 120,
	attachmentTypes: ['application/pdf', 'image/jpeg', 'image/png', 'image/webp'],
	/** A picture's short description (its alternative text), required for every image. */
	fileAltMax: 200,
	/**
	 * « agenda » stays readable and storable for notices written before events
	 * had their own documents (a laptop may still save one offline); new notices
	 * name the `event` they announce instead, and the editor no longer offers it.
	 */
	categories: ['avis', 'arrete', 'alerte', 'agenda', 'compte-rendu'],
	retiredCategories: ['agenda'],
	/** An event's id; a notice's `event` names one. */
	eventIdPattern: '^event:[a-z0-9][a-z0-9-]{0,80}$',
	/** Addresses that are routes of their own (`/mairie/avis/nouveau`): no document takes them. */
	reservedSlugs: ['nouveau'],
	questionMax: 200,
	pollDescriptionMax: 5000,
	pollOptionsMin: 2,
	pollOptionsMax: 20,
	pollOptionLabelMax: 120,
	/** « Plusieurs réponses possibles » with one answer at most would be a single choice. */
	pollMultipleMin: 2,
	/**
	 * What no longer changes once a published poll has opened (ballots may have
	 * been cast for it): it would change what those ballots mean. Once closed,
	 * its closing time too. The description stays editable (poll-rules.ts).
	 */
	pollLockedWhileVoting: [
		'question',
		'options',
		'multiple',
		'max_choices',
		'results',
		'allow_change',
		'opens_at'
	],
	residentLabelMax: 160,
	publicTypes: ['notice', 'commune', 'poll', 'tally', 'answer', 'supports', 'event'],
	/** Written by the app server only (server admin), never by staff laptops. */
	serverOnlyTypes: ['tally', 'resident', 'kiosk', 'supports', 'reads'],
	mairieTypes: ['notice', 'poll', 'resident', 'kiosk', 'submission', 'event', 'reads'],
	pollResults: ['live', 'after_close'],
	draftStatuses: ['draft', 'scheduled', 'retracted'],
	submissionKinds: ['suggestion', 'report'],
	submissionCategories: [
		'voirie',
		'eclairage',
		'proprete',
		'espaces-verts',
		'batiments',
		'vie-locale',
		'autre'
	],
	submissionStatuses: ['received', 'accepted', 'in_progress', 'resolved', 'declined', 'merged'],
	answerStatuses: ['accepted', 'in_progress', 'resolved'],
	submissionTitleMax: 140,
	submissionBodyMax: 4000,
	placeAddressMax: 200,
	answerMax: 4000,
	declineReasonMax: 500,
	/** Photos per submission; the device shrinks them first, the server still checks. */
	photosMax: 3,
	photoBytesMax: 3 * 1024 * 1024,
	/** A report's place further than this from the commune's centre is refused. */
	placeRadiusKm: 30,
	eventCategories: ['fete', 'conseil', 'collecte', 'reunion', 'culture-sport', 'autre'],
	eventTitleMax: 160,
	eventDescriptionMax: 10000,
	eventPlaceMax: 200,
	/** Seats for an event with registration; beyond, it is not a village event. */
	eventSeatsMax: 5000,
	/** An event longer than this is a season, not an event: a typo in a date, most likely. */
	eventDaysMax: 31,
	/** A commune's zones (hamlets, quarters, « zone inondable »): a list to choose from, not a map. */
	zonesMax: 40,
	zoneNameMax: 60,
	zoneIdPattern: '^[a-z0-9][a-z0-9-]{0,40}$'
} as const;

export type NoticeCategory = (typeof LIMITS.categories)[number];
export type DraftStatus = (typeof LIMITS.draftStatuses)[number];

/** ISO 8601 with an explicit offset or Z: dates without a zone are ambiguous. */
export const ISO_DATE_PATTERN =
	'^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?(Z|[+-]\\d{2}:\\d{2})$';
