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
		offlineSince: (ago: string) => `Hors ligne — données ${ago}`,
		never: 'Hors ligne — pas encore de données sur cet appareil',
		error: 'Mise à jour impossible pour le moment',
		refresh: 'Actualiser'
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
		staff_only: 'Réservé à la mairie : connectez-vous.'
	},
	staff: {
		title: 'Espace mairie',
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
