import { instantFromWallTime, wallTimeFromInstant } from '../domain/event.ts';
import { DEFAULT_TIME_ZONE } from '../domain/limits.ts';
import { intlLocale, m } from '../i18n/index.ts';

// Intl formatters are slow to build: one per language and options.
const formatters = new Map<
	string,
	Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat
>();

function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>(
	key: string,
	create: (locale: string) => T
): T {
	const locale = intlLocale();
	const fullKey = `${locale}|${key}`;
	let format = formatters.get(fullKey) as T | undefined;
	if (!format) {
		format = create(locale);
		formatters.set(fullKey, format);
	}
	return format;
}

function dateFormatter(timeZone: string, options: Intl.DateTimeFormatOptions) {
	return cached(
		`date|${timeZone}|${JSON.stringify(options)}`,
		(locale) => new Intl.DateTimeFormat(locale, { timeZone, ...options })
	);
}

/** French writes the first day of a month as an ordinal: « 1er décembre », not « 1 décembre ». */
function joinParts(format: Intl.DateTimeFormat, parts: Intl.DateTimeFormatPart[]): string {
	const french = format.resolvedOptions().locale.startsWith('fr');
	return parts
		.map((part) => (french && part.type === 'day' && part.value === '1' ? '1er' : part.value))
		.join('');
}

function formatWith(format: Intl.DateTimeFormat, date: Date): string {
	return joinParts(format, format.formatToParts(date));
}

function formatRangeWith(format: Intl.DateTimeFormat, start: Date, end: Date): string {
	return joinParts(format, format.formatRangeToParts(start, end));
}

/** "25 novembre 2026" / "25 November 2026" in the commune's time zone, whatever the device's. */
export function formatDate(iso: string, timeZone = DEFAULT_TIME_ZONE): string {
	return formatWith(
		dateFormatter(timeZone, { day: 'numeric', month: 'long', year: 'numeric' }),
		new Date(iso)
	);
}

/** "25 novembre 2026 à 14:05" / "25 November 2026 at 14:05". */
export function formatDateTime(iso: string, timeZone = DEFAULT_TIME_ZONE): string {
	return formatWith(
		dateFormatter(timeZone, { dateStyle: 'long', timeStyle: 'short' }),
		new Date(iso)
	);
}

/**
 * When an event happens, in the commune's time zone: "samedi 12 décembre 2026,
 * 20:00 – 22:30", or days for a whole-day event (its end is exclusive).
 */
export function formatEventWhen(
	event: { starts_at: string; ends_at: string; all_day: boolean },
	timeZone = DEFAULT_TIME_ZONE
): string {
	const start = new Date(event.starts_at);
	if (event.all_day) {
		const lastDay = new Date(Math.max(start.getTime(), Date.parse(event.ends_at) - 1));
		const format = dateFormatter(timeZone, {
			weekday: 'long',
			day: 'numeric',
			month: 'long',
			year: 'numeric'
		});
		return formatRangeWith(format, start, lastDay);
	}
	const format = dateFormatter(timeZone, {
		weekday: 'long',
		day: 'numeric',
		month: 'long',
		year: 'numeric',
		hour: '2-digit',
		minute: '2-digit'
	});
	return formatRangeWith(format, start, new Date(event.ends_at));
}

/** "20:00" in the commune's time zone. */
export function formatTime(iso: string, timeZone = DEFAULT_TIME_ZONE): string {
	return dateFormatter(timeZone, { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

/** "décembre 2026" for "2026-12". */
export function formatMonth(month: string): string {
	return dateFormatter('UTC', { month: 'long', year: 'numeric' }).format(
		new Date(`${month}-15T12:00:00Z`)
	);
}

/** "janv." for "2026-01": a month in a chart's narrow column. */
export function formatMonthShort(month: string): string {
	return dateFormatter('UTC', { month: 'short' }).format(new Date(`${month}-15T12:00:00Z`));
}

/** A calendar day "2026-12-12": "samedi 12 décembre" (long) or "12" (day). */
export function formatDay(day: string, style: 'long' | 'weekday' = 'long'): string {
	const options: Intl.DateTimeFormatOptions =
		style === 'long' ? { weekday: 'long', day: 'numeric', month: 'long' } : { weekday: 'short' };
	return formatWith(dateFormatter('UTC', options), new Date(`${day}T12:00:00Z`));
}

/** "mercredi 25 novembre à 14:05" for the kiosk's clock, in the commune's time zone. */
export function formatClock(date: Date, timeZone = DEFAULT_TIME_ZONE): string {
	const format = dateFormatter(timeZone, {
		weekday: 'long',
		day: 'numeric',
		month: 'long',
		hour: '2-digit',
		minute: '2-digit'
	});
	return formatWith(format, date);
}

/** "à l'instant", "il y a 3 min", "hier"… in the current language. */
export function formatAgo(from: Date, now: Date): string {
	const seconds = Math.round((from.getTime() - now.getTime()) / 1000);
	const abs = Math.abs(seconds);
	if (abs < 45) return m.time_justNow();
	const relative = cached(
		'relative',
		(locale) => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
	);
	if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
	if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
	return relative.format(Math.round(seconds / 86_400), 'day');
}

/** "1 234", "1,234"… */
export function formatNumber(value: number): string {
	return cached('number', (locale) => new Intl.NumberFormat(locale)).format(value);
}

/** "42 %" / "42%", from a share between 0 and 100. */
export function formatPercent(percent: number): string {
	return cached(
		'percent',
		(locale) => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 })
	).format(percent / 100);
}

/** "850 octets", "1,5 ko", "2 Mo" / "850 bytes", "1.5 kB", "2 MB". */
export function formatBytes(bytes: number): string {
	const [value, unit] =
		bytes < 1024
			? [bytes, 'byte']
			: bytes < 1024 * 1024
				? [bytes / 1024, 'kilobyte']
				: [bytes / 1024 / 1024, 'megabyte'];
	return cached(
		`bytes|${unit}`,
		(locale) =>
			new Intl.NumberFormat(locale, {
				style: 'unit',
				unit,
				unitDisplay: unit === 'byte' ? 'long' : 'short',
				maximumFractionDigits: 1
			})
	).format(value);
}

/**
 * Value for <input type="datetime-local">, from an ISO date, as the commune's
 * clocks show it: a laptop set to another zone still reads the commune's
 * hours (issue 13 §2). The zone is the commune document's.
 */
export function toLocalInput(iso: string | null, timeZone: string): string {
	if (!iso || Number.isNaN(Date.parse(iso))) return '';
	return wallTimeFromInstant(iso, timeZone);
}

/** ISO date (UTC) from an <input type="datetime-local"> value typed in the commune's zone, or null when empty or invalid. */
export function fromLocalInput(value: string, timeZone: string): string | null {
	if (!value) return null;
	return instantFromWallTime(value.slice(0, 16), timeZone);
}
