import { fetchCommuneSlug } from './commune.ts';
import { roles, type Commune } from '../domain/commune.ts';
import { isPublishable } from '../domain/answer.ts';
import type { StaffLocation } from '../domain/staff-notice.ts';
import type { ParticipationInput } from '../domain/participation.ts';
import type { SubmissionDoc } from '../domain/submission.ts';
import type * as StaffDbModule from './staff/index.ts';
import type {
	ModerationChange,
	Refusal,
	SaveRequest,
	StaffDbs,
	StaffEntryOf,
	StaffEvent,
	StaffItem,
	StaffKind,
	StaffKiosk,
	StaffPoll,
	StaffResident,
	StaffSubmission,
	StoredDoc,
	Version,
	VersionRef
} from './staff/index.ts';
import { newSlugId, slugOf } from '../domain/slug.ts';
import { clearEditorDrafts, deleteSetting, readSetting, writeSetting } from './device-db.ts';
import { randomBytes } from './random.ts';
import { DEFAULT_TIME_ZONE } from '../domain/limits.ts';
import { RetryTimer } from './retry.ts';
import { refusalKey } from './staff/refusals.ts';
import { isStorageFailure } from './storage-errors.ts';
import { onSyncTriggers } from './triggers.ts';

export type StaffSyncStatus = 'idle' | 'syncing' | 'offline' | 'error' | 'unauthorized';

export interface StaffSession {
	name: string;
	commune: string;
}

export type LoginError = 'bad_login' | 'not_staff' | 'offline' | 'refused' | 'too_many';

/** What a save did: the revision it wrote, and whether another version stays open beside it. */
export interface SaveOutcome {
	rev: string;
	conflicted: boolean;
}

/** A save as an editor asks for it; who saves is the store's to say. */
export type SaveIntent = SaveRequest;

/** The commune's document with its revision, and the other versions a sync brought, if any. */
export type StoredCommune = Commune & { _rev: string; _conflicts?: string[]; updated_at?: string };

export type { StaffEntryOf, StaffItem, StaffPoll, StaffEvent, StaffSubmission, Version };

const SESSION_KEY = 'staff-session';
const refusalsKey = (commune: string) => `staff-refusals:${commune}`;
const WATCHDOG_MS = 90_000;
const PERIODIC_SYNC_MS = 60_000;
const AFTER_WRITE_DELAY_MS = 800;
/** Changes arriving together (a sync writes them in batches) are read once. */
const FOLLOW_DELAY_MS = 100;
const CHANGES_PAGE = 500;

class NotSignedIn extends Error {
	override readonly name = 'NotSignedIn';
}

/**
 * The staff laptop's front door: who is signed in, what both local replicas
 * hold, the two-way sync, and every write staff make. Components call its
 * intents (save, keepVersion, moderate…) and read its lists; they never see
 * PouchDB. The lists follow the local databases' changes feed, so a write, a
 * sync or another tab updates only what changed. The session is remembered
 * on the device so that staff keep working offline; CouchDB's cookie only
 * matters for syncing.
 */
class StaffStore {
	session = $state.raw<StaffSession | null>(null);
	loaded = $state(false);
	items = $state.raw<StaffItem[]>([]);
	polls = $state.raw<StaffPoll[]>([]);
	events = $state.raw<StaffEvent[]>([]);
	residents = $state.raw<StaffResident[]>([]);
	communeName = $state('');
	/** The commune's time zone: events are typed and shown in it, whatever the laptop's. */
	timeZone = $state(DEFAULT_TIME_ZONE);
	/** The commune's document as this laptop holds it: its zones are edited from here. */
	commune = $state.raw<StoredCommune | null>(null);
	kiosks = $state.raw<StaffKiosk[]>([]);
	submissions = $state.raw<StaffSubmission[]>([]);
	/** Submissions no staff member has opened yet. */
	newSubmissions = $derived(this.submissions.filter((entry) => !entry.doc.seen).length);
	status = $state<StaffSyncStatus>('idle');
	syncedAt = $state<Date | null>(null);
	pending = $state(0);
	/** Documents the server refused, kept on the laptop with their changes until it takes them. */
	refused = $state.raw<Refusal[]>([]);

	#module: typeof StaffDbModule | null = null;
	#dbs: StaffDbs | null = null;
	/** What both databases hold (winners, with their conflicts), as the changes feed said. */
	#docs: Record<StaffLocation, Map<string, StoredDoc>> = { public: new Map(), mairie: new Map() };
	#seq: Record<StaffLocation, number | string> = { public: 0, mairie: 0 };
	#unsent: Record<StaffLocation, Set<string>> = { public: new Set(), mairie: new Set() };
	#following: Promise<void> | null = null;
	#followAgain = false;
	#followTimer: ReturnType<typeof setTimeout> | null = null;
	#feeds: { cancel(): void }[] = [];
	/** Writes in progress: the feed waits for them, so a move is never seen half done. */
	#writing = 0;
	/** Bumped when connections are replaced: reads begun on the old ones are ignored. */
	#generation = 0;
	/** A storage failure closed the local connections (see #heal). */
	#broken = false;
	#syncing: Promise<void> | null = null;
	/** Refusals staff asked to send again, until a pass sent them. */
	#retrying = new Set<string>();
	#again = false;
	#afterWrite: ReturnType<typeof setTimeout> | null = null;
	#started = false;
	#retry = new RetryTimer();

	async #load(): Promise<typeof StaffDbModule> {
		this.#module ??= await import('./staff/index.ts');
		return this.#module;
	}

	/** Restores the remembered session and the local data. */
	async init(): Promise<void> {
		if (this.loaded) return;
		const session = await readSetting<StaffSession>(SESSION_KEY);
		if (session) await this.#open(session);
		this.loaded = true;
	}

	async #open(session: StaffSession): Promise<void> {
		const module = await this.#load();
		const dbs = module.openStaffDbs(session.commune);
		if (dbs !== this.#dbs) {
			this.#close();
			this.#dbs = dbs;
			this.#listen(dbs);
		}
		this.session = session;
		this.refused = (await readSetting<Refusal[]>(refusalsKey(session.commune))) ?? [];
		await this.#follow();
		this.#start();
	}

	/** A local feed only says "something changed": the store then reads what did. */
	#listen(dbs: StaffDbs): void {
		for (const location of ['public', 'mairie'] as const) {
			const feed = dbs.local[location]
				.changes({ since: 'now', live: true })
				.on('change', () => this.#followSoon());
			this.#feeds.push(feed);
		}
	}

	#unlisten(): void {
		for (const feed of this.#feeds) {
			try {
				feed.cancel();
			} catch {
				// Its connection is already gone.
			}
		}
		this.#feeds = [];
	}

	/**
	 * After a storage failure the local connections are dead (handles.ts,
	 * reopenLocal). New ones are opened by the next read or write, not at
	 * once: one opened while the disk is still full dies the same way.
	 */
	#heal(): void {
		const dbs = this.#dbs;
		if (!this.#broken || !dbs || !this.#module) return;
		this.#broken = false;
		this.#unlisten();
		this.#module.reopenLocal(dbs);
		this.#listen(dbs);
		this.#generation++;
		this.#following = null;
		this.#followAgain = false;
	}

	#close(): void {
		this.#unlisten();
		this.#generation++;
		this.#docs = { public: new Map(), mairie: new Map() };
		this.#seq = { public: 0, mairie: 0 };
		this.#unsent = { public: new Set(), mairie: new Set() };
	}

	#session(): { dbs: StaffDbs; db: typeof StaffDbModule; name: string } {
		if (!this.#dbs || !this.#module || !this.session) throw new NotSignedIn();
		return { dbs: this.#dbs, db: this.#module, name: this.session.name };
	}

	async login(name: string, password: string): Promise<LoginError | null> {
		let response: Response;
		try {
			response = await fetch('/db/_session', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ name, password })
			});
		} catch {
			return 'offline';
		}
		if (response.status === 401) return 'bad_login';
		if (response.status === 429) return 'too_many';
		if (!response.ok) return response.status >= 500 ? 'offline' : 'refused';
		const body = (await response.json()) as { name: string; roles: string[] };
		let commune: string;
		try {
			commune = await fetchCommuneSlug();
		} catch {
			return 'offline';
		}
		if (!body.roles.includes(roles.staff(commune))) {
			await fetch('/db/_session', { method: 'DELETE' }).catch(() => undefined);
			return 'not_staff';
		}
		const session = { name: body.name, commune };
		await writeSetting(SESSION_KEY, session);
		if (this.session && this.status === 'unauthorized') this.status = 'idle';
		await this.#open(session);
		void this.sync();
		return null;
	}

	/** Refuses while local changes wait to be sent: signing out would erase them. */
	async logout(): Promise<'unsynced' | null> {
		if (!this.#dbs || !this.#module) return null;
		await this.sync();
		this.pending = await this.#module.pendingCount(this.#dbs, this.refused);
		if (this.pending > 0) return 'unsynced';
		await fetch('/db/_session', { method: 'DELETE' }).catch(() => undefined);
		this.#close();
		await this.#module.destroyStaffDbs(this.#dbs);
		await clearEditorDrafts();
		await deleteSetting(refusalsKey(this.#dbs.commune));
		await deleteSetting(SESSION_KEY);
		this.#dbs = null;
		this.session = null;
		this.#publish();
		return null;
	}

	/** The notice, poll or event at an address, wherever it is stored. */
	find<K extends StaffKind>(kind: K, slug: string): StaffEntryOf[K] | undefined {
		const list = { notice: this.items, poll: this.polls, event: this.events }[kind];
		return (list as StaffEntryOf[K][]).find((entry) => entry.slug === slug);
	}

	/** A readable id for a new notice, poll or event (`notice:marche-noel-k3f9`), not yet on this laptop. */
	newId(kind: StaffKind, title: string): string {
		return newSlugId(kind, title, randomBytes, (id) => this.find(kind, slugOf(id)) !== undefined);
	}

	// ---- Intents: each writes, brings the lists up to date, and schedules the sync.

	/**
	 * Saves a notice, a poll or an event (moving it between the databases when
	 * the action says so), signed with the staff member's name.
	 */
	async save(intent: SaveIntent): Promise<SaveOutcome> {
		const { dbs, db, name } = this.#session();
		const rev = await this.#write(() =>
			db.saveDocument(dbs, { ...intent, fields: { ...intent.fields, updated_by: name } })
		);
		return { rev, conflicted: this.#conflicted(intent.id) };
	}

	/**
	 * Sends a refused document again, unchanged (the server's rules may have
	 * changed). Asked for by key, not written into the list: a pass already
	 * under way would write its own outcome over it, and the request be lost.
	 */
	async retryRefused(refusal: Refusal): Promise<void> {
		this.#retrying.add(refusalKey(refusal));
		await this.sync();
	}

	/** Gives up a refused change: the laptop takes the server's version again (none: it is removed). */
	async abandonRefused(refusal: Refusal): Promise<void> {
		const { dbs, db } = this.#session();
		await this.#write(() => db.abandonChange(dbs, refusal.location, refusal.id));
	}

	/** Throws away a draft. */
	async remove(id: string, location: StaffLocation): Promise<void> {
		const { dbs, db } = this.#session();
		await this.#write(() => db.deleteDocument(dbs, location, id));
	}

	/** Every open version of a document, in both databases, the one shown first. */
	async versions(id: string): Promise<Version[]> {
		const { dbs, db } = this.#session();
		return db.readVersions(dbs, id);
	}

	/** The version that stands, read from the database: after a write the live entry may still be the one from before it. */
	async standing(id: string): Promise<Version | undefined> {
		return (await this.versions(id)).find((open) => open.winning);
	}

	/**
	 * Keeps one version of a conflict; only the versions the panel showed are
	 * settled. False when they were all settled meanwhile (on another laptop,
	 * brought by a sync): nothing was written.
	 */
	async keepVersion(id: string, kept: VersionRef, shown: readonly VersionRef[]): Promise<boolean> {
		const { dbs, db, name } = this.#session();
		return this.#write(async () => {
			const settled = await db.keepVersion(dbs, id, kept, shown, new Date(), name);
			// A published answer is made from its submission: it follows the version kept.
			if (settled && id.startsWith('submission:')) {
				const doc = (await dbs.local.mairie.get(id)) as unknown as SubmissionDoc;
				if (doc.published && isPublishable(doc.status)) {
					await db.publishAnswer(dbs, doc, new Date(), name);
				} else if (doc.published) {
					await db.unpublishAnswer(dbs, doc, new Date(), name);
				}
			}
			return settled;
		});
	}

	/**
	 * Applies a moderation change to a submission; a published answer follows
	 * it (updated, or withdrawn once the status is no longer public).
	 */
	async moderate(id: string, change: ModerationChange): Promise<void> {
		const { dbs, db, name } = this.#session();
		await this.#write(async () => {
			const saved = await db.moderateSubmission(dbs, id, change, new Date(), name);
			if (saved.published && isPublishable(saved.status)) {
				await db.publishAnswer(dbs, saved, new Date(), name);
			} else if (saved.published) {
				await db.unpublishAnswer(dbs, saved, new Date(), name);
			}
		});
	}

	/** Opening a submission takes its "new" flag off, for every staff laptop. */
	async markSeen(id: string): Promise<void> {
		const { dbs, db, name } = this.#session();
		await this.#write(() => db.moderateSubmission(dbs, id, { seen: true }, new Date(), name));
	}

	async publishAnswer(id: string): Promise<void> {
		const { dbs, db, name } = this.#session();
		await this.#write(async () =>
			db.publishAnswer(dbs, await this.#submission(id), new Date(), name)
		);
	}

	async unpublishAnswer(id: string): Promise<void> {
		const { dbs, db, name } = this.#session();
		await this.#write(async () =>
			db.unpublishAnswer(dbs, await this.#submission(id), new Date(), name)
		);
	}

	/** A photo a resident attached, from the laptop's copy (works offline). */
	async photo(id: string, name: string): Promise<Blob> {
		const { dbs, db } = this.#session();
		return db.submissionPhoto(dbs, id, name);
	}

	/** What the participation report counts, from this laptop's replicas. */
	async participationInput(): Promise<ParticipationInput> {
		const { dbs, db } = this.#session();
		return db.readParticipationInput(dbs);
	}

	/** The submission as the lists show it (the latest local revision). */
	async #submission(id: string): Promise<SubmissionDoc> {
		await this.#follow();
		const doc = this.#docs.mairie.get(id);
		if (!doc) throw new NotSignedIn(`no submission ${id}`);
		return doc as unknown as SubmissionDoc;
	}

	/** Runs a local write, then brings the lists up to date and schedules a sync. */
	async #write<T>(write: () => Promise<T>): Promise<T> {
		this.#heal();
		this.#writing++;
		let result: T;
		try {
			result = await write();
		} catch (error) {
			this.#writing--;
			if (isStorageFailure(error)) this.#broken = true;
			// Part of a move may have been written: show what is there.
			else void this.#follow();
			throw error;
		}
		this.#writing--;
		await this.#follow();
		this.#scheduleSync();
		return result;
	}

	#scheduleSync(): void {
		if (this.#afterWrite) clearTimeout(this.#afterWrite);
		this.#afterWrite = setTimeout(() => void this.sync(), AFTER_WRITE_DELAY_MS);
	}

	#conflicted(id: string): boolean {
		const here = [this.#docs.public.get(id), this.#docs.mairie.get(id)].filter(Boolean);
		return here.length > 1 || here.some((doc) => (doc!._conflicts?.length ?? 0) > 0);
	}

	// ---- Following the local changes feed.

	#followSoon(): void {
		if (this.#followTimer) return;
		this.#followTimer = setTimeout(() => {
			this.#followTimer = null;
			// A write in progress follows by itself once done.
			if (this.#writing === 0) void this.#follow();
		}, FOLLOW_DELAY_MS);
	}

	/** Reads what changed since the last read; one pass at a time, one more if asked meanwhile. */
	#follow(): Promise<void> {
		if (this.#following) {
			this.#followAgain = true;
			return this.#following;
		}
		this.#following = (async () => {
			do {
				this.#followAgain = false;
				await this.#catchUp();
			} while (this.#followAgain);
		})().finally(() => {
			this.#following = null;
		});
		return this.#following;
	}

	async #catchUp(): Promise<void> {
		const dbs = this.#dbs;
		const module = this.#module;
		if (!dbs || !module) return;
		this.#heal();
		const generation = this.#generation;
		try {
			await this.#readChanges(dbs, module, generation);
		} catch (error) {
			if (!isStorageFailure(error)) throw error;
			// The lists stay as they were; the next write or sync reads again.
			if (generation === this.#generation) this.#broken = true;
		}
	}

	async #readChanges(
		dbs: StaffDbs,
		module: typeof StaffDbModule,
		generation: number
	): Promise<void> {
		for (const location of module.LOCATIONS) {
			const docs = this.#docs[location];
			for (;;) {
				const page = await dbs.local[location].changes({
					since: this.#seq[location],
					include_docs: true,
					conflicts: true,
					limit: CHANGES_PAGE
				});
				if (generation !== this.#generation) return;
				for (const change of page.results) {
					if (change.id.startsWith('_')) continue;
					if (change.deleted || !change.doc) docs.delete(change.id);
					else docs.set(change.id, change.doc as unknown as StoredDoc);
				}
				this.#seq[location] = page.last_seq;
				if (page.results.length < CHANGES_PAGE) break;
			}
		}
		const unsent = await module.unsentIds(dbs, this.refused);
		if (generation !== this.#generation) return;
		this.#unsent = unsent;
		this.#publish();
	}

	/** Turns what the databases hold into the lists the screens read. */
	#publish(): void {
		const module = this.#module;
		if (!module || !this.#dbs) {
			this.items = [];
			this.polls = [];
			this.events = [];
			this.residents = [];
			this.kiosks = [];
			this.submissions = [];
			this.pending = 0;
			return;
		}
		const now = new Date();
		const all = [...this.#entries()];
		const lists = module.staffLists(all, this.#unsent, now);
		this.items = lists.notice;
		this.polls = lists.poll;
		this.events = lists.event;
		this.residents = lists.residents;
		this.kiosks = lists.kiosks;
		this.submissions = lists.submissions;
		const commune = this.#docs.public.get('commune') as unknown as StoredCommune | undefined;
		if (commune) {
			this.commune = commune;
			this.communeName = commune.name;
			this.timeZone = commune.timezone;
		}
		this.pending = this.#unsent.public.size + this.#unsent.mairie.size;
	}

	*#entries(): Generator<{ location: StaffLocation; doc: StoredDoc }> {
		for (const location of ['public', 'mairie'] as const) {
			for (const doc of this.#docs[location].values()) yield { location, doc };
		}
	}

	// ---- Sync.

	/** One sync at a time; a request during a sync runs one more pass after it. */
	sync(): Promise<void> {
		if (this.#syncing) {
			this.#again = true;
			return this.#syncing;
		}
		this.#syncing = this.#syncLoop().finally(() => {
			this.#syncing = null;
		});
		return this.#syncing;
	}

	async #syncLoop(): Promise<void> {
		do {
			this.#again = false;
			await this.#syncPass();
		} while (this.#again && this.status === 'idle');
	}

	async #syncPass(): Promise<void> {
		const dbs = this.#dbs;
		const module = this.#module;
		if (!dbs || !module) return;
		if (navigator.onLine === false) {
			this.status = 'offline';
			return;
		}
		this.status = 'syncing';
		// Asked again: sent as if it had changed (no revision to skip).
		const retrying = new Set(this.#retrying);
		const earlier = this.refused.map((kept) =>
			retrying.has(refusalKey(kept)) ? { ...kept, revs: [] } : kept
		);
		try {
			const outcome = await module.syncOnce(dbs, WATCHDOG_MS, earlier);
			for (const key of retrying) this.#retrying.delete(key);
			this.refused = outcome.refused;
			await writeSetting(refusalsKey(dbs.commune), outcome.refused);
			this.syncedAt = new Date();
			this.status = 'idle';
			this.#retry.reset();
		} catch (error) {
			const reason = (error as { reason?: string }).reason;
			this.status =
				reason === 'unauthorized' ? 'unauthorized' : reason === 'offline' ? 'offline' : 'error';
			// A session that expired needs the secretary, not a retry.
			if (this.status !== 'unauthorized') this.#retry.schedule(() => void this.sync());
		}
		// What was sent is no longer waiting; what came in is on the lists.
		await this.#follow();
	}

	#start(): void {
		if (this.#started) return;
		this.#started = true;
		onSyncTriggers(() => void this.sync(), {
			periodMs: PERIODIC_SYNC_MS,
			onOffline: () => (this.status = 'offline'),
			// An expired session waits for the secretary to sign in again.
			when: () => this.status !== 'unauthorized'
		});
	}
}

export const staffStore = new StaffStore();
