import { m } from '#lib/i18n/index.ts';

/** What staff are told once a version of a conflict is kept: settled here, or already elsewhere. */
export function settledMessage(settled: boolean): { kind: 'ok' | 'warn'; text: string } {
	return settled
		? { kind: 'ok', text: m.editor_conflictResolved() }
		: { kind: 'warn', text: m.conflict_settledElsewhere() };
}
