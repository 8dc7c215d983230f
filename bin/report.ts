// `saraban report central-address`: the report the Ministry's circular มท ๐๒๐๑.๒/ว ๕๙๕๑ asks
// every agency to send DGA and the Ministry (registry/contact.ts makes it).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Config } from '../config/load';
import { createPool } from '../registry/db';
import { centralAddressReportFile, REPORT_FORMATS, type ReportFormat } from '../registry/contact';

export const REPORT_USAGE = `  saraban report central-address [--format pdf|csv] [--output FILE]
                              the agency's central address(es) and the officers named to check them
                              (saraban officer mailbox), dated, for DGA and the Ministry; pdf by
                              default; to stdout without --output (a PDF only into a pipe or file)`;

/** Where the report goes, and the clock that dates it: the process's by default. */
export interface ReportIo {
  /** The report itself, when no --output is given. */
  write(data: Buffer): void;
  err(line: string): void;
  /** stdout is a terminal: a PDF is not printed there. */
  isTerminal: boolean;
  clock(): Date;
}

const processIo: ReportIo = {
  write: (data) => process.stdout.write(data),
  err: (line) => console.error(line),
  isTerminal: process.stdout.isTTY === true,
  clock: () => new Date(),
};

/** Exit codes: 0 written, 1 it could not be written, 2 the command is wrong. */
export async function reportCommand(config: Config, args: string[], io: ReportIo = processIo): Promise<number> {
  const [which, ...rest] = args;
  if (which !== 'central-address') {
    io.err(`saraban report: say which report: central-address\n\n${REPORT_USAGE}`);
    return 2;
  }
  let values;
  try {
    ({ values } = parseArgs({ args: rest, options: { format: { type: 'string', default: 'pdf' }, output: { type: 'string' } } }));
  } catch (err) {
    io.err(`saraban report central-address: ${(err as Error).message}\n\n${REPORT_USAGE}`);
    return 2;
  }
  const format = values.format as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) {
    io.err(`--format must be ${REPORT_FORMATS.join(' or ')}, not "${values.format}"`);
    return 2;
  }
  if (format === 'pdf' && values.output === undefined && io.isTerminal) {
    io.err('a PDF is not printed on a terminal: give --output FILE, or send it into a file or a pipe (> report.pdf)');
    return 2;
  }
  const pool = createPool(config.database.url, 1);
  let file;
  try {
    file = await centralAddressReportFile(pool, config, format, io.clock());
  } finally {
    await pool.end();
  }
  if (file.officers === 0) {
    io.err('no officer is named to check the central mailbox yet: the report says so. Name them with saraban officer mailbox --username U');
  }
  if (values.output === undefined) {
    io.write(file.body);
    return 0;
  }
  try {
    await writeFile(values.output, file.body);
  } catch (err) {
    io.err(`cannot write the report to ${values.output}: ${(err as Error).message}`);
    return 1;
  }
  io.err(`central-address report (${format}, ${file.officers} officer(s)) written to ${values.output}`);
  return 0;
}
