import nano from 'nano';
import { databaseName, type Commune } from '../src/lib/domain/commune.ts';
import type { Zone } from '../src/lib/domain/zones.ts';
import type { DraftNotice, Notice, NoticeCategory } from '../src/lib/domain/notice.ts';
import type { Poll } from '../src/lib/domain/poll.ts';
import {
	addDays,
	dayOf,
	instantFromWallTime,
	nextDay,
	type CommuneEvent,
	type EventCategory
} from '../src/lib/domain/event.ts';
import { DEFAULT_TIME_ZONE } from '../src/lib/domain/limits.ts';
import { simplePdf } from './demo-pdf.ts';

interface DemoNotice {
	slug: string;
	title: string;
	category: NoticeCategory;
	urgent?: boolean;
	/** Days from now. */
	published: number;
	expires: number | null;
	body: string;
	pdf?: { name: string; title: string; lines: string[] };
	/** The event it announces: its date and place come from there, never typed twice. */
	event?: string;
	/** The zones (of DEMO_ZONES) it is aimed at. */
	zones?: string[];
}

/** A village's parts, as a secretary would name them; alerts can be aimed at some. */
export const DEMO_ZONES: Zone[] = [
	{ id: 'bourg', name: 'Le Bourg' },
	{ id: 'les-granges', name: 'Les Granges' },
	{ id: 'le-moulin', name: 'Le Moulin' },
	{ id: 'zone-inondable', name: 'Zone inondable (bords de la Vière)' }
];

const AUTHOR = 'Secrétariat de mairie';

const NOTICES: DemoNotice[] = [
	{
		slug: 'coupure-eau',
		title: "Coupure d'eau rue des Tilleuls et impasse du Lavoir",
		category: 'alerte',
		urgent: true,
		zones: ['bourg'],
		published: -0.2,
		expires: 2,
		body: `Suite à une fuite sur la canalisation principale, **l'eau sera coupée jeudi de 8 h à 16 h** rue des Tilleuls (n° 1 à 42) et impasse du Lavoir.

- Faites des réserves d'eau la veille.
- Une citerne d'eau potable sera installée place de l'Église.
- Après le retour de l'eau, laissez couler quelques minutes avant de la boire.

Renseignements : mairie, 03 80 00 00 00.`
	},
	{
		slug: 'arrete-circulation-forge',
		title: 'Arrêté : circulation alternée route de la Forge pendant les travaux',
		category: 'arrete',
		published: -3,
		expires: 30,
		body: `Le maire de Saint-Crieur,

Vu le code général des collectivités territoriales, et notamment ses articles L. 2212-1 et L. 2213-1,

**Arrête** : du 1er au 19 décembre, la circulation est alternée par feux tricolores route de la Forge, entre le pont et le lieu-dit Les Essarts. La vitesse y est limitée à 30 km/h.

L'arrêté signé est joint en PDF.`,
		pdf: {
			name: 'arrete-2026-041.pdf',
			title: 'Arrêté municipal n° 2026-041',
			lines: [
				'Commune de Saint-Crieur',
				'',
				'Objet : réglementation temporaire de la circulation, route de la Forge.',
				'',
				'Article 1 : du 1er au 19 décembre, la circulation est alternée par feux',
				'tricolores entre le pont et le lieu-dit Les Essarts.',
				'Article 2 : la vitesse est limitée à 30 km/h sur la section concernée.',
				'Article 3 : le présent arrêté sera affiché en mairie et publié dans Crieur.',
				'',
				'Fait à Saint-Crieur, le maire.'
			]
		}
	},
	{
		slug: 'fete-saint-crieur',
		title: 'Fête de la Saint-Crieur : programme du 14 décembre',
		category: 'agenda',
		published: -5,
		expires: 20,
		body: `La fête du village revient **samedi 14 décembre** sur la place de la Mairie.

1. 10 h : marché des producteurs
2. 12 h 30 : repas partagé à la salle des fêtes (inscription en mairie)
3. 15 h : concours de belote
4. 18 h : vin chaud offert par le comité des fêtes

Bénévoles bienvenus : faites-vous connaître en mairie.`
	},
	{
		slug: 'cr-conseil-novembre',
		title: 'Compte rendu du conseil municipal du 18 novembre',
		category: 'compte-rendu',
		published: -6,
		expires: null,
		body: `Présents : 11 conseillers sur 15.

## Délibérations
- **Budget** : décision modificative n° 2 adoptée à l'unanimité.
- **École** : achat de 6 ordinateurs portables pour la classe unique (4 800 €), adopté.
- **Voirie** : programme 2027 de réfection des chemins ruraux, adopté (2 abstentions).

## Questions diverses
L'éclairage public sera coupé de 23 h à 5 h à partir du 1er janvier.`
	},
	{
		slug: 'encombrants',
		title: 'Collecte des encombrants le mardi 9 décembre',
		category: 'avis',
		published: -2,
		expires: 10,
		body: `La collecte des encombrants aura lieu **mardi 9 décembre** à partir de 7 h.

Sortez vos objets la veille au soir, devant chez vous, sans gêner le passage. Ne sont pas collectés : déchets verts, gravats, pneus, produits dangereux (à porter à la déchetterie de Montbard).`
	},
	{
		slug: 'horaires-hiver',
		title: "Horaires d'hiver du secrétariat de mairie",
		category: 'avis',
		published: -10,
		expires: null,
		body: `Du 1er novembre au 31 mars, le secrétariat est ouvert :

- lundi et jeudi : 9 h – 12 h
- mercredi : 14 h – 18 h
- samedi : 10 h – 12 h (permanence des élus)`
	},
	{
		slug: 'reunion-plu',
		title: "Réunion publique sur le plan local d'urbanisme",
		category: 'agenda',
		published: -4,
		expires: 12,
		event: 'event:demo-reunion-plu',
		body: `Une réunion publique de présentation du projet de **PLU intercommunal** se tiendra à la salle des fêtes (date et heure ci-dessus, tenues à jour dans l'agenda).

Le dossier peut être consulté en mairie aux heures d'ouverture. Un registre est à votre disposition pour vos observations.`
	},
	{
		slug: 'recensement',
		title: 'Recensement de la population du 15 janvier au 14 février',
		category: 'avis',
		published: -8,
		expires: 60,
		body: `Madame Claire Morel, agent recenseur, passera chez vous à partir du 15 janvier. Elle porte une carte officielle signée du maire.

Vous pouvez aussi répondre en ligne avec les codes qu'elle vous remettra. Le recensement est obligatoire et confidentiel.`
	},
	{
		slug: 'listes-electorales',
		title: 'Inscriptions sur les listes électorales',
		category: 'avis',
		published: -15,
		expires: 40,
		body: `Pour voter aux prochaines élections, vous pouvez vous inscrire jusqu'au 6e vendredi précédant le scrutin, en mairie ou sur service-public.fr.

Pièces à fournir : une pièce d'identité et un justificatif de domicile de moins de 3 mois.`
	},
	{
		slug: 'bibliotheque',
		title: 'Bibliothèque municipale : ouverture le samedi matin',
		category: 'avis',
		published: -20,
		expires: null,
		body: `La bibliothèque, au premier étage de la mairie, ouvre désormais aussi **le samedi de 10 h à 12 h**. Le prêt est gratuit pour tous les habitants.`
	},
	{
		slug: 'marche-noel',
		title: 'Marché de Noël des écoles',
		category: 'agenda',
		published: -1,
		expires: 25,
		event: 'event:demo-marche-noel',
		body: `Les élèves du regroupement scolaire vendront leurs créations dans la cour de l'école. Les bénéfices financeront la sortie de fin d'année.`
	},
	{
		slug: 'deneigement',
		title: 'Déneigement : qui fait quoi cet hiver',
		category: 'alerte',
		published: -12,
		expires: 110,
		body: `Les routes communales sont déneigées par l'employé communal, en commençant par la route du car scolaire.

Devant chez vous, le trottoir est à la charge de l'occupant. Du sel est à disposition au garage communal.`
	},
	{
		slug: 'fermeture-11-novembre',
		title: 'Fermeture exceptionnelle de la mairie le 10 novembre',
		category: 'avis',
		published: -22,
		expires: -14,
		body: `Le secrétariat de mairie sera fermé lundi 10 novembre. En cas d'urgence, contactez le maire au 06 00 00 00 00.`
	},
	{
		slug: 'orages-octobre',
		title: 'Vigilance orange orages : restez chez vous',
		category: 'alerte',
		urgent: true,
		published: -45,
		expires: -44,
		body: `Météo-France place le département en vigilance orange orages jusqu'à demain 6 h. Évitez les déplacements, ne vous abritez pas sous les arbres.`
	},
	{
		slug: 'cr-conseil-septembre',
		title: 'Compte rendu du conseil municipal du 23 septembre',
		category: 'compte-rendu',
		published: -60,
		expires: -1,
		body: `Présents : 13 conseillers sur 15. Le conseil adopte le rapport sur le prix et la qualité de l'eau, et fixe le tarif de la salle des fêtes à 150 € le week-end pour les habitants.`
	}
];

const SCHEDULED = {
	slug: 'voeux-maire',
	title: 'Cérémonie des vœux du maire',
	category: 'agenda' as const,
	published: 7,
	expires: 45,
	body: `Le maire et le conseil municipal vous invitent à la cérémonie des vœux, **samedi 10 janvier à 11 h**, à la salle des fêtes. Un verre de l'amitié suivra.`
};

const DRAFT = {
	slug: 'brocante',
	title: 'Brocante de printemps : appel aux exposants',
	category: 'avis' as const,
	body: `Brouillon : la brocante aura lieu le dimanche 26 avril. Emplacement gratuit pour les habitants, 2 € le mètre pour les autres.`
};

interface DemoEvent {
	slug: string;
	title: string;
	category: EventCategory;
	/** Days from the seeding day, and wall times in the commune (none: all day). */
	day: number;
	times?: [string, string];
	place: string;
	description: string;
	seats?: number;
	minutes?: string;
}

const EVENTS: DemoEvent[] = [
	{
		slug: 'conseil-novembre',
		title: 'Conseil municipal',
		category: 'conseil',
		day: -8,
		times: ['20:00', '22:30'],
		place: 'Salle du conseil, mairie',
		description: 'Séance publique. Ordre du jour affiché en mairie.',
		minutes: 'notice:demo-cr-conseil-novembre'
	},
	{
		slug: 'reunion-plu',
		title: "Réunion publique sur le plan local d'urbanisme",
		category: 'reunion',
		day: 8,
		times: ['19:00', '21:00'],
		place: 'Salle des fêtes',
		description: 'Présentation du projet de **PLU intercommunal**, questions des habitants.'
	},
	{
		slug: 'encombrants',
		title: 'Collecte des encombrants',
		category: 'collecte',
		day: 13,
		place: 'Toute la commune',
		description: 'Sortez vos encombrants la veille au soir, sans gêner le passage.'
	},
	{
		slug: 'repas-saint-crieur',
		title: 'Repas partagé de la Saint-Crieur',
		category: 'fete',
		day: 18,
		times: ['12:30', '16:00'],
		place: 'Salle des fêtes',
		description: 'Chacun apporte un plat. Concours de belote ensuite.',
		seats: 120
	},
	{
		slug: 'marche-noel',
		title: 'Marché de Noël des écoles',
		category: 'fete',
		day: 23,
		times: ['16:30', '19:00'],
		place: "Cour de l'école",
		description: 'Les élèves vendent leurs créations au profit de la sortie de fin d’année.'
	},
	{
		slug: 'conseil-janvier',
		title: 'Conseil municipal',
		category: 'conseil',
		day: 27,
		times: ['20:00', '22:00'],
		place: 'Salle du conseil, mairie',
		description: 'Séance publique : vote du budget primitif.'
	}
];

function demoEvent(demo: DemoEvent, now: Date, timeZone: string): CommuneEvent {
	const day = addDays(dayOf(now.toISOString(), timeZone), demo.day);
	const at = (wall: string) => instantFromWallTime(wall, timeZone)!;
	const created = daysFrom(now, Math.min(demo.day, 0) - 10);
	return {
		_id: `event:demo-${demo.slug}`,
		type: 'event',
		title: demo.title,
		description: demo.description,
		category: demo.category,
		starts_at: demo.times ? at(`${day}T${demo.times[0]}`) : at(day),
		ends_at: demo.times ? at(`${day}T${demo.times[1]}`) : at(nextDay(day)),
		all_day: !demo.times,
		place: demo.place,
		registration_limit: demo.seats ?? null,
		minutes: demo.minutes ?? null,
		cancelled: false,
		created_at: created,
		updated_at: created,
		author: AUTHOR
	};
}

function daysFrom(now: Date, days: number): string {
	return new Date(now.getTime() + days * 86_400_000).toISOString();
}

/** Realistic French content for the demo commune; written only into empty databases. */
export async function seedDemoContent(couchUrl: string, slug: string, now = new Date()) {
	const couch = nano({ url: couchUrl });
	const publicDb = couch.use(databaseName(slug, 'public'));
	const mairieDb = couch.use(databaseName(slug, 'mairie'));

	const notices: Notice[] = NOTICES.map((demo) => {
		const published_at = daysFrom(now, demo.published);
		const notice: Notice = {
			_id: `notice:demo-${demo.slug}`,
			type: 'notice',
			title: demo.title,
			body: demo.body,
			category: demo.category,
			urgent: demo.urgent ?? false,
			published_at,
			expires_at: demo.expires === null ? null : daysFrom(now, demo.expires),
			created_at: published_at,
			updated_at: published_at,
			author: AUTHOR
		};
		if (demo.event) notice.event = demo.event;
		if (demo.zones) notice.zones = demo.zones;
		if (demo.pdf) {
			notice._attachments = {
				[demo.pdf.name]: {
					content_type: 'application/pdf',
					data: Buffer.from(simplePdf(demo.pdf.title, demo.pdf.lines)).toString('base64')
				}
			};
		}
		return notice;
	});
	const created = daysFrom(now, -1);
	const drafts: DraftNotice[] = [
		{
			_id: `notice:demo-${SCHEDULED.slug}`,
			type: 'notice',
			status: 'scheduled',
			title: SCHEDULED.title,
			body: SCHEDULED.body,
			category: SCHEDULED.category,
			urgent: false,
			published_at: daysFrom(now, SCHEDULED.published),
			expires_at: daysFrom(now, SCHEDULED.expires),
			created_at: created,
			updated_at: created,
			author: AUTHOR
		},
		{
			_id: `notice:demo-${DRAFT.slug}`,
			type: 'notice',
			status: 'draft',
			title: DRAFT.title,
			body: DRAFT.body,
			category: DRAFT.category,
			urgent: false,
			published_at: daysFrom(now, 30),
			expires_at: null,
			created_at: created,
			updated_at: created,
			author: AUTHOR
		}
	];
	const poll: Poll = {
		_id: 'poll:demo-marche',
		type: 'poll',
		question: 'Quel jour préférez-vous pour le marché hebdomadaire ?',
		description: `La commune souhaite accueillir un petit marché de producteurs chaque semaine, place de l'Église, de 8 h à 12 h. **Un vote par foyer**, avec le code reçu par courrier.`,
		options: [
			{ id: 'mercredi', label: 'Le mercredi matin' },
			{ id: 'vendredi', label: 'Le vendredi matin' },
			{ id: 'samedi', label: 'Le samedi matin' }
		],
		multiple: false,
		max_choices: 1,
		opens_at: daysFrom(now, -2),
		closes_at: daysFrom(now, 12),
		results: 'live',
		allow_change: true,
		created_at: daysFrom(now, -3),
		updated_at: daysFrom(now, -3),
		author: AUTHOR
	};
	const events = EVENTS.map((demo) => demoEvent(demo, now, DEFAULT_TIME_ZONE));
	// The commune exists (provisioning wrote it); its zones are the demo's unless staff set some.
	const commune = (await publicDb.get('commune')) as unknown as Commune;
	const withZones = commune.zones ? [] : [{ ...commune, zones: DEMO_ZONES }];
	await publicDb.bulk({ docs: [...withZones, ...notices, poll, ...events] });
	await mairieDb.bulk({ docs: drafts });
	return { notices: notices.length, drafts: drafts.length };
}
