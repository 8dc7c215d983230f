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
    reconciler: z.object({ intervalMs: z.number().int().positive().default(60_000) }).prefault({}),
    log: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({}),
  })
  .superRefine((config, ctx) => {
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
