import { z } from 'zod';

/** One incoming register (ทะเบียนหนังสือรับ) and the central addresses that feed it. */
const book = z.object({
  code: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'use letters, digits, _ or - (at most 32)'),
  name: z.string().min(1),
  addresses: z
    .array(
      z
        .string()
        .email()
        .transform((a) => a.toLowerCase()),
    )
    .min(1),
});

/** A mailbox on another server that the gateway takes letters from (the IMAP edge). */
const imapMailbox = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).optional(),
    /** TLS from the first byte (993); when false, STARTTLS is used if the server offers it. */
    secure: z.boolean().default(true),
    user: z.string().min(1),
    password: z.string().optional(),
    /** OAuth2 access token (Google Workspace, Microsoft 365) instead of a password. */
    accessToken: z.string().optional(),
    folder: z.string().min(1).default('INBOX'),
    /** The book its letters go to; the first book when unset. */
    book: z.string().optional(),
    /** The central address its mail was sent to; the book's first address when unset. */
    address: z.string().email().optional(),
    /** After a message is kept: flag it and move it (never deleted), or only flag it. */
    afterIntake: z.enum(['move', 'flag']).default('move'),
    moveTo: z.string().min(1).default('Registered'),
    /** Fallback poll, for servers without IDLE and as a safety net. */
    pollIntervalMs: z.number().int().positive().default(60_000),
    /** IDLE is restarted this often: servers and middleboxes drop long-idle connections. */
    maxIdleTimeMs: z
      .number()
      .int()
      .positive()
      .default(5 * 60_000),
  })
  .refine((m) => m.password !== undefined || m.accessToken !== undefined, { message: 'give password or accessToken' })
  .transform((m) => ({ ...m, port: m.port ?? (m.secure ? 993 : 143) }));

export const configSchema = z
  .object({
    agency: z.object({
      name: z.string().min(1),
      nameEn: z.string().min(1).optional(),
      domain: z.string().min(1),
    }),
    books: z.array(book).min(1),
    smtp: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(2525),
        // Name in the greeting and in our Message-IDs' right-hand side; the agency domain when unset.
        hostname: z.string().optional(),
        maxSizeBytes: z
          .number()
          .int()
          .positive()
          .default(25 * 1024 * 1024),
        maxConnections: z.number().int().positive().default(200),
        // On shutdown, how long a sender in the middle of DATA may take to finish.
        closeTimeoutMs: z.number().int().positive().default(30_000),
      })
      .prefault({}),
    desk: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
      })
      .prefault({}),
    database: z.object({ url: z.string().min(1).default('postgres://postgres@127.0.0.1:5432/saraban') }).prefault({}),
    redis: z
      .object({
        url: z.string().min(1).default('redis://127.0.0.1:6379'),
        prefix: z.string().min(1).default('saraban'),
      })
      .prefault({}),
    relay: z.object({ url: z.string().min(1).default('smtp://127.0.0.1:1025') }).prefault({}),
    workers: z
      .object({
        letterConcurrency: z.number().int().positive().default(8),
        mailConcurrency: z.number().int().positive().default(8),
        // How long a job may run before another worker takes it over (a crashed worker's jobs).
        lockDurationMs: z.number().int().positive().default(30_000),
        stalledIntervalMs: z.number().int().positive().default(30_000),
        mailAttempts: z.number().int().positive().default(10),
        mailBackoffMs: z.number().int().positive().default(30_000),
      })
      .prefault({}),
    imap: z.array(imapMailbox).default([]),
    reconciler: z.object({ intervalMs: z.number().int().positive().default(60_000) }).prefault({}),
    log: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({}),
  })
  .superRefine((config, ctx) => {
    config.imap.forEach((m, i) => {
      if (m.book !== undefined && !config.books.some((b) => b.code === m.book)) {
        ctx.addIssue({ code: 'custom', path: ['imap', i, 'book'], message: `no book "${m.book}" in books` });
      }
    });
    const seen = new Map<string, string>();
    for (const b of config.books) {
      for (const address of b.addresses) {
        const other = seen.get(address);
        if (other) {
          ctx.addIssue({ code: 'custom', path: ['books'], message: `address ${address} is in both books ${other} and ${b.code}` });
        }
        seen.set(address, b.code);
      }
    }
  });

export type Config = z.infer<typeof configSchema>;
export type Book = Config['books'][number];
export type ImapMailbox = Config['imap'][number];
