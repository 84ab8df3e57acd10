/**
 * The server's log: one JSON object per line (a request, a job's event), for a
 * host's journald or log shipper. Lines never carry what a request's body,
 * query or cookies hold (codes, passwords, sessions), nor who made it.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

type Level = 'info' | 'warn' | 'error';

/** Userinfo in a URL (`//admin:secret@host`), as an error message may quote CouchDB's address. */
const CREDENTIALS_IN_URL = /\/\/[^/\s:@]+:[^/\s@]+@/g;

export function withoutCredentials(text: string): string {
	return text.replace(CREDENTIALS_IN_URL, '//***@');
}

export function logEvent(level: Level, event: string, fields: LogFields = {}): void {
	const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...fields });
	(level === 'info' ? process.stdout : process.stderr).write(`${line}\n`);
}

/** An error's message (never its stack: a stack can quote data), without credentials. */
export function errorText(error: unknown): string {
	const text = error instanceof Error ? error.message : String(error);
	return withoutCredentials(text).slice(0, 500);
}

/**
 * What a request line says of its address: the path alone (a query can hold a
 * code from a resident's letter), and of `/db/_users/…` only the database, as
 * a user document's id names a resident or a staff member.
 */
export function loggedPath(pathname: string): string {
	const users = /^\/db\/_users(\/|$)/.exec(pathname);
	return users ? '/db/_users' : pathname.slice(0, 200);
}
