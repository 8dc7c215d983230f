import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Letter } from '../letter/letter';
import {
  closingLine,
  NumberTally,
  REGISTER_HEADINGS,
  registerRow,
  registerTitle,
  type RegisterEntry,
  type RegisterForm,
} from '../letter/register-form';
import type { LetterState } from '../letter/transitions';
import { roomIn } from '../lib/room';
import { queryRows, snapshot, type Pool } from './db';
import { letterColumns, toLetter } from './letters';

// The incoming register of a year exported and printed: `saraban export` and the register page's
// downloads. Every format is written as the register is read through a cursor, a hundred
// letters at a time: a year of any size costs the same memory.

/** Reads rows through a cursor: queryRows() on the pool, or a snapshot()'s reader. */
export type RowSource = (text: string, values: unknown[]) => AsyncIterable<Record<string, unknown>>;

const rowsOf =
  (pool: Pool): RowSource =>
  (text, values) =>
    queryRows(pool, text, values);

/**
 * The register of one year, optionally one book, in book and number order, each letter with
 * what the desk did with it: its state, who last held it to act, the latest การปฏิบัติ recorded,
 * why it was returned or annulled, and an earlier letter of its book and year with the same
 * reference. Each of those is a look-up by an index on the letter's id (letter_work's key,
 * assignment_letter, audit_event_letter, letter_reference), in the one query the cursor reads.
 */
export async function* readRegisterEntries(rows: RowSource, year: number, book?: string): AsyncGenerator<RegisterEntry> {
  const latest = (action: string, what: string) =>
    `(SELECT ${what} FROM audit_event e WHERE e.letter_id = letter.id AND e.action = '${action}' ORDER BY e.seq DESC LIMIT 1)`;
  // The letter first and the desk's facts after it: what pg_stat_activity shows of a query (its
  // first 1,024 bytes) names the letters it reads.
  const found = rows(
    `SELECT * FROM (SELECT ${letterColumns} FROM letter WHERE year = $1 AND ($2::text IS NULL OR book = $2)) AS letter
     CROSS JOIN LATERAL (SELECT
            (SELECT json_build_object('state', w.state, 'deadline', w.deadline, 'waitUntil', to_char(w.wait_until, 'YYYY-MM-DD'))
               FROM letter_work w WHERE w.letter_id = letter.id) AS work,
            (SELECT coalesce(o.name, u.name) FROM assignment a LEFT JOIN unit u ON u.id = a.unit_id LEFT JOIN officer o ON o.id = a.officer_id
              WHERE a.letter_id = letter.id AND a.purpose = 'act' ORDER BY a.id DESC LIMIT 1) AS holder,
            ${latest('letter.record', `json_build_object('request', e.detail->'request', 'at', e.at)`)} AS recorded,
            ${latest('letter.return', `e.detail->'request'->>'reason'`)} AS returned_because,
            ${latest('letter.annul', `e.detail->'request'->>'reason'`)} AS annulled_because,
            (SELECT d.number FROM letter d
              WHERE d.reference_normalised = letter.reference_normalised AND d.book = letter.book AND d.year = letter.year
                AND d.number < letter.number ORDER BY d.number LIMIT 1) AS duplicate_of) AS desk
     ORDER BY letter.book, letter.number`,
    [year, book ?? null],
  );
  for await (const row of found) yield toEntry(row);
}

function toEntry(row: Record<string, unknown>): RegisterEntry {
  const work = row.work as { state: LetterState; deadline: string | null; waitUntil: string | null };
  const recorded = row.recorded as { request: { text?: string | null; replyNumber?: string | null } | null; at: string } | null;
  return {
    letter: toLetter(row),
    state: work.state,
    deadline: work.deadline === null ? null : new Date(work.deadline),
    waitUntil: work.waitUntil,
    holder: row.holder as string | null,
    action: recorded && {
      text: recorded.request?.text ?? null,
      replyNumber: recorded.request?.replyNumber ?? null,
      at: new Date(recorded.at),
    },
    returnedBecause: row.returned_because as string | null,
    annulledBecause: row.annulled_because as string | null,
    duplicateOf: row.duplicate_of as number | null,
  };
}

// ---- The register as data: JSON, and CSV under the fields' names (what scripts read) ----

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

/** One register entry as `saraban export` prints it as JSON: the letter's fields, then the desk's. */
export type ExportEntry = {
  [Name in keyof Exported]: Name extends 'registeredAt' ? string : Letter[Exported[Name]];
} & {
  state: LetterState;
  /** ISO 8601 (UTC), or null. */
  deadline: string | null;
  referenceNormalised: string | null;
  /** authentic, unverified or forged (letter/authenticity.ts); null for a letter registered before it was checked. */
  authenticity: string | null;
  /** The number of an earlier letter of the book and year with the same reference. */
  duplicateOf: number | null;
  /** The latest การปฏิบัติ recorded at the desk. */
  action: { text: string | null; replyNumber: string | null; recordedAt: string } | null;
};

/** The letter's fields under their exported names; its files as received, whatever else their stored record carries. */
function letterFields(letter: Letter): Record<string, unknown> {
  // Field by field into one object: a register's hundred thousand entries make no garbage they need not.
  const fields: Record<string, unknown> = {};
  for (const name in EXPORTED) fields[name] = letter[EXPORTED[name as keyof Exported]];
  fields.registeredAt = letter.registeredAt.toISOString();
  fields.attachments = letter.attachments.map(({ filename, contentType, size, sha256 }) => ({ filename, contentType, size, sha256 }));
  return fields;
}

export function exportEntry(entry: RegisterEntry): ExportEntry {
  const { letter, action } = entry;
  const fields = letterFields(letter);
  fields.state = entry.state;
  fields.deadline = entry.deadline?.toISOString() ?? null;
  fields.referenceNormalised = letter.referenceNormalised;
  fields.authenticity = (letter.authenticity as { verdict?: string } | null)?.verdict ?? null;
  fields.duplicateOf = entry.duplicateOf;
  fields.action = action && { text: action.text, replyNumber: action.replyNumber, recordedAt: action.at.toISOString() };
  return fields as ExportEntry;
}

async function* jsonArray(entries: AsyncIterable<RegisterEntry>): AsyncGenerator<string> {
  let first = true;
  for await (const entry of entries) {
    // An element as JSON.stringify writes it inside an array: each line one step deeper (a
    // string's newlines are escaped, so every newline is the layout's).
    yield (first ? '[\n  ' : ',\n  ') + JSON.stringify(exportEntry(entry), null, 2).replaceAll('\n', '\n  ');
    first = false;
  }
  yield first ? '[]\n' : '\n]\n';
}

async function* fieldRecords(entries: AsyncIterable<RegisterEntry>): AsyncGenerator<Record<string, unknown>> {
  for await (const { letter } of entries) {
    const fields = letterFields(letter);
    // One cell: "name (size bytes, sha256)" per file, separated by "; ".
    yield { ...fields, attachments: letter.attachments.map((a) => `${a.filename} (${a.size} bytes, sha256 ${a.sha256})`).join('; ') };
  }
}

// ---- The register in the regulation's form: CSV, XLSX and PDF ----

async function* formRecords(entries: AsyncIterable<RegisterEntry>, form: RegisterForm): AsyncGenerator<string[]> {
  for await (const entry of entries) yield registerRow(entry, { digits: 'arabic', revealRestricted: form.revealRestricted });
}

/** XLSX column widths, in characters, by heading. */
const XLSX_WIDTHS = [20, 10, 20, 14, 30, 22, 50, 30, 28];
const TITLE_ROWS = 3;
const THIN = { style: 'thin' } as const;
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };
// One of each for every cell of every entry, not two new objects per cell: 2.4 million of them
// for a year of 100,000 letters, garbage the exporter's peak memory carried.
const ENTRY_FONT = { name: 'Sarabun' };
const ENTRY_ALIGNMENT = { vertical: 'top', wrapText: true } as const;

/**
 * The archive's entry that exceljs writes the sheet's XML into: it hands each row to the archive
 * (archiver) without asking whether there is room, so when zlib, on Node's thread pool, falls
 * behind (a busy machine) the uncompressed XML piles up there, unseen by `out` (10.5 MiB for
 * 20,000 rows with the pool held up, 0.1 MiB waited for). archiver's stream is readable-stream 2;
 * exceljs is pinned (4.4.0), and a later one that keeps it elsewhere is simply not waited for.
 */
function sheetEntry(sheet: object): Writable | undefined {
  return (sheet as { stream?: { pipes?: Writable[] } }).stream?.pipes?.[0];
}

/**
 * The register as a workbook, written row by row by exceljs's streaming writer (no shared
 * strings: each row is written and forgotten): the title, the headings (repeated on each printed
 * page), a row per letter, then the closing line. Printed A4 landscape, one page wide.
 */
async function writeXlsx(entries: AsyncIterable<RegisterEntry>, form: RegisterForm, out: PassThrough): Promise<void> {
  const { stream } = (await import('exceljs')).default;
  const workbook = new stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'saraban-gateway';
  workbook.created = form.at;
  const sheet = workbook.addWorksheet(`${form.book.code} ${form.year}`, {
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `${TITLE_ROWS + 1}:${TITLE_ROWS + 1}`,
    },
    headerFooter: { oddFooter: '&Lหน้า &P จาก &N' },
    views: [{ state: 'frozen', ySplit: TITLE_ROWS + 1 }],
  });
  sheet.columns = XLSX_WIDTHS.map((width) => ({ width }));
  const across = (row: number) => sheet.mergeCells(row, 1, row, REGISTER_HEADINGS.length);
  registerTitle(form.agency, form.book, form.year, 'arabic').forEach((text, i) => {
    const row = sheet.addRow([text]);
    row.font = { name: 'Sarabun', bold: i === 0, size: i === 0 ? 16 : 13 };
    across(i + 1);
    row.commit();
  });
  const headings = sheet.addRow([...REGISTER_HEADINGS]);
  headings.eachCell((cell) => {
    cell.font = { name: 'Sarabun', bold: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE6E6E6' } };
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    cell.border = BORDER;
  });
  headings.commit();
  const tally = new NumberTally();
  for await (const batch of batches(entries)) {
    for (const entry of batch) {
      tally.add(entry.letter.number, entry.state);
      const cells: Array<string | number> = registerRow(entry, { digits: 'arabic', revealRestricted: form.revealRestricted });
      cells[1] = entry.letter.number;
      const row = sheet.addRow(cells);
      row.eachCell({ includeEmpty: true }, (cell) => {
        cell.font = ENTRY_FONT;
        cell.alignment = ENTRY_ALIGNMENT;
        cell.border = BORDER;
      });
      row.commit();
    }
    const entry = sheetEntry(sheet);
    if (entry) await roomIn(out, entry);
    await roomIn(out);
  }
  sheet.addRow([]).commit();
  const closing = sheet.addRow([closingLine(tally, 'arabic')]);
  closing.font = { name: 'Sarabun', bold: true };
  across(closing.number);
  closing.commit();
  sheet.commit();
  await workbook.commit();
}

/** The entries a hundred at a time, as the cursor reads them: the writers look at their reader's pace between batches. */
async function* batches<T>(items: AsyncIterable<T>, size = 100): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

// ---- Exports ----

export const EXPORT_FORMATS = ['json', 'csv', 'xlsx', 'pdf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export type ExportRequest =
  /** The register as data, all books or one: JSON, or CSV under the fields' names (`saraban export`). */
  | { format: 'json' | 'csv'; form: 'fields'; year: number; book?: string }
  /** One book's register in the regulation's form. */
  | ({ format: 'csv' | 'xlsx' | 'pdf'; form: 'register' } & RegisterForm);

/** What the file is, for a download. */
export function exportFile(request: ExportRequest): { contentType: string; filename: string } {
  const contentType = {
    json: 'application/json',
    csv: 'text/csv; charset=utf-8',
    xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    pdf: 'application/pdf',
  }[request.format];
  const book = request.form === 'register' ? request.book.code : (request.book ?? 'all');
  // ASCII alone (a book's code is), so the name goes into a Content-Disposition header as it is.
  return { contentType, filename: `register-${book}-${request.year}.${request.format}` };
}

/**
 * Writes the register of the request to `out` as it is read (below), reading it through a
 * cursor; a PDF reads it twice, in one snapshot of the database, to count its pages
 * ("หน้า ๑ จาก ๒๐" is on the first page) and then to draw them.
 */
export async function exportRegister(pool: Pool, request: ExportRequest, out: Writable, options: { end?: boolean } = {}): Promise<void> {
  const book = request.form === 'register' ? request.book.code : request.book;
  const reader = (rows: RowSource) => () => readRegisterEntries(rows, request.year, book);
  // A PDF takes a few milliseconds a letter: rows fetched 20 at a time are gone before V8 moves
  // them to its old generation, where a hundred thousand would pile up between full collections.
  if (request.format === 'pdf')
    return snapshot(pool, (rows) =>
      writeRegister(
        reader((text, values) => rows(text, values, 20)),
        request,
        out,
        options,
      ),
    );
  return writeRegister(reader(rowsOf(pool)), request, out, options);
}

/**
 * Writes the entries `read` gives (called once, or for a PDF twice) to `out`, waiting whenever
 * `out` has enough in hand (a pipe or a browser that reads slowly). JSON is exactly what
 * `JSON.stringify(entries, null, 2) + '\n'` writes of the whole array; CSV starts with a
 * byte-order mark (Excel, which registry offices open CSV files with, then reads the Thai).
 * Resolves once the last byte is handed to `out` and, unless `end` is false (stdout, which is
 * never ended), `out` has finished.
 */
export async function writeRegister(
  read: () => AsyncIterable<RegisterEntry>,
  request: ExportRequest,
  out: Writable,
  { end = true } = {},
): Promise<void> {
  if (request.form === 'fields') {
    if (request.format === 'json') return pipeline(read(), jsonArray, out, { end });
    return pipeline(read(), fieldRecords, stringify({ header: true, columns: Object.keys(EXPORTED), bom: true }), out, { end });
  }
  if (request.format === 'csv') {
    const rows = (entries: AsyncIterable<RegisterEntry>) => formRecords(entries, request);
    return pipeline(read(), rows, stringify({ header: true, columns: [...REGISTER_HEADINGS], bom: true }), out, { end });
  }
  // exceljs and PDFKit push what they make into a stream of their own, which goes on to `out`.
  const made = new PassThrough();
  const sent = pipeline(made, out, { end });
  const making = (async () => {
    try {
      // Loaded when first needed: JSON and CSV, which scripts run, start without them.
      if (request.format === 'xlsx') await writeXlsx(read(), request, made);
      else await (await import('./register-pdf')).writeRegisterPdf(read, request, made);
    } catch (err) {
      made.destroy(err as Error);
      throw err;
    }
  })();
  const [wrote, piped] = await Promise.allSettled([making, sent]);
  // The reader's failure first (it went away: what was made had nowhere to go), then the making's.
  if (piped.status === 'rejected') throw piped.reason;
  if (wrote.status === 'rejected') throw wrote.reason;
}
