// Real services for integration tests: a private PostgreSQL database and Redis key prefix
// per test file, an SMTP relay that keeps what it receives, and a sender.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { stringify as stringifyYaml } from 'yaml';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import pino from 'pino';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { parseConfig, type Config } from '../../config/load';
import { freePort } from '../../devkit/processes';
import { SmtpSender } from '../../devkit/sender';
import { createScratchDatabase, deleteRedisPrefix, runName } from '../../devkit/scratch';
import { samplePdf } from './pdf';

export { samplePdf };
import { createPool, readMigrations, type Pool } from '../../registry/db';
import { storeInbound } from '../../registry/inbound';

const ROOT = path.resolve(__dirname, '../..');
export const PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = 'redis://127.0.0.1:6379';
export const silent = pino({ level: 'silent' });

export interface TestDatabase {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

/** A new database with the register's schema, dropped by drop(). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const scratch = await createScratchDatabase(PG_ADMIN_URL, runName('t'));
  const pool = createPool(scratch.url, 10);
  return {
    url: scratch.url,
    pool,
    async drop() {
      await pool.end();
      await scratch.drop();
    },
  };
}

/**
 * The test's database emptied and made again as a release that had migrations 1 to `version`
 * left it, each recorded as migrate() records it: for a test that upgrades a register.
 */
export async function schemaAsOf(pool: Pool, version: number): Promise<void> {
  await pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  await pool.query(
    'CREATE TABLE schema_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  for (const m of readMigrations().filter((m) => m.version <= version)) {
    await pool.query(m.sql);
    await pool.query('INSERT INTO schema_migration (version, name) VALUES ($1, $2)', [m.version, m.name]);
  }
}

/** Keeps a message as the SMTP edge would (lines end in CRLF) and returns its inbound id. */
export async function keepMessage(pool: Pool, raw: string, book = 'RB', mailFrom = 'saraban@moe.go.th'): Promise<string> {
  const stored = await storeInbound(
    pool,
    {
      edge: 'smtp',
      stream: Readable.from([Buffer.from(raw.replace(/\r?\n/g, '\r\n'))]),
      mailFrom,
      rcptTo: ['saraban@example.go.th'],
      book,
      receivedAt: new Date(),
    },
    1024 * 1024,
  );
  return stored.id;
}

/** Settings for a test: its own database and Redis prefix, ports chosen by the system. */
export function testConfig(databaseUrl: string, overrides: Record<string, unknown> = {}): Config {
  return parseConfig({
    agency: { name: 'สำนักงานทดสอบ', nameEn: 'Test Office', domain: 'example.go.th' },
    books: [{ code: 'RB', name: 'ทะเบียนหนังสือรับ', addresses: ['saraban@example.go.th'] }],
    smtp: { port: 0, closeTimeoutMs: 5_000 },
    desk: { port: 0 },
    database: { url: databaseUrl },
    redis: { url: REDIS_URL, prefix: runName('tq') },
    relay: { url: 'smtp://127.0.0.1:1' },
    // No DNS in tests: a test of authenticity passes its own table of records instead.
    authenticity: { checkDns: false },
    // Tests send many letters, many alike, from one address; the reply rules have tests of their own
    // (reply-rules.test.ts, receipts.test.ts), which pass replies: {} for the defaults.
    replies: {
      trusted: { windows: [], hourlyShare: 100_000 },
      authenticated: { windows: [], hourlyShare: 100_000 },
      unverified: { windows: [], hourlyShare: 100_000 },
      allSendersPerHour: 100_000,
      loop: { repeats: 100_000 },
    },
    workers: { lockDurationMs: 5_000, stalledIntervalMs: 2_000, mailBackoffMs: 200 },
    // A job a minute would run in every test's workers; reminders.test.ts turns them on.
    reminders: { enabled: false },
    log: { level: 'silent' },
    ...overrides,
  });
}

/** The settings `replies` with these overrides, the rest at their defaults: what plan_reply takes as its limits. */
export function replyRules(overrides: Record<string, unknown> = {}): Config['replies'] {
  return testConfig('postgres://127.0.0.1/unused', { replies: overrides }).replies;
}

/** Removes every Redis key of this prefix: Redis "flushed" for this test file alone. */
export const flushPrefix = (prefix: string): Promise<number> => deleteRedisPrefix(REDIS_URL, prefix);

export interface RelayedMessage {
  envelope: { mailFrom: string; rcptTo: string[] };
  raw: Buffer;
  parsed: ParsedMail;
}

/** The outgoing relay: an SMTP server that keeps every message it is given. */
export async function startRelay(listenPort = 0) {
  const messages: RelayedMessage[] = [];
  const server = new SMTPServer({
    closeTimeout: 1_000,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        messages.push({
          envelope: {
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
          },
          raw,
          parsed: await simpleParser(raw),
        });
        callback();
      });
    },
  });
  // A sender killed mid-conversation (the crash test) resets its connection: not a test failure.
  server.on('error', () => undefined);
  const port = await new Promise<number>((resolve) =>
    server.listen(listenPort, '127.0.0.1', () => resolve((server.server.address() as net.AddressInfo).port)),
  );
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type Relay = Awaited<ReturnType<typeof startRelay>>;

/** Waits until check() returns something truthy; fails with the message after timeoutMs. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface LetterToSend {
  from?: string;
  to?: string;
  subject?: string;
  text?: string;
  attachments?: SendMailOptions['attachments'];
  headers?: Record<string, string>;
  messageId?: string;
  envelopeFrom?: string;
}

/** Sends one message to the gateway as an agency's mail server would. Returns the SMTP reply. */
export async function sendLetter(port: number, letter: LetterToSend = {}): Promise<string> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    return (await transport.sendMail(letterOptions(letter))).response;
  } finally {
    transport.close();
  }
}

export function letterOptions(letter: LetterToSend): SendMailOptions {
  const from = letter.from ?? 'saraban@moe.go.th';
  return {
    from,
    to: letter.to ?? 'saraban@example.go.th',
    subject: letter.subject ?? 'ที่ ศธ 0206/1457 ลงวันที่ 20 พฤศจิกายน 2569 เรื่อง ขอเชิญประชุม',
    text: letter.text ?? 'เรียน ผู้อำนวยการ\n\nส่งหนังสือมาเพื่อโปรดทราบ\n',
    attachments: letter.attachments ?? [{ filename: 'หนังสือเชิญประชุม.pdf', content: samplePdf(), contentType: 'application/pdf' }],
    headers: letter.headers,
    messageId: letter.messageId,
    envelope: letter.envelopeFrom !== undefined ? { from: letter.envelopeFrom, to: letter.to ?? 'saraban@example.go.th' } : undefined,
  };
}

export { freePort };

/** A raw SMTP client session, to say exactly what a test needs said, when it needs it. */
export async function openSmtpSession(port: number) {
  const session = new SmtpSender(port);
  const greeting = await session.reply();
  return {
    greeting,
    /** Sends one command line and resolves with the reply. */
    command: (line: string) => session.command(line),
    /** Sends raw bytes (part of a message in DATA) without waiting for anything. */
    write: (data: string) => session.write(data),
    /** Sends the rest of the message and the final dot; resolves with the reply. */
    finishData: (rest: string) => session.command(`${rest}\r\n.`),
    close: () => session.hangUp(),
  };
}

/** Speaks SMTP line by line: returns the server's reply to each command (greeting first). */
export async function smtpDialogue(port: number, commands: string[]): Promise<string[]> {
  const session = await openSmtpSession(port);
  const replies = [session.greeting];
  for (const command of commands) replies.push(await session.command(command));
  await session.close();
  return replies;
}

/** Runs `saraban <role>` from the sources in a child process, with these settings. */
export function spawnSaraban(args: string[], config: Config, extraEnv: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'saraban-test-'));
  const file = path.join(dir, 'saraban.yaml');
  writeFileSync(file, stringifyYaml(config));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin/saraban.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, SARABAN_CONFIG: file, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  child.stdout.on('data', (d) => {
    output += d;
    stdout += d;
  });
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => output,
    /** What it wrote to stdout alone (what a script capturing it would get). */
    stdout: () => stdout,
    /** Resolves once the process has printed a line matching pattern. */
    printed: (pattern: RegExp, what: string, timeoutMs = 30_000) =>
      waitFor(() => pattern.test(output), `${what}; output so far:\n${output}`, timeoutMs),
  };
}

/** For a describe block: a private database, made before its tests and removed after. */
export function useTestDatabase(): { db: TestDatabase } {
  const env = {} as { db: TestDatabase };
  beforeAll(async () => {
    env.db = await createTestDatabase();
  });
  afterAll(async () => {
    await env.db.drop();
  });
  return env;
}

/** For a describe block: a private database and a relay, made before its tests and removed after. */
export function useDatabaseAndRelay(): { db: TestDatabase; relay: Relay } {
  const env = {} as { db: TestDatabase; relay: Relay };
  beforeAll(async () => {
    env.db = await createTestDatabase();
    env.relay = await startRelay();
  });
  afterAll(async () => {
    await env.relay.close();
    await env.db.drop();
  });
  return env;
}
