import { stringify } from 'csv-stringify/sync';
import type { Letter } from '../registry/letters';

/**
 * One register entry as `saraban export` prints it; scripts rely on these names. After the
 * e-mail's facts come the register's own columns (form 13): ที่, ลงวันที่, จาก, ถึง, เรื่อง.
 */
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
    reference: letter.reference ?? null,
    letterDate: letter.letterDate ?? null,
    agency: letter.agency ?? null,
    addressee: letter.addressee ?? null,
    title: letter.title ?? null,
    urgency: letter.urgency ?? null,
    secrecy: letter.secrecy ?? null,
    circular: letter.circular ?? false,
    // Registered although the sender was shown forged; ลับมาก/ลับ: for named officers only.
    suspect: letter.suspect ?? false,
    restricted: letter.restricted ?? false,
  };
}

// Only its keys are used: the CSV header of an empty register.
const EMPTY = { attachments: [], registeredAt: new Date(0) } as unknown as Letter;

export function formatRegister(letters: Letter[], format: 'json' | 'csv'): string {
  const entries = letters.map(exportEntry);
  if (format === 'json') return JSON.stringify(entries, null, 2) + '\n';
  const columns = Object.keys(entries[0] ?? exportEntry(EMPTY));
  const rows = entries.map((e) => ({
    ...e,
    // One cell: "name (size bytes, sha256)" per file, separated by "; ".
    attachments: e.attachments.map((a) => `${a.filename} (${a.size} bytes, sha256 ${a.sha256})`).join('; '),
  }));
  // The BOM lets Excel, which registry offices open CSV files with, read the Thai text.
  return stringify(rows, { header: true, columns, bom: true });
}
