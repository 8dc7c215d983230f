import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
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

/**
 * Writes the register to `out` letter by letter as the letters are read, waiting whenever `out`
 * has enough in hand (a pipe whose reader is slow): JSON exactly as
 * `JSON.stringify(entries, null, 2) + '\n'` writes the whole array, or CSV. Resolves once the
 * last entry is handed to `out` and, unless `end` is false (stdout, which is never ended),
 * `out` has finished.
 */
export async function writeRegister(
  letters: AsyncIterable<Letter>,
  format: 'json' | 'csv',
  out: Writable,
  { end = true } = {},
): Promise<void> {
  if (format === 'json') return pipeline(letters, jsonArray, out, { end });
  // The BOM lets Excel, which registry offices open CSV files with, read the Thai text.
  return pipeline(letters, csvRecords, stringify({ header: true, columns: Object.keys(EXPORTED), bom: true }), out, { end });
}

async function* jsonArray(letters: AsyncIterable<Letter>): AsyncGenerator<string> {
  let first = true;
  for await (const letter of letters) {
    // An element as JSON.stringify writes it inside an array: each line one step deeper (a
    // string's newlines are escaped, so every newline is the layout's).
    yield (first ? '[\n  ' : ',\n  ') + JSON.stringify(exportEntry(letter), null, 2).replaceAll('\n', '\n  ');
    first = false;
  }
  yield first ? '[]\n' : '\n]\n';
}

async function* csvRecords(letters: AsyncIterable<Letter>): AsyncGenerator<Record<string, unknown>> {
  for await (const letter of letters) {
    const entry = exportEntry(letter);
    // One cell: "name (size bytes, sha256)" per file, separated by "; ".
    yield { ...entry, attachments: entry.attachments.map((a) => `${a.filename} (${a.size} bytes, sha256 ${a.sha256})`).join('; ') };
  }
}
