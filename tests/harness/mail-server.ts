import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
	to: string;
	subject: string;
	text: string;
	headers: ParsedMail['headers'];
	/** A header as sent (mailparser groups the List-* ones into one object). */
	header(name: string): string | undefined;
}

export interface MailServer {
	/** SMTP_URL for the app. */
	url: string;
	received: ReceivedMail[];
	/** What reached one address, in order. */
	to(address: string): ReceivedMail[];
	/** Refuses every message to `address` with 550, as a server refuses an address that does not exist. */
	reject(address: string): void;
	stop(): Promise<void>;
}

function headerReader(message: string): (name: string) => string | undefined {
	// Header lines up to the first blank line; folded ones continue with a space.
	const lines = message
		.split(/\r?\n\r?\n/)[0]
		.replace(/\r?\n[ \t]+/g, ' ')
		.split(/\r?\n/);
	return (name) =>
		lines
			.find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
			?.slice(name.length + 1)
			.trim();
}

/**
 * A real SMTP server on loopback (smtp-server), no TLS nor login: the app's
 * nodemailer speaks to it as to the host's relay. Every message is parsed
 * (mailparser) for tests to read its headers and follow its links.
 */
export async function startMailServer(): Promise<MailServer> {
	const received: ReceivedMail[] = [];
	const rejected = new Set<string>();
	const server = new SMTPServer({
		authOptional: true,
		// No DNS here: a reverse lookup of 127.0.0.1 would hold every connection.
		disableReverseLookup: true,
		disabledCommands: ['STARTTLS', 'AUTH'],
		logger: false,
		onRcptTo(address, _session, callback) {
			if (rejected.has(address.address.toLowerCase())) {
				const error = new Error('Adresse inconnue') as Error & { responseCode: number };
				error.responseCode = 550;
				callback(error);
				return;
			}
			callback();
		},
		onData(stream, session, callback) {
			const chunks: Uint8Array[] = [];
			stream.on('data', (chunk: Uint8Array) => chunks.push(chunk));
			stream.on('end', async () => {
				const raw = Buffer.concat(chunks);
				const parsed = await simpleParser(raw);
				for (const recipient of session.envelope.rcptTo) {
					received.push({
						to: recipient.address.toLowerCase(),
						subject: parsed.subject ?? '',
						text: parsed.text ?? '',
						headers: parsed.headers,
						header: headerReader(raw.toString('utf8'))
					});
				}
				callback();
			});
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.server.address() as { port: number };
	return {
		url: `smtp://127.0.0.1:${port}`,
		received,
		to: (address) => received.filter((mail) => mail.to === address.toLowerCase()),
		reject: (address) => rejected.add(address.toLowerCase()),
		stop: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}
