// `saraban export`: the register of a year as data (JSON, CSV under the fields' names) or in the
// regulation's form (CSV, XLSX, PDF), written by registry/register-export.ts as it is read.
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Config } from '../config/load';
import { createPool } from '../registry/db';
import { EXPORT_FORMATS, exportRegister, type ExportFormat, type ExportRequest } from '../registry/register-export';

export const EXPORT_USAGE = `  saraban export --year <BE year> [--book CODE] [--format json|csv|xlsx|pdf] [--form fields|register] [--output FILE]
                              the register of a year: json (default) and csv under the fields' names
                              scripts read; xlsx, pdf and csv --form register in the regulation's
                              columns, one book (--book, or the only one); to stdout without
                              --output (xlsx and pdf only into a pipe or file, never a terminal)`;

type Parsed = { request: ExportRequest; output?: string } | { problem: string };

/** The command line as an export, or what is wrong with it. */
function exportRequest(config: Config, args: string[], at: Date): Parsed {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        year: { type: 'string' },
        book: { type: 'string' },
        format: { type: 'string', default: 'json' },
        form: { type: 'string' },
        output: { type: 'string' },
      },
    }));
  } catch (err) {
    return { problem: (err as Error).message };
  }
  const year = Number(values.year);
  if (!Number.isInteger(year) || year < 2400) return { problem: 'export needs --year with a Buddhist-era year, e.g. --year 2569' };
  const format = values.format as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) return { problem: `--format must be ${EXPORT_FORMATS.join(', ')}, not "${values.format}"` };
  const book = values.book === undefined ? undefined : config.books.find((b) => b.code === values.book);
  if (values.book !== undefined && !book) {
    return { problem: `no book "${values.book}" in the settings; books: ${config.books.map((b) => b.code).join(', ')}` };
  }
  // CSV stays what scripts read unless asked for the form; JSON is data only, XLSX and PDF the form only.
  const form = values.form ?? (format === 'xlsx' || format === 'pdf' ? 'register' : 'fields');
  if (form !== 'fields' && form !== 'register') return { problem: `--form must be fields or register, not "${form}"` };
  if (form === 'fields' && (format === 'xlsx' || format === 'pdf'))
    return { problem: `${format} is the register's form only: leave out --form` };
  if (form === 'register' && format === 'json') return { problem: 'json has the fields only: use --format csv, xlsx or pdf for the form' };
  if (form === 'fields') return { request: { format: format as 'json' | 'csv', form, year, book: book?.code }, output: values.output };
  const only = config.books.length === 1 ? config.books[0] : undefined;
  const oneBook = book ?? only;
  if (!oneBook)
    return { problem: `the register's form is one book's: say which with --book (${config.books.map((b) => b.code).join(', ')})` };
  if ((format === 'xlsx' || format === 'pdf') && values.output === undefined && process.stdout.isTTY) {
    return {
      problem: `${format} is not printed on a terminal: give --output FILE, or send it into a file or a pipe (> register.${format})`,
    };
  }
  return {
    request: {
      format: format as 'csv' | 'xlsx' | 'pdf',
      form,
      year,
      book: { code: oneBook.code, name: oneBook.name },
      agency: config.agency.name,
      digits: config.desk.digits,
      // The operator runs the export with the database's own rights: every letter in full.
      revealRestricted: true,
      at,
    },
    output: values.output,
  };
}

/** Exit codes: 0 written, 1 it could not be written whole, 2 the command is wrong. */
export async function exportCommand(config: Config, args: string[]): Promise<number> {
  const parsed = exportRequest(config, args, new Date());
  if ('problem' in parsed) {
    console.error(`saraban export: ${parsed.problem}\n\n${EXPORT_USAGE}`);
    return 2;
  }
  const { request, output } = parsed;
  const pool = createPool(config.database.url, 1);
  try {
    // stdout is not ended: whatever it still holds is written before the process exits (bin/saraban.ts).
    if (!output) await exportRegister(pool, request, process.stdout, { end: false });
    else {
      const file = createWriteStream(output);
      const failed: { error?: NodeJS.ErrnoException } = {};
      file.on('error', (err) => (failed.error = err));
      try {
        await exportRegister(pool, request, file);
      } catch (err) {
        if (!failed.error) throw err; // the database's
        console.error(`saraban: cannot write ${output} (${failed.error.code ?? failed.error.message}); what it holds is incomplete`);
        return 1;
      }
    }
    return 0;
  } finally {
    await pool.end();
  }
}
