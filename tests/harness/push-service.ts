import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import ece from 'http_ece';
import selfsigned from 'selfsigned';

/**
 * A push service on loopback, as FCM or Mozilla's would be: it takes what the
 * app server sends over TLS (web-push speaks only https), decrypts it with the
 * device's own keys as a browser would, and keeps it for the test to read.
 * Devices are made here with their own P-256 keys: Chromium cannot make a
 * real subscription without the internet.
 */
export interface FakeDevice {
	name: string;
	subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
}

export interface ReceivedPush {
	device: string;
	ttl: number;
	urgency: string | undefined;
	topic: string | undefined;
	/** The VAPID public key the message was signed with (`k=` of the Authorization header). */
	vapidKey: string | undefined;
	message: unknown;
}

export interface PushService {
	/** `127.0.0.1:port`, as CRIEUR_PUSH_SERVICES names it. */
	host: string;
	/** The service's certificate, for the app's NODE_EXTRA_CA_CERTS. */
	caFile: string;
	device(name: string): FakeDevice;
	received: ReceivedPush[];
	/** What one device received so far. */
	receivedBy(name: string): ReceivedPush[];
	/** The device's subscription is gone: the service answers 410 from now on. */
	forget(name: string): void;
	/**
	 * The service holds the device's next message without answering, until
	 * `release`; a message whose sender hung up meanwhile was never taken.
	 */
	hold(name: string): Promise<void>;
	release(): Promise<void>;
	requests: number;
	stop(): Promise<void>;
}

interface DeviceKeys {
	ecdh: ECDH;
	auth: Buffer;
}

/** `decrypt: false` only counts (a fan-out benchmark's ten thousand messages). */
export async function startPushService(options: { decrypt?: boolean } = {}): Promise<PushService> {
	const decrypt = options.decrypt ?? true;
	const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], {
		keyType: 'ec',
		algorithm: 'sha256',
		extensions: [
			{ name: 'basicConstraints', cA: true },
			{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }
		]
	});
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-push-'));
	const caFile = path.join(dir, 'push-service.pem');
	fs.writeFileSync(caFile, pems.cert);

	const devices = new Map<string, DeviceKeys>();
	const gone = new Set<string>();
	const received: ReceivedPush[] = [];
	let held: { name: string; reached: () => void } | null = null;
	const heldResponses: { socket: import('node:net').Socket; answer: () => void }[] = [];
	let requests = 0;

	const server = https.createServer({ key: pems.private, cert: pems.cert }, (request, response) => {
		const chunks: Uint8Array[] = [];
		request.on('data', (chunk: Uint8Array) => chunks.push(chunk));
		request.on('end', () => {
			requests++;
			const name = decodeURIComponent(request.url?.replace(/^\/push\//, '') ?? '');
			const keys = devices.get(name);
			if (!keys || gone.has(name)) {
				response.writeHead(410).end();
				return;
			}
			const answer = () => {
				const plain = decrypt
					? ece.decrypt(Buffer.concat(chunks), {
							version: 'aes128gcm',
							privateKey: keys.ecdh,
							authSecret: keys.auth.toString('base64url')
						})
					: Buffer.from('null');
				const authorization = String(request.headers.authorization ?? '');
				received.push({
					device: name,
					ttl: Number(request.headers.ttl),
					urgency: request.headers.urgency as string | undefined,
					topic: request.headers.topic as string | undefined,
					vapidKey: /k=([A-Za-z0-9_-]+)/.exec(authorization)?.[1],
					message: JSON.parse(plain.toString('utf8'))
				});
				response.writeHead(201).end();
			};
			if (held?.name === name) {
				held.reached();
				held = null;
				// Never answered if the sender dies first: the message was not taken.
				heldResponses.push({ socket: request.socket, answer });
				return;
			}
			answer();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	const host = `127.0.0.1:${port}`;

	return {
		host,
		caFile,
		received,
		get requests() {
			return requests;
		},
		device(name) {
			const ecdh = createECDH('prime256v1');
			ecdh.generateKeys();
			const auth = randomBytes(16);
			devices.set(name, { ecdh, auth });
			return {
				name,
				subscription: {
					endpoint: `https://${host}/push/${encodeURIComponent(name)}`,
					keys: {
						p256dh: ecdh.getPublicKey().toString('base64url'),
						auth: auth.toString('base64url')
					}
				}
			};
		},
		receivedBy: (name) => received.filter((push) => push.device === name),
		forget: (name) => void gone.add(name),
		hold: (name) =>
			new Promise<void>((reached) => {
				held = { name, reached };
			}),
		async release() {
			for (const { socket, answer } of heldResponses.splice(0)) {
				// A sender killed just now: the hang-up reaches this end within moments.
				const closed = await new Promise<boolean>((resolve) => {
					if (socket.destroyed) return resolve(true);
					const timer = setTimeout(() => resolve(false), 2000);
					socket.once('close', () => {
						clearTimeout(timer);
						resolve(true);
					});
				});
				if (!closed) answer();
			}
		},
		async stop() {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}
