import nodemailer, { type Transporter } from 'nodemailer';
import type { Notice } from '../../domain/notice.ts';
import { pathOf } from '../../domain/reach.ts';
import { m, type Locale } from '../../i18n/index.ts';
import type { Backend } from '../backend.ts';

/** One e-mail, text only: it reads the same in every client, a screen reader included. */
export interface Mail {
	to: string;
	subject: string;
	text: string;
	/** The page that unsubscribes, and the one-click address mail clients post to (RFC 8058). */
	unsubscribe: { page: string; oneClick: string };
}

/** `gone`: the server refused the address for good (5xx); it is forgotten. */
export type MailOutcome = 'sent' | 'gone' | 'failed';

const transports = new Map<string, Transporter>();

/** Whether this deployment sends e-mail (SMTP_URL set). */
export const mailEnabled = (backend: Backend) => backend.config.smtpUrl !== null;

function transportOf(url: string): Transporter {
	let transport = transports.get(url);
	if (!transport) {
		// A pool: a fan-out sends hundreds of messages over a few connections.
		transport = nodemailer.createTransport(url, { pool: true, maxConnections: 4 } as never);
		transports.set(url, transport);
	}
	return transport;
}

/** Sends one message; never throws: one address's failure is that address's. */
export async function sendMail(backend: Backend, mail: Mail): Promise<MailOutcome> {
	if (!backend.config.smtpUrl) return 'failed';
	try {
		await transportOf(backend.config.smtpUrl).sendMail({
			from: backend.config.mailFrom,
			to: mail.to,
			subject: mail.subject,
			text: mail.text,
			list: { unsubscribe: { url: mail.unsubscribe.oneClick, comment: 'Se désabonner' } },
			headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
		});
		return 'sent';
	} catch (error) {
		const code = (error as { responseCode?: number }).responseCode;
		return code !== undefined && code >= 500 && code < 600 ? 'gone' : 'failed';
	}
}

/** The unsubscribe addresses of a message, from the link's token. */
export function unsubscribeLinks(origin: string, token: string): Mail['unsubscribe'] {
	const query = `?t=${encodeURIComponent(token)}`;
	return {
		page: `${origin}/alertes/email${query}&action=desabonner`,
		oneClick: `${origin}/api/email/unsubscribe${query}`
	};
}

const footer = (locale: Locale, unsubscribe: Mail['unsubscribe']) =>
	`\n\n-- \n${m.mail_footer({ link: unsubscribe.page }, { locale })}\n`;

/** The message with the confirmation link: nothing else is sent before it is followed. */
export function confirmationMail(context: {
	to: string;
	communeName: string;
	origin: string;
	lang: Locale;
	confirm: string;
	unsubscribe: string;
}): Mail {
	const locale = context.lang;
	const unsubscribe = unsubscribeLinks(context.origin, context.unsubscribe);
	const link = `${context.origin}/alertes/email?t=${encodeURIComponent(context.confirm)}&action=confirmer`;
	return {
		to: context.to,
		subject: m.mail_confirmSubject({ commune: context.communeName }, { locale }),
		text:
			m.mail_confirmText({ commune: context.communeName, link }, { locale }) +
			footer(locale, unsubscribe),
		unsubscribe
	};
}

/** What a person registered at the counter receives first: what they will get, and how to stop. */
export function welcomeMail(context: {
	to: string;
	communeName: string;
	origin: string;
	lang: Locale;
	unsubscribe: string;
}): Mail {
	const locale = context.lang;
	const unsubscribe = unsubscribeLinks(context.origin, context.unsubscribe);
	return {
		to: context.to,
		subject: m.mail_welcomeSubject({ commune: context.communeName }, { locale }),
		text:
			m.mail_welcomeText({ commune: context.communeName }, { locale }) +
			footer(locale, unsubscribe),
		unsubscribe
	};
}

/** An urgent alert: its whole text and its link. */
export function alertMail(
	notice: Pick<Notice, '_id' | 'title' | 'body'>,
	context: {
		to: string;
		title: string;
		communeName: string;
		origin: string;
		lang: Locale;
		unsubscribe: string;
	}
): Mail {
	const locale = context.lang;
	const unsubscribe = unsubscribeLinks(context.origin, context.unsubscribe);
	const link = `${context.origin}${pathOf(notice._id)}`;
	return {
		to: context.to,
		subject: m.mail_alertSubject(
			{ title: context.title, commune: context.communeName },
			{ locale }
		),
		text: `${context.title}\n\n${notice.body.trim()}\n\n${m.mail_readOnline({ link }, { locale })}${footer(locale, unsubscribe)}`,
		unsubscribe
	};
}

/** The week's new notices, events and polls, each with its link. */
export function weeklyMail(
	items: readonly { id: string; title: string }[],
	context: { to: string; communeName: string; origin: string; lang: Locale; unsubscribe: string }
): Mail {
	const locale = context.lang;
	const unsubscribe = unsubscribeLinks(context.origin, context.unsubscribe);
	const lines = items.map((item) => `• ${item.title}\n  ${context.origin}${pathOf(item.id)}`);
	return {
		to: context.to,
		subject:
			items.length === 1
				? m.mail_weeklySubjectOne(
						{ commune: context.communeName, title: items[0].title },
						{ locale }
					)
				: m.mail_weeklySubject({ commune: context.communeName, count: items.length }, { locale }),
		text: `${m.mail_weeklyIntro({ commune: context.communeName }, { locale })}\n\n${lines.join('\n\n')}${footer(locale, unsubscribe)}`,
		unsubscribe
	};
}
