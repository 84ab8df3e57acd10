import { LOCALE } from '../i18n/index.ts';

const DEFAULT_TIME_ZONE = 'Europe/Paris';

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
	const key = `${timeZone}|${JSON.stringify(options)}`;
	let format = dateFormats.get(key);
	if (!format) {
		format = new Intl.DateTimeFormat(LOCALE, { timeZone, ...options });
		dateFormats.set(key, format);
	}
	return format;
}

/** "25 novembre 2026" in the commune's time zone, whatever the device's. */
export function formatDate(iso: string, timeZone = DEFAULT_TIME_ZONE): string {
	return formatter(timeZone, { day: 'numeric', month: 'long', year: 'numeric' }).format(
		new Date(iso)
	);
}

/** "25 novembre 2026 à 14:05". */
export function formatDateTime(iso: string, timeZone = DEFAULT_TIME_ZONE): string {
	return formatter(timeZone, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(iso));
}

const relative = new Intl.RelativeTimeFormat(LOCALE, { numeric: 'auto' });

/** "à l'instant", "il y a 3 min", "hier"… */
export function formatAgo(from: Date, now: Date): string {
	const seconds = Math.round((from.getTime() - now.getTime()) / 1000);
	const abs = Math.abs(seconds);
	if (abs < 45) return 'à l’instant';
	if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
	if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
	return relative.format(Math.round(seconds / 86_400), 'day');
}

const sizes = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });

export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} o`;
	if (bytes < 1024 * 1024) return `${sizes.format(bytes / 1024)} Ko`;
	return `${sizes.format(bytes / 1024 / 1024)} Mo`;
}

/** Value for <input type="datetime-local"> in the device's zone, from an ISO date. */
export function toLocalInput(iso: string | null): string {
	if (!iso) return '';
	const date = new Date(iso);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** ISO date (UTC) from an <input type="datetime-local"> value, or null when empty or invalid. */
export function fromLocalInput(value: string): string | null {
	if (!value) return null;
	const date = new Date(value);
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
