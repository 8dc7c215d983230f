import { stringify } from 'csv-stringify/sync';
import type { Letter } from '../letter/letter';

/**
 * The fields of a letter that `saraban export` prints, under these names and in this order;
 * scripts rely on them (README). After the e-mail's facts come the register's own columns
 * (form 13): ที่, ลงวันที่, จาก, ถึง, เรื่อง.
 */
const EXPORTED = {
  book: 'book',
  year: 'year',
  number: 'number',
  registeredAt: 'registeredAt',
  messageId: 'messageId',
  from: 'fromAddress',
  fromName: 'fromName',
  subject: 'subject',
  attachments: 'attachments',
  reference: 'reference',
  letterDate: 'letterDate',
  agency: 'agency',
  addressee: 'addressee',
  title: 'title',
  urgency: 'urgency',
  secrecy: 'secrecy',
  circular: 'circular',
  // Registered although the sender was shown forged; ลับมาก/ลับ: for named officers only.
  suspect: 'suspect',
  restricted: 'restricted',
} as const satisfies Record<string, keyof Letter>;

type Exported = typeof EXPORTED;
/** One register entry as `saraban export` prints it: the time as ISO 8601 text. */
export type ExportEntry = { [Name in keyof Exported]: Name extends 'registeredAt' ? string : Letter[Exported[Name]] };

export function exportEntry(letter: Letter): ExportEntry {
  const entry = Object.fromEntries(Object.entries(EXPORTED).map(([name, field]) => [name, letter[field]]));
  return {
    ...entry,
    registeredAt: letter.registeredAt.toISOString(),
    // Each file as received, whatever else its stored record may carry.
    attachments: letter.attachments.map(({ filename, contentType, size, sha256 }) => ({ filename, contentType, size, sha256 })),
  } as ExportEntry;
}

export function formatRegister(letters: Letter[], format: 'json' | 'csv'): string {
  const entries = letters.map(exportEntry);
  if (format === 'json') return JSON.stringify(entries, null, 2) + '\n';
  const rows = entries.map((e) => ({
    ...e,
    // One cell: "name (size bytes, sha256)" per file, separated by "; ".
    attachments: e.attachments.map((a) => `${a.filename} (${a.size} bytes, sha256 ${a.sha256})`).join('; '),
  }));
  // The BOM lets Excel, which registry offices open CSV files with, read the Thai text.
  return stringify(rows, { header: true, columns: Object.keys(EXPORTED), bom: true });
}
