import { describe, expect, it } from 'vitest';
import { bytesMatchType, sniffFileType, sniffImageType } from './files.ts';

const text = (value: string) => new TextEncoder().encode(value);

describe('what a file really is', () => {
	it('knows an image by its bytes, not its name', () => {
		expect(sniffImageType(new Uint8Array([0xff, 0xd8, 0xff, 0xe1]))).toBe('image/jpeg');
		expect(sniffImageType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(
			'image/png'
		);
		expect(sniffImageType(text('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
		expect(sniffImageType(text('<svg onload=alert(1)>'))).toBeNull();
		expect(sniffImageType(text('%PDF-1.7'))).toBeNull();
		expect(sniffImageType(new Uint8Array())).toBeNull();
	});

	it('knows a PDF by its header, also after a few bytes of junk', () => {
		expect(sniffFileType(text('%PDF-1.7\n'))).toBe('application/pdf');
		expect(sniffFileType(text('\r\n\r\n%PDF-1.4'))).toBe('application/pdf');
		expect(sniffFileType(text(' '.repeat(1100) + '%PDF-1.4'))).toBeNull();
		expect(sniffFileType(text('%PDF'))).toBeNull();
	});

	// Issue 13: a 4-byte « PDF » starting with MZ (a Windows program) was published.
	it('refuses a program, a page or a script dressed as a PDF or an image', () => {
		expect(bytesMatchType(new Uint8Array([0x4d, 0x5a, 0x90, 0x00]), 'application/pdf')).toBe(false);
		expect(bytesMatchType(text('<html><script>'), 'application/pdf')).toBe(false);
		expect(bytesMatchType(text('%PDF-1.7'), 'image/png')).toBe(false);
		expect(bytesMatchType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg')).toBe(true);
		expect(bytesMatchType(text('%PDF-1.7'), 'Application/PDF; charset=binary')).toBe(true);
	});
});
