#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createWriteStream } from 'node:fs';
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from '../config/load';
import { createPool } from '../registry/db';
import { readRegister } from '../registry/letters';
import { auditCommand } from './audit';
import { writeRegister } from './export';
import { imapCommand, IMAP_USAGE } from './imap';
import { isPeopleCommand, PEOPLE_USAGE, runPeopleCommand } from './people';
import { repliesCommand, REPLIES_USAGE } from './replies';
import { reportCommand, REPORT_USAGE } from './report';
import { prepareDatabase, startRoles, type Role } from './roles';
import { yieldCpu } from './priority';

const USAGE = `saraban - e-mail gateway for the incoming register (งานสารบรรณ)

  saraban all                 run SMTP intake, workers and desk in one process (npm start)
  saraban gateway|worker|desk run one role
  saraban migrate             create the database if missing and bring its schema up to date
  saraban export --year <BE year> [--book CODE] --format json|csv [--output FILE]
  saraban audit verify        check the audit trail's hash chain (exit 3 naming the first broken event)
${REPLIES_USAGE}
${REPORT_USAGE}
${IMAP_USAGE}

The desk's people (run saraban migrate first):
${PEOPLE_USAGE}

Settings: SARABAN_CONFIG (YAML file), DATABASE_URL, REDIS_URL, SARABAN_SMTP_PORT,
SARABAN_DESK_PORT, SARABAN_RELAY_URL.`;

const ROLES: Record<string, Role[]> = {
  all: ['gateway', 'worker', 'desk'],
  gateway: ['gateway'],
  worker: ['worker'],
  desk: ['desk'],
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfig();
  const logger = pino({ level: config.log.level, base: { service: 'saraban', role: command } });

  if (command in ROLES) {
    // A worker alone in its process gives way to the SMTP edge and PostgreSQL when the CPU is
    // short: a sender waits for its 250, the letters queue waits for no one. Before the roles
    // start, so that the PDF reader threads begin at the same priority.
    if (command === 'worker') yieldCpu(config.workers.niceness, logger);
    await prepareDatabase(config, logger);
    const running = await startRoles(ROLES[command], config, logger);
    await untilSignal(logger);
    await running.stop();
    logger.info('stopped');
    return 0;
  }
  if (command === 'migrate') {
    await prepareDatabase(config, logger);
    logger.info('register schema is up to date');
    return 0;
  }
  if (command === 'export') return exportRegister(config, rest);
  if (command === 'audit') return auditCommand(config, rest);
  if (isPeopleCommand(command)) return runPeopleCommand(config, command, rest);
  if (command === 'replies') return repliesCommand(config, rest);
  if (command === 'report') return reportCommand(config, rest);
  if (command === 'imap') return imapCommand(config, rest);
  console.error(`unknown command "${command}"\n\n${USAGE}`);
  return 2;
}

function untilSignal(logger: pino.Logger): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping: no new mail, finishing work in hand');
      // A second signal means the operator will not wait.
      process.once(signal, () => process.exit(1));
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

async function exportRegister(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      year: { type: 'string' },
      book: { type: 'string' },
      format: { type: 'string', default: 'json' },
      output: { type: 'string' },
    },
  });
  const year = Number(values.year);
  if (!Number.isInteger(year) || year < 2400) {
    console.error('export needs --year with a Buddhist-era year, e.g. --year 2569');
    return 2;
  }
  if (values.format !== 'json' && values.format !== 'csv') {
    console.error(`--format must be json or csv, not "${values.format}"`);
    return 2;
  }
  if (values.book && !config.books.some((b) => b.code === values.book)) {
    console.error(`no book "${values.book}" in the settings; books: ${config.books.map((b) => b.code).join(', ')}`);
    return 2;
  }
  const pool = createPool(config.database.url, 1);
  try {
    const letters = readRegister(pool, year, values.book);
    // stdout is not ended: whatever it still holds is written before the process exits (below).
    if (!values.output) await writeRegister(letters, values.format, process.stdout, { end: false });
    else {
      const file = createWriteStream(values.output);
      const failed: { error?: NodeJS.ErrnoException } = {};
      file.on('error', (err) => (failed.error = err));
      try {
        await writeRegister(letters, values.format, file);
      } catch (err) {
        if (!failed.error) throw err; // the database's
        console.error(`saraban: cannot write ${values.output} (${failed.error.code ?? failed.error.message}); what it holds is incomplete`);
        return 1;
      }
    }
    return 0;
  } finally {
    await pool.end();
  }
}

// A reader that went away (`| head`, a script that stopped reading): the output is not whole,
// and the status must say so; without this listener EPIPE would end the process with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  console.error(`saraban: cannot write the output (${err.code ?? err.message}); what was printed is incomplete`);
  process.exit(1);
});

/**
 * Exits once everything printed has reached the reader: a pipe takes 64 KiB at a time, and
 * process.exit() drops what is still queued behind it, so a register piped into a slow
 * program would lose its end with status 0.
 */
function exitWhenWritten(code: number): void {
  if (process.stdout.writableLength === 0) process.exit(code);
  process.stdout.once('drain', () => exitWhenWritten(code));
}

let settled = false;
main(process.argv.slice(2)).then(
  (code) => {
    settled = true;
    exitWhenWritten(code);
  },
  (err: Error) => {
    settled = true;
    console.error(err instanceof ConfigError ? `settings: ${err.message}` : `saraban: ${err.message}`);
    exitWhenWritten(1);
  },
);

// Nothing left to run while the command still waits: it waits for something that cannot happen
// now (a library that never settles a promise when its connection is lost). Node would exit 0,
// as if the work were done.
process.on('beforeExit', () => {
  if (settled) return;
  console.error('saraban: stopped before the command finished; what was printed is incomplete');
  process.exit(1);
});
