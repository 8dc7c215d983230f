import { randomBytes } from 'node:crypto';

/**
 * A valid one-page PDF with a text layer (ASCII: the standard fonts have no Thai). `times`
 * repeats the text (a large file); `encrypted` adds a user password nobody gave us.
 */
export function onePagePdf(text: string, options: { encrypted?: boolean; times?: number } = {}): Buffer {
  const content = `BT /F1 14 Tf 72 760 Td (${text.replace(/[()\\]/g, '')}) Tj ET\n`.repeat(options.times ?? 1).trim();
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  // Standard security handler, RC4 40-bit: /U does not match the empty password, so a reader
  // needs the user password; the content need not really be encrypted for that.
  if (options.encrypted) objects.push(`<< /Filter /Standard /V 1 /R 2 /O <${'a'.repeat(64)}> /U <${'b'.repeat(64)}> /P -44 >>`);
  let pdf = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const offset = pdf.length;
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return offset;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  const id = '<0123456789abcdef0123456789abcdef>';
  const encrypt = options.encrypted ? ` /Encrypt 6 0 R /ID [${id} ${id}]` : '';
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${encrypt} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/** A test letter's PDF, unique per call so that no two test letters are the same file. */
export const samplePdf = (text = `Test letter ${randomBytes(6).toString('hex')}`) => onePagePdf(text);
