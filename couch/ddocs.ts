import fs from 'node:fs';
import path from 'node:path';
import { ISO_DATE_PATTERN, LIMITS } from '../src/lib/domain/limits.ts';
import { LABEL_FOLDS } from '../src/lib/domain/poll-rules.ts';
import { FIELD_LABELS } from '../src/lib/domain/field-labels.ts';
import { projectRoot } from './root.ts';

export interface DesignDoc {
	_id: string;
	_rev?: string;
	language: 'javascript';
	validate_doc_update: string;
	views: Record<string, { map: string }>;
}

/** Databases that carry a design document, by suffix. */
export type DesignedDatabase = 'public' | 'mairie';

export const DESIGN_DOC_ID = '_design/crieur';

function ddocsDir(): string {
	return path.join(projectRoot(), 'couch', 'ddocs');
}

function readSource(relative: string): string {
	return fs.readFileSync(path.join(ddocsDir(), relative), 'utf8');
}

/** Drops the leading comment block that says where a function runs. */
function functionBody(source: string): string {
	return source.replace(/^(\/\/.*\n)+/, '').trim();
}

/** views/<name>/map.js of a database's design document. */
export function viewsOf(which: DesignedDatabase): Record<string, { map: string }> {
	const dir = path.join(ddocsDir(), which, 'views');
	if (!fs.existsSync(dir)) return {};
	const views: Record<string, { map: string }> = {};
	for (const name of fs.readdirSync(dir).sort()) {
		views[name] = { map: functionBody(readSource(`${which}/views/${name}/map.js`)) };
	}
	return views;
}

/** The validate_doc_update source with the shared limits, the answers' fold table and helpers pasted in. */
export function validateSource(which: DesignedDatabase, commune: string): string {
	return functionBody(readSource(`${which}/validate_doc_update.js`))
		.replace('/*CHECKS*/', functionBody(readSource('lib/checks.js')))
		.replace("/*COMMUNE*/ ''", JSON.stringify(commune))
		.replace('/*LIMITS*/ null', JSON.stringify(LIMITS))
		.replace("/*ISO_DATE*/ ''", JSON.stringify(ISO_DATE_PATTERN))
		.replace('/*FOLDS*/ null', JSON.stringify(LABEL_FOLDS))
		.replace('/*FIELD_LABELS*/ null', JSON.stringify(FIELD_LABELS));
}

export function designDoc(which: DesignedDatabase, commune: string): DesignDoc {
	return {
		_id: DESIGN_DOC_ID,
		language: 'javascript',
		validate_doc_update: validateSource(which, commune),
		views: viewsOf(which)
	};
}

/** Pure compare step of an idempotent deploy: only content counts, not revisions. */
export function designDocChanged(current: Partial<DesignDoc> | null, wanted: DesignDoc): boolean {
	if (!current) return true;
	return (
		current.language !== wanted.language ||
		current.validate_doc_update !== wanted.validate_doc_update ||
		JSON.stringify(current.views ?? {}) !== JSON.stringify(wanted.views)
	);
}
