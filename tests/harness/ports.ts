import net from 'node:net';

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

function isFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.unref();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/**
 * The first of `count` consecutive free ports, drawn at random above the
 * ephemeral range's usual start: start-couchdb's own search stops at 5999,
 * which two test runs side by side (each with its nodes) soon fill.
 */
export async function freePortRange(count: number): Promise<number> {
	for (let attempt = 0; attempt < 50; attempt++) {
		const first = 20_000 + Math.floor(Math.random() * 10_000);
		const ports = Array.from({ length: count }, (_, index) => first + index);
		if ((await Promise.all(ports.map(isFree))).every(Boolean)) return first;
	}
	throw new Error(`no ${count} consecutive free ports`);
}
