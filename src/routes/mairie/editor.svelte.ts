import { untrack } from 'svelte';
import { beforeNavigate, goto } from '$app/navigation';
import { page } from '$app/state';
import { deleteEditorDraft, readEditorDraft, writeEditorDraft } from '#lib/client/device-db.ts';
import { messageFor } from '#lib/client/error-message.ts';
import type { StaffDocument, StaffEntryOf, StaffKind, Version } from '#lib/client/staff/index.ts';
import { staffStore, type SaveIntent } from '#lib/client/staff-store.svelte.ts';
import type { Validation, ValidationIssue } from '#lib/domain/validation.ts';
import type { StaffLocation } from '#lib/domain/staff-notice.ts';
import { m } from '#lib/i18n/index.ts';
import { validationMessage } from '#lib/i18n/staff-labels.ts';
import { listPath, staffPath } from './paths.ts';
import { settledMessage } from './settled.ts';

export interface EditorMessage {
	kind: 'ok' | 'warn' | 'error';
	text: string;
	/** Said instead once the change reached the server (it no longer "will leave"). */
	sent?: string;
}

/** What one save asks for: built by the editor from its fields when staff press a button. */
export interface PreparedSave {
	/** Where it goes and what it holds; where it was and its base revision are the editor's. */
	request: Omit<SaveIntent, 'from' | 'baseRev'>;
	/** The app's own check of the document as it will be stored. */
	check: Validation<unknown>;
	/** Said when the check fails. */
	invalid: string;
	/** Asked first (a date in the past, a retraction); the save stops on "Cancel". */
	confirm?: string;
	/** Said once it is saved. */
	done: EditorMessage;
}

export interface EditorOptions<K extends StaffKind, V> {
	kind: K;
	/** The document's address, null for a new one. */
	slug: string | null;
	/** Puts a stored document (from the database named) into the form. */
	fill(doc: StaffEntryOf[K]['doc'], location: StaffLocation): void;
	/** The form as plain values (Blobs allowed): kept on the device, compared to tell a change. */
	values(): V;
	/** Puts values kept on the device back into the form. */
	restore(values: V): void;
}

/** What the shared banners and the leave dialog read of an editor, whatever its fields. */
export interface EditorView {
	readonly message: EditorMessage | null;
	readonly shownMessage: string;
	readonly restoredFrom: string | null;
	readonly versions: Version[];
	readonly busy: boolean;
	/** Saved on this laptop, not on the server yet. */
	readonly unsent: boolean;
	leaving: { go: () => Promise<void> } | null;
	discardDraft(): Promise<void>;
	keep(version: Version): Promise<void>;
}

const AUTOSAVE_DELAY_MS = 400;

/** A form's values as text, files by name and size only: equal text, nothing to keep. */
function fingerprint(values: unknown): string {
	return JSON.stringify(values, (_key, value: unknown) =>
		value instanceof Blob ? { size: value.size, type: value.type } : value
	);
}

/**
 * The state every staff editor shares (notices, polls, events): the form
 * filled once per document, never under the user's fingers; the revision it
 * was filled from; validation issues and the message; validate → save →
 * navigate, with errors in words; the conflict panel's versions; the warning
 * before leaving with unsaved changes, and the draft kept on this laptop
 * meanwhile. Each editor keeps its own fields and passes them in.
 */
export class StaffEditor<K extends StaffKind, V> implements EditorView {
	readonly kind: K;
	readonly slug: string | null;
	entry = $derived.by(() =>
		this.slug === null ? undefined : staffStore.find(this.kind, this.slug)
	);
	issues = $state<ValidationIssue[]>([]);
	// A save that gave a new document its address navigates there with its confirmation.
	message = $state<EditorMessage | null>(page.state.message ?? null);
	busy = $state(false);
	versions = $state.raw<Version[]>([]);
	/** When the form came back from a draft kept on this laptop (not saved yet). */
	restoredFrom = $state<string | null>(null);
	/** An in-app navigation held back by unsaved changes, until staff choose. */
	leaving = $state<{ go: () => Promise<void> } | null>(null);
	/** The revision the form was filled from, then the one each save wrote, and where it is. */
	baseRev: string | null = null;
	from = $state<StaffLocation | null>(null);

	#options: EditorOptions<K, V>;
	#filled = $state(false);
	#clean = $state('');
	#initial: V;
	#mayLeave = false;
	#pendingDraft: (() => void) | null = null;
	dirty = $derived.by(() => this.#filled && fingerprint(this.#options.values()) !== this.#clean);

	constructor(options: EditorOptions<K, V>) {
		this.#options = options;
		this.kind = options.kind;
		this.slug = options.slug;
		this.#initial = $state.snapshot(options.values()) as V;

		// Fill once per document opened (and again after a kept version), then
		// bring back what was typed and not saved, if the laptop kept it.
		$effect(() => {
			const entry = this.entry;
			if (this.#filled) return;
			if (this.slug !== null && !entry) return;
			untrack(() => {
				if (entry) this.#fillFrom(entry.doc as StaffEntryOf[K]['doc'], entry.location);
				else this.#markClean();
				void this.#restoreDraft();
			});
		});

		// Every open version, for the conflict panel, whenever the document's versions change.
		$effect(() => {
			const entry = this.entry;
			const signature = entry?.conflicted
				? `${entry.location}/${entry.doc._rev}/${entry.conflicts.join()}/${entry.elsewhere}`
				: '';
			if (!entry || !signature) {
				this.versions = [];
				return;
			}
			let current = true;
			void staffStore.versions(entry.id).then((found) => {
				if (current) this.versions = found;
			});
			return () => {
				current = false;
			};
		});

		// What is typed is kept on this laptop as it goes, and forgotten once clean.
		$effect(() => {
			if (!this.#filled) return;
			const values = this.#options.values();
			const clean = fingerprint(values) === this.#clean;
			const keep = () => {
				this.#pendingDraft = null;
				if (clean) void deleteEditorDraft(this.#draftKey);
				else void this.#keepDraft($state.snapshot(values) as V);
			};
			this.#pendingDraft = keep;
			const timer = setTimeout(keep, AUTOSAVE_DELAY_MS);
			return () => clearTimeout(timer);
		});
		// Leaving the page right after typing still keeps the last keystrokes.
		$effect(() => () => this.#pendingDraft?.());

		beforeNavigate((navigation) => {
			if (!this.dirty || this.#mayLeave) return;
			// Closing the tab or leaving the site: the browser asks, in its own words.
			navigation.cancel();
			if (navigation.willUnload || !navigation.to) return;
			const to = navigation.to.url;
			const delta = navigation.type === 'popstate' ? navigation.delta : undefined;
			this.leaving = {
				go: async () => {
					this.#mayLeave = true;
					this.leaving = null;
					if (delta) history.go(delta);
					else await goto(to);
				}
			};
		});
	}

	get #draftKey(): string {
		return `${this.kind}:${this.slug ?? 'new'}`;
	}

	get unsent(): boolean {
		return this.entry?.unsent ?? false;
	}

	/** The message as it stands now: "will leave at the next sync" turns into "sent". */
	get shownMessage(): string {
		const message = this.message;
		if (!message) return '';
		return message.sent && this.entry && !this.entry.unsent ? message.sent : message.text;
	}

	issueFor(field: string, nested = false): string | undefined {
		const issue = this.issues.find(
			(entry) => entry.field === field || (nested && entry.field.startsWith(`${field}.`))
		);
		return issue ? validationMessage(issue.code) : undefined;
	}

	#fillFrom(doc: StaffEntryOf[K]['doc'], location: StaffLocation): void {
		this.#options.fill(doc, location);
		this.baseRev = doc._rev ?? null;
		this.from = location;
		this.#markClean();
	}

	#markClean(): void {
		this.#clean = fingerprint(this.#options.values());
		this.#filled = true;
	}

	async #keepDraft(values: V): Promise<void> {
		const draft = { key: this.#draftKey, base_rev: this.baseRev, base_location: this.from, values };
		// A draft that cannot be kept (storage full) costs nothing but the safety net.
		await writeEditorDraft(draft).catch((error: unknown) => console.warn(error));
	}

	async #restoreDraft(): Promise<void> {
		const draft = await readEditorDraft(this.#draftKey).catch(() => undefined);
		if (!draft || fingerprint(draft.values) === this.#clean) return;
		this.#options.restore(draft.values as V);
		// Saved from the draft, it builds on the version the draft was typed on.
		this.baseRev = draft.base_rev;
		this.from = draft.base_location;
		this.restoredFrom = draft.saved_at;
	}

	/** Forgets the draft kept on this laptop and shows the saved document again. */
	async discardDraft(): Promise<void> {
		await deleteEditorDraft(this.#draftKey);
		this.restoredFrom = null;
		const entry = this.entry;
		if (entry) this.#fillFrom(entry.doc as StaffEntryOf[K]['doc'], entry.location);
		else {
			this.#options.restore(this.#initial);
			this.#markClean();
		}
	}

	/** Validate → save → fill from what was saved → go to its address; errors in words. */
	async save(prepare: () => PreparedSave | null): Promise<boolean> {
		this.message = null;
		const prepared = prepare();
		if (!prepared) return false;
		const { request, check } = prepared;
		this.issues = check.ok ? [] : check.issues;
		if (!check.ok) {
			this.message = { kind: 'error', text: prepared.invalid };
			return false;
		}
		if (prepared.confirm && !confirm(prepared.confirm)) return false;
		this.busy = true;
		try {
			const outcome = await staffStore.save({ ...request, from: this.from, baseRev: this.baseRev });
			await deleteEditorDraft(this.#draftKey).catch(() => undefined);
			this.restoredFrom = null;
			// The form shows what was saved, even when a conflict lets another version win.
			const versions = await staffStore.versions(request.id);
			const saved = versions.find(
				(version) => version.location === request.to && version.rev === outcome.rev
			);
			if (saved) this.#fillFrom(saved.doc as StaffEntryOf[K]['doc'], request.to);
			this.baseRev = outcome.rev;
			this.from = request.to;
			if (outcome.conflicted) this.versions = versions;
			this.message = outcome.conflicted
				? { kind: 'warn', text: m.editor_savedWithConflict() }
				: prepared.done;
			const slug = request.id.slice(this.kind.length + 1);
			if (this.slug !== slug) {
				this.#mayLeave = true;
				await goto(staffPath(this.kind, slug), {
					replaceState: true,
					state: { message: this.message }
				});
			}
			return true;
		} catch (error) {
			this.message = { kind: 'error', text: messageFor(error) };
			return false;
		} finally {
			this.busy = false;
		}
	}

	/** Keeps one version of a conflict, then shows it in the form. */
	async keep(version: Version): Promise<void> {
		const entry = this.entry;
		if (!entry) return;
		if (this.dirty && !confirm(m.conflict_replaceUnsaved())) return;
		this.busy = true;
		try {
			// Only the versions on screen are settled; one arriving meanwhile stays open.
			const settled = await staffStore.keepVersion(entry.id, version, this.versions);
			await deleteEditorDraft(this.#draftKey).catch(() => undefined);
			this.restoredFrom = null;
			const standing = await staffStore.standing(entry.id);
			if (standing) this.#fillFrom(standing.doc as StaffEntryOf[K]['doc'], standing.location);
			else this.#filled = false;
			// Said once the form shows the version kept, not before.
			this.message = settledMessage(settled);
		} catch (error) {
			this.message = { kind: 'error', text: messageFor(error) };
		} finally {
			this.busy = false;
		}
	}

	/** Throws a draft away and goes back to the list. */
	async remove(confirmText: string): Promise<void> {
		const entry = this.entry;
		if (!entry || !confirm(confirmText)) return;
		try {
			await staffStore.remove(entry.id, entry.location);
			await deleteEditorDraft(this.#draftKey).catch(() => undefined);
			this.#mayLeave = true;
			await goto(listPath(this.kind));
		} catch (error) {
			this.message = { kind: 'error', text: messageFor(error) };
		}
	}
}

export type { StaffDocument };
