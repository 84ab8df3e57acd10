/** Longest side of a photo once resized: sharp on a laptop screen, light on a phone link. */
const MAX_SIDE = 1600;
const JPEG_QUALITY = 0.82;

/**
 * Shrinks a photo before it is stored or sent (ARCHITECTURE §2). Small images,
 * and images the browser cannot decode, are kept as they are — unless
 * `stripMetadata`: a resident's photo is always redrawn, which drops its EXIF
 * (a phone's photo may carry the GPS position of the resident's home).
 */
export async function resizeImage(
	file: Blob,
	options: { stripMetadata?: boolean } = {}
): Promise<Blob> {
	if (!file.type.startsWith('image/')) return file;
	let bitmap: ImageBitmap;
	try {
		bitmap = await createImageBitmap(file);
	} catch {
		return file;
	}
	const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
	if (scale === 1 && file.size < 800_000 && !options.stripMetadata) {
		bitmap.close();
		return file;
	}
	const width = Math.round(bitmap.width * scale);
	const height = Math.round(bitmap.height * scale);
	const canvas = document.createElement('canvas');
	canvas.width = width;
	canvas.height = height;
	const context = canvas.getContext('2d');
	if (!context) return file;
	context.drawImage(bitmap, 0, 0, width, height);
	bitmap.close();
	const blob = await new Promise<Blob | null>((resolve) =>
		canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY)
	);
	if (!blob) return file;
	return options.stripMetadata || blob.size < file.size ? blob : file;
}
