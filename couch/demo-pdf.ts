/**
 * A one-page PDF with a title and lines of text, so that the demo arrêté has a
 * real attachment without shipping a binary. Helvetica with WinAnsiEncoding
 * covers French accents (Latin-1).
 */
export function simplePdf(title: string, lines: string[]): Uint8Array {
	const escape = (text: string) => text.replace(/[\\()]/g, (c) => `\\${c}`);
	const content = [
		'BT',
		'/F1 18 Tf',
		'72 770 Td',
		`(${escape(title)}) Tj`,
		'/F1 11 Tf',
		'0 -30 Td',
		'14 TL',
		...lines.map((line) => `(${escape(line)}) '`),
		'ET'
	].join('\n');
	const objects = [
		'<< /Type /Catalog /Pages 2 0 R >>',
		'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
		'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
		'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
		`<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`
	];
	let pdf = '%PDF-1.4\n';
	const offsets: number[] = [];
	objects.forEach((body, index) => {
		offsets.push(Buffer.byteLength(pdf, 'latin1'));
		pdf += `${index + 1} 0 obj\n${body}\nendobj\n`;
	});
	const xref = Buffer.byteLength(pdf, 'latin1');
	pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
	pdf += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
	pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
	return new Uint8Array(Buffer.from(pdf, 'latin1'));
}
