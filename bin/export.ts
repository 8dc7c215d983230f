import { stringify } from 'csv-stringify/sync';
import type { Letter } from '../registry/letters';

/** One register entry as `saraban export` prints it; scripts rely on these names. */
export function exportEntry(letter: Letter) {
  return {
    book: letter.book,
    year: letter.year,
    number: letter.number,
    registeredAt: letter.registeredAt.toISOString(),
    messageId: letter.messageId,
    from: letter.fromAddress,
    fromName: letter.fromName,
    subject: letter.subject,
    attachments: letter.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size, sha256: a.sha256 })),
  };
}

export function formatRegister(letters: Letter[], format: 'json' | 'csv'): string {
  const entries = letters.map(exportEntry);
  if (format === 'json') return JSON.stringify(entries, null, 2) + '\n';
  const columns = ['book', 'year', 'number', 'registeredAt', 'messageId', 'from', 'fromName', 'subject', 'attachments'];
  const rows = entries.map((e) => ({
    ...e,
    // One cell: "name (size bytes, sha256)" per file, separated by "; ".
    attachments: e.attachments.map((a) => `${a.filename} (${a.size} bytes, sha256 ${a.sha256})`).join('; '),
  }));
  // The BOM lets Excel, which registry offices open CSV files with, read the Thai text.
  return stringify(rows, { header: true, columns, bom: true });
}
