import { describe, expect, it } from 'vitest';
import { readBodyWithin } from './body-limit.ts';

describe('readBodyWithin', () => {
	const stream = (sizes: number[]) =>
		new Request('http://x/', {
			method: 'POST',
			body: new ReadableStream({
				start(controller) {
					for (const size of sizes) controller.enqueue(new Uint8Array(size));
					controller.close();
				}
			}),
			duplex: 'half'
		} as RequestInit);

	it('reads a body within the limit', async () => {
		const read = await readBodyWithin(stream([10, 20]), 30);
		expect(read.ok && read.bytes.byteLength).toBe(30);
	});

	it('stops a body without a length as soon as it passes the limit', async () => {
		expect(await readBodyWithin(stream([20, 20, 1_000_000]), 30)).toEqual({
			ok: false,
			reason: 'too_large'
		});
	});

	it('refuses a declared length above the limit without reading', async () => {
		const request = new Request('http://x/', {
			method: 'POST',
			body: 'x'.repeat(100),
			headers: { 'content-length': '100' }
		});
		expect(await readBodyWithin(request, 99)).toEqual({ ok: false, reason: 'too_large' });
	});

	it('calls a body cut off by the adapter (a 413 error) too large', async () => {
		const request = new Request('http://x/', {
			method: 'POST',
			body: new ReadableStream({
				start(controller) {
					controller.error(Object.assign(new Error('Payload Too Large'), { status: 413 }));
				}
			}),
			duplex: 'half'
		} as RequestInit);
		expect(await readBodyWithin(request, 1000)).toEqual({ ok: false, reason: 'too_large' });
	});
});
