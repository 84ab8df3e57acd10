import type { NoticeCategory, ValidationCode } from '../domain/notice.ts';

/**
 * French interface text. Components read their words from here, so that a
 * second language is one more file of the same shape (issue 4 brings the
 * library and the switch).
 */
export const fr = {
	appName: 'Crieur',
	skipToContent: 'Aller au contenu',
	nav: {
		home: 'Avis',
		archive: 'Avis passés',
		polls: 'Sondages',
		resident: 'Mon code',
		staff: 'Espace mairie',
		main: 'Navigation principale'
	},
	category: {
		avis: 'Avis',
		arrete: 'Arrêté',
		alerte: 'Alerte',
		agenda: 'Agenda',
		'compte-rendu': 'Compte rendu'
	} satisfies Record<NoticeCategory, string>,
	categoryPlural: {
		avis: 'Avis',
		arrete: 'Arrêtés',
		alerte: 'Alertes',
		agenda: 'Agenda',
		'compte-rendu': 'Comptes rendus'
	} satisfies Record<NoticeCategory, string>,
	home: {
		title: (commune: string) => `Avis de la mairie — ${commune}`,
		heading: 'Les avis de la mairie',
		urgentHeading: 'Alertes en cours',
		urgentLabel: 'Alerte urgente',
		allCategories: 'Tous',
		filterLegend: 'Catégorie',
		searchLabel: 'Rechercher un avis',
		searchButton: 'Rechercher',
		searchPlaceholder: 'eau, travaux, fête…',
		clearSearch: 'Effacer la recherche',
		resultsFor: (count: number, query: string) =>
			`${count} ${count > 1 ? 'avis trouvés' : 'avis trouvé'} pour « ${query} »`,
		empty: 'Aucun avis en cours pour le moment.',
		emptyFiltered: 'Aucun avis ne correspond.',
		archiveLink: 'Voir les avis passés',
		filesCount: (count: number) => (count > 1 ? `${count} documents joints` : '1 document joint')
	},
	archive: {
		title: (commune: string) => `Avis passés — ${commune}`,
		heading: 'Avis passés',
		intro: 'Les avis dont la période d’affichage est terminée.',
		empty: 'Aucun avis passé.',
		expiredOn: (date: string) => `Affiché jusqu’au ${date}`
	},
	notice: {
		published: (date: string) => `Publié le ${date}`,
		updated: (date: string) => `mis à jour le ${date}`,
		expires: (date: string) => `Affiché jusqu’au ${date}`,
		expired: 'Cet avis n’est plus d’actualité.',
		attachments: 'Documents joints',
		open: 'Ouvrir',
		back: 'Retour aux avis',
		notFound: 'Cet avis n’existe pas ou n’est plus publié.'
	},
	sync: {
		syncing: 'Mise à jour…',
		progress: (count: number) => `Mise à jour… ${count} avis reçus`,
		upToDate: 'À jour',
		updatedAgo: (ago: string) => `À jour ${ago}`,
		offline: 'Hors ligne',
		offlineSince: (ago: string) => `Hors ligne — dernière mise à jour ${ago}`,
		never: 'Hors ligne — pas encore de données sur cet appareil',
		error: 'Mise à jour impossible pour le moment',
		refresh: 'Actualiser'
	},
	textSize: {
		legend: 'Taille du texte',
		normal: 'Normale',
		large: 'Grande',
		'x-large': 'Très grande'
	},
	update: {
		available: 'Nouvelle version de Crieur disponible.',
		reload: 'Recharger',
		later: 'Plus tard'
	},
	storage: {
		full: 'La mémoire de cet appareil est pleine : libérez de la place pour garder les avis hors ligne.'
	},
	errors: {
		offlineNoData:
			'Vous êtes hors ligne et cette page n’a pas encore été enregistrée sur cet appareil. Elle s’affichera au retour du réseau.',
		generic: 'Une erreur est survenue.',
		notFound: 'Page introuvable.',
		backHome: 'Retour à l’accueil'
	},
	validation: {
		required: 'Ce champ est obligatoire.',
		too_long: 'Ce texte est trop long.',
		invalid_date: 'Date invalide.',
		invalid_category: 'Choisissez une catégorie.',
		invalid_boolean: 'Valeur invalide.',
		invalid_status: 'Statut invalide.',
		invalid_id: 'Identifiant invalide.',
		invalid_slug: 'Identifiant de commune invalide.',
		invalid_type: 'Document invalide.',
		invalid_attachment_type: 'Seuls les PDF et les images JPEG, PNG ou WebP sont acceptés.',
		attachment_too_big: 'Fichier trop lourd (10 Mo au plus).',
		too_many_attachments: 'Trop de pièces jointes (8 au plus).',
		expires_before_publication: 'La fin d’affichage doit venir après la publication.',
		invalid_options: 'Choix invalides.',
		too_few_options: 'Proposez au moins deux choix.',
		too_many_options: 'Vingt choix au plus.',
		duplicate_option: 'Deux choix portent le même identifiant.',
		invalid_max_choices: 'Nombre de choix permis invalide.',
		invalid_results: 'Choisissez quand afficher les résultats.',
		closes_before_opening: 'La clôture doit venir après l’ouverture.'
	} satisfies Record<ValidationCode, string>,
	poll: {
		listTitle: (commune: string) => `Sondages — ${commune}`,
		heading: 'Sondages',
		homeHeading: 'Sondages en cours',
		intro: 'Un vote par habitant, secret : la mairie ne voit que les totaux.',
		empty: 'Aucun sondage pour le moment.',
		notFound: 'Ce sondage n’existe pas ou a été retiré.',
		open: 'Ouvert',
		upcoming: 'Bientôt',
		closed: 'Clos',
		closesOn: (date: string) => `Vote ouvert jusqu’au ${date}`,
		opensOn: (date: string) => `Ouverture le ${date}`,
		closedOn: (date: string) => `Clos le ${date}`,
		chooseOne: 'Choisissez une réponse.',
		chooseUpTo: (n: number) => `Choisissez jusqu’à ${n} réponses.`,
		choicesLegend: 'Votre réponse',
		vote: 'Voter',
		changeVote: 'Changer mon vote',
		voteCanChange: 'Vous pourrez changer votre vote jusqu’à la clôture.',
		needCode: 'Pour voter, saisissez votre code d’habitant.',
		enterCode: 'Saisir mon code',
		results: 'Résultats',
		resultsLive: 'Résultats en direct',
		resultsFinal: 'Résultats définitifs',
		votes: (n: number) => (n > 1 ? `${n} votes` : `${n} vote`),
		voteCount: (n: number, pct: number) => `${n} (${pct} %)`,
		tooFew: (n: number) =>
			`${n > 1 ? `${n} votes` : `${n} vote`} pour l’instant. Les résultats s’affichent à partir de 5 votes, pour que le vote reste secret.`,
		hiddenUntilClose: (n: number) =>
			`${n > 1 ? `${n} votes` : `${n} vote`}. Les résultats seront publiés à la clôture.`,
		noTallyYet: 'Les résultats apparaîtront après le dépouillement.',
		multipleNote: 'Plusieurs réponses possibles : les pourcentages sont ceux des votants.',
		back: 'Tous les sondages',
		recorded: 'Votre vote est enregistré. Merci !',
		waitingNote: 'Votre vote est gardé sur cet appareil et partira tout seul au retour du réseau.',
		blockedNote: 'Votre vote attend votre code d’habitant pour partir.'
	},
	outbox: {
		heading: 'Mes envois',
		title: 'Mes envois',
		intro: 'Ce que vous avez fait depuis cet appareil, et s’il est bien arrivé à la mairie.',
		empty: 'Rien d’envoyé depuis cet appareil.',
		state: {
			waiting: 'En attente d’envoi',
			sending: 'Envoi en cours…',
			sent: 'Envoyé',
			refused: 'Refusé'
		},
		waitingOffline: 'Il partira tout seul au retour du réseau.',
		refusedBecause: (reason: string) => `Refusé : ${reason}`,
		ballotLabel: (question: string) => `Vote : ${question}`,
		pending: (n: number) => (n > 1 ? `${n} envois en attente` : '1 envoi en attente'),
		link: 'Mes envois'
	},
	resident: {
		heading: 'Mon code d’habitant',
		title: 'Code d’habitant',
		intro:
			'La mairie remet à chaque habitant ou foyer une lettre avec un code personnel. Il permet de voter, une fois par sondage, depuis n’importe quel appareil ou la borne de la mairie.',
		codeLabel: 'Code d’habitant',
		codeHelp: '12 lettres et chiffres, par exemple ACDE-FGHJ-KMNP. Les tirets sont facultatifs.',
		submit: 'Valider mon code',
		checking: 'Vérification…',
		signedIn: 'Vous êtes reconnu comme habitant sur cet appareil.',
		signOut: 'Oublier mon code sur cet appareil',
		signedOut: 'Cet appareil ne vous reconnaît plus. Votre code reste valable.',
		offline: 'La vérification du code demande le réseau. Réessayez une fois en ligne.',
		secret:
			'Votre vote est secret : personne, pas même la mairie, ne peut savoir ce que vous avez voté.',
		toPolls: 'Voir les sondages'
	},
	ballot: {
		refused: {
			poll_not_open: 'Ce sondage n’est pas encore ouvert.',
			poll_closed: 'Ce sondage est clos : votre vote n’a pas pu être compté.',
			no_choice: 'Choisissez au moins une réponse.',
			too_many_choices: 'Trop de réponses cochées pour ce sondage.',
			unknown_choice: 'Cette réponse n’existe pas (le sondage a peut-être changé).',
			duplicate_choice: 'La même réponse est cochée deux fois.',
			already_voted: 'Vous avez déjà voté à ce sondage.',
			outbox_id_reused: 'Envoi invalide : ce vote a déjà été envoyé avec d’autres réponses.',
			unknown_poll: 'Ce sondage n’existe pas ou a été retiré.',
			not_resident:
				'Pour voter, saisissez d’abord votre code d’habitant (il figure sur la lettre de la mairie).',
			code_revoked:
				'Votre code d’habitant n’est plus valable : demandez-en un nouveau à la mairie.',
			invalid_request: 'Envoi invalide.',
			too_many_requests: 'Trop d’essais : patientez quelques minutes.'
		}
	},
	residents: {
		invalid_format:
			'Ce code n’a pas la bonne forme : 12 lettres et chiffres, comme ACDE-FGHJ-KMNP.',
		unknown_code:
			'Code inconnu ou retiré. Vérifiez-le sur votre lettre, ou demandez-en un à la mairie.',
		too_many_attempts: (minutes: number) =>
			`Trop d’essais depuis cet appareil : réessayez dans ${minutes} min.`,
		not_found: 'Habitant introuvable.',
		too_many: 'Entre 1 et 500 codes à la fois.',
		invalid_label: 'Libellé invalide (160 caractères au plus).',
		staff_only: 'Réservé à la mairie : connectez-vous.',
		kiosk_only: 'Réservé aux bornes de la mairie.'
	},
	staffPolls: {
		heading: 'Sondages',
		new: 'Nouveau sondage',
		empty: 'Aucun sondage pour le moment.',
		editTitle: 'Modifier le sondage',
		newTitle: 'Nouveau sondage',
		question: 'Question',
		description: 'Présentation (facultatif)',
		options: 'Réponses proposées',
		optionLabel: (n: number) => `Réponse ${n}`,
		addOption: 'Ajouter une réponse',
		removeOption: (n: number) => `Retirer la réponse ${n}`,
		optionsLocked: 'Le vote a commencé : les réponses ne peuvent plus changer.',
		multiple: 'Plusieurs réponses possibles',
		maxChoices: 'Nombre de réponses au plus',
		opensAt: 'Ouverture du vote',
		closesAt: 'Clôture du vote',
		results: 'Résultats',
		resultsLive: 'En direct (à partir de 5 votes)',
		resultsAfterClose: 'Seulement après la clôture',
		allowChange: 'Un habitant peut changer son vote jusqu’à la clôture',
		publish: 'Publier le sondage',
		saveDraft: 'Enregistrer le brouillon',
		saved: 'Brouillon enregistré sur cet ordinateur.',
		published: 'Sondage publié. Il partira vers les habitants à la prochaine synchronisation.',
		invalid: 'Corrigez les champs signalés.',
		notFound: 'Ce sondage n’existe pas sur cet ordinateur.',
		stateDraft: 'Brouillon',
		votes: (n: number) => (n > 1 ? `${n} votes` : `${n} vote`)
	},
	kiosk: {
		title: 'Borne de la mairie',
		staffHeading: 'Bornes',
		staffIntro:
			'Une borne est une tablette posée en mairie : elle affiche les avis en grand et permet de voter avec son code d’habitant. Ajoutez une borne, puis ouvrez le lien d’appairage sur la tablette (ou scannez le code QR).',
		labelField: 'Nom de la borne (par exemple « Hall de la mairie »)',
		add: 'Ajouter une borne',
		pairingHeading: 'Appairer la tablette',
		pairingHelp:
			'Ouvrez ce lien sur la tablette, une seule fois. Il ne sera plus affiché : gardez-le pour vous.',
		list: 'Bornes appairées',
		none: 'Aucune borne.',
		revoke: 'Désappairer',
		revokeConfirm: 'Désappairer cette borne ? Elle cessera aussitôt de fonctionner.',
		revoked: 'Désappairée',
		active: 'Active',
		pairing: 'Appairage de la borne…',
		paired: 'Borne appairée.',
		pairingFailed:
			'Appairage impossible : lien invalide ou déjà utilisé. Demandez un nouveau lien à la mairie.',
		notPaired: 'Cette tablette n’est pas une borne. Appairez-la depuis l’espace mairie.',
		urgent: 'Alerte',
		touchToRead: 'Touchez pour lire',
		polls: 'Sondages ouverts',
		notices: 'Avis',
		vote: 'Voter avec mon code d’habitant',
		back: 'Retour',
		home: 'Accueil',
		codeHeading: 'Votre code d’habitant',
		codeHelp: 'Il figure sur la lettre de la mairie. Tapez-le sur le clavier ci-dessous.',
		erase: 'Effacer',
		clear: 'Tout effacer',
		next: 'Continuer',
		chooseHeading: 'Votre réponse',
		confirm: 'Confirmer mon vote',
		thanks: 'Merci ! Votre vote est enregistré.',
		thanksWaiting: 'Merci ! Votre vote est gardé par la borne et partira dès le retour du réseau.',
		resetSoon: 'La borne revient à l’accueil dans quelques secondes.',
		refused: (reason: string) => `Vote refusé : ${reason}`,
		unlock: 'Mairie',
		unlockHeading: 'Déverrouiller la borne',
		unlockHelp: 'Réservé au personnel de la mairie.',
		unlockSubmit: 'Déverrouiller',
		unlockFailed: 'Identifiant ou mot de passe incorrect.',
		unlockOffline: 'Le déverrouillage demande le réseau.',
		cancel: 'Annuler',
		updated: (ago: string) => `Mis à jour ${ago}`,
		offline: 'Hors ligne'
	},
	staffResidents: {
		heading: 'Codes d’habitants',
		intro:
			'Chaque habitant ou foyer reçoit une lettre avec son code personnel. La mairie ne garde pas les codes : imprimez les lettres aussitôt émises. Une lettre perdue se remplace par un nouveau code ; l’ancien cesse aussitôt de fonctionner.',
		issueHeading: 'Émettre des codes',
		labels: 'Une ligne par habitant ou foyer (nom, adresse… ou ligne vide)',
		labelsHelp: 'Ces libellés ne servent qu’à la mairie ; ils ne sont jamais liés aux votes.',
		count: 'Ou nombre de codes sans libellé',
		issue: 'Émettre les codes',
		issued: (n: number) => (n > 1 ? `${n} codes émis.` : '1 code émis.'),
		printLetters: 'Imprimer les lettres',
		needsNetwork: 'L’émission et le retrait des codes demandent le réseau.',
		listHeading: 'Registre',
		empty: 'Aucun code émis.',
		label: 'Libellé',
		status: 'État',
		active: 'Actif',
		revoked: 'Retiré',
		issuedOn: 'Émis le',
		noLabel: '(sans libellé)',
		revoke: 'Retirer le code',
		reissue: 'Nouveau code',
		revokeConfirm: 'Retirer ce code ? Il cessera aussitôt de fonctionner sur tous les appareils.',
		reissueConfirm:
			'Émettre un nouveau code pour cet habitant ? L’ancien cessera aussitôt de fonctionner ; ses votes restent comptés une seule fois.',
		revokedDone: 'Code retiré.',
		letterTitle: (commune: string) => `Mairie de ${commune}`,
		letterIntro:
			'Voici votre code personnel d’habitant. Il vous permet de voter aux sondages de la commune, une fois par sondage, depuis votre téléphone, votre ordinateur ou la borne de la mairie. Votre vote est secret.',
		letterHow: 'Scannez le code QR avec votre téléphone, ou allez sur',
		letterThen: 'et saisissez votre code :',
		letterKeep: 'Gardez cette lettre. Si vous la perdez, la mairie vous remettra un nouveau code.',
		backToRegister: 'Retour au registre'
	},
	staff: {
		title: 'Espace mairie',
		navNotices: 'Avis',
		navPolls: 'Sondages',
		navResidents: 'Codes d’habitants',
		navKiosks: 'Bornes',
		loginHeading: 'Connexion de la mairie',
		loginIntro:
			'Réservé au secrétariat et aux élus. Une fois connecté, vous pouvez travailler hors ligne : vos modifications partiront au retour du réseau.',
		name: 'Identifiant',
		password: 'Mot de passe',
		login: 'Se connecter',
		loggingIn: 'Connexion…',
		logout: 'Se déconnecter',
		logoutUnsynced:
			'Des modifications ne sont pas encore envoyées. Vous déconnecter les effacerait de cet ordinateur. Reconnectez-vous au réseau d’abord.',
		badLogin: 'Identifiant ou mot de passe incorrect.',
		notStaff: 'Ce compte n’appartient pas à la mairie.',
		loginOffline: 'La première connexion demande le réseau. Réessayez une fois en ligne.',
		loginRefused: 'Le serveur a refusé la connexion. Rechargez la page puis réessayez.',
		sessionExpired: 'Session expirée : reconnectez-vous pour envoyer vos modifications.',
		signedInAs: (name: string) => `Connecté : ${name}`,
		newNotice: 'Nouvel avis',
		listHeading: 'Avis',
		empty: 'Aucun avis pour le moment.',
		state: {
			published: 'Publié',
			scheduled: 'Programmé',
			draft: 'Brouillon',
			retracted: 'Retiré',
			expired: 'Expiré'
		},
		conflict: 'Conflit à résoudre',
		stateColumn: 'État',
		filterAll: 'Tous',
		syncing: 'Synchronisation…',
		synced: (ago: string) => `Synchronisé ${ago}`,
		notSynced: 'Pas encore synchronisé',
		offline: 'Hors ligne — vos modifications sont gardées sur cet ordinateur',
		syncError: 'Synchronisation impossible pour le moment',
		pending: (count: number) =>
			count > 1 ? `${count} modifications en attente d’envoi` : '1 modification en attente d’envoi',
		syncNow: 'Synchroniser',
		refused: (title: string, reason: string) => `Refusé par le serveur : « ${title} » — ${reason}`
	},
	editor: {
		newTitle: 'Nouvel avis',
		editTitle: 'Modifier l’avis',
		back: 'Retour à la liste',
		title: 'Titre',
		body: 'Texte',
		bodyHelp:
			'Mise en forme : **gras**, *italique*, listes avec « - », titres avec « ## », liens [texte](https://…).',
		category: 'Catégorie',
		urgent: 'Alerte urgente (affichée en tête, en rouge)',
		publishAt: 'Publication',
		publishAtHelp: 'Laissez vide pour publier dès maintenant, ou choisissez une date à venir.',
		expiresAt: 'Fin d’affichage (facultatif)',
		expiresAtHelp: 'L’avis passera dans les avis passés à cette date.',
		attachments: 'Pièces jointes',
		attachmentsHelp:
			'PDF ou images, 10 Mo au plus chacune. Les photos sont réduites avant l’envoi.',
		addFile: 'Ajouter un fichier',
		removeFile: (name: string) => `Retirer ${name}`,
		edit: 'Rédaction',
		preview: 'Aperçu',
		saveDraft: 'Enregistrer le brouillon',
		publishNow: 'Publier maintenant',
		schedule: 'Programmer la publication',
		saveChanges: 'Enregistrer les modifications',
		retract: 'Retirer l’avis',
		retractConfirm:
			'Retirer cet avis ? Il disparaîtra des téléphones au prochain passage en ligne. Il reste dans vos brouillons.',
		deleteDraft: 'Supprimer le brouillon',
		deleteConfirm: 'Supprimer définitivement ce brouillon ?',
		saved: 'Enregistré sur cet ordinateur.',
		published: 'Publié. Il partira vers les habitants à la prochaine synchronisation.',
		scheduled: (date: string) => `Programmé pour le ${date}.`,
		retracted: 'Avis retiré. Il est gardé dans les brouillons.',
		invalid: 'Corrigez les champs signalés.',
		fileRejected: (name: string, reason: string) => `« ${name} » refusé : ${reason}`,
		notFound: 'Cet avis n’existe pas sur cet ordinateur.',
		storageFull:
			'La mémoire de cet ordinateur est pleine : l’enregistrement a échoué. Libérez de la place puis réessayez.',
		conflictHeading: 'Deux versions de cet avis',
		conflictIntro:
			'Cet avis a été modifié sur deux ordinateurs sans connexion. Aucune version n’est perdue : choisissez celle à garder. Vous pourrez ensuite la modifier.',
		versionBy: (date: string) => `Version modifiée le ${date}`,
		versionShown: 'affichée en ce moment',
		keepVersion: 'Garder cette version',
		conflictResolved: 'Conflit résolu.'
	}
};

export type Messages = typeof fr;
