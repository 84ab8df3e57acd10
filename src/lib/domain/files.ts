/**
 * What a file really is, from its first bytes, whatever its name or stated
 * type: residents' photos and staff attachments are both judged this way, so a
 * renamed program never reaches a villager's phone as a « PDF ».
 */

export type ImageType = 'image/jpeg' | 'image/png' | 'image/webp';
export type FileType = ImageType | 'application/pdf';

/** Bytes to read from the start of a file to judge it (a PDF's header may come late). */
export const SNIFF_BYTES = 1024;

export function sniffImageType(bytes: Uint8Array): ImageType | null {
	if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
		return 'image/jpeg';
	}
	if (
		bytes.length >= 8 &&
		[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((byte, i) => bytes[i] === byte)
	) {
		return 'image/png';
	}
	const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
	if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
	return null;
}

/** Readers accept `%PDF-` anywhere in the first kilobyte (ISO 32000-1, annex H). */
function isPdf(bytes: Uint8Array): boolean {
	const head = bytes.subarray(0, SNIFF_BYTES);
	for (let i = 0; i + 5 <= head.length; i++) {
		if (
			head[i] === 0x25 &&
			head[i + 1] === 0x50 &&
			head[i + 2] === 0x44 &&
			head[i + 3] === 0x46 &&
			head[i + 4] === 0x2d
		) {
			return true;
		}
	}
	return false;
}

export function sniffFileType(bytes: Uint8Array): FileType | null {
	return sniffImageType(bytes) ?? (isPdf(bytes) ? 'application/pdf' : null);
}

/** Whether the bytes are what the stated type says (the only types staff may attach). */
export function bytesMatchType(bytes: Uint8Array, contentType: string): boolean {
	const type = sniffFileType(bytes);
	return type !== null && type === contentType.split(';')[0].trim().toLowerCase();
}
