import { z } from 'zod';
import { THAI_GOVERNMENT_HOLIDAYS } from './holidays';

/** One incoming register (ทะเบียนหนังสือรับ) and the central addresses that feed it. */
const book = z.strictObject({
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
  .strictObject({
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
    /**
     * The authserv-id of the mail server's own Authentication-Results header (e.g.
     * mx.google.com): the only one believed, since a sender can add any header. Unset: none.
     */
    trustedAuthservId: z.string().min(1).optional(),
    /**
     * Tries at one message (a FETCH the server answers NO, a message that cannot be kept) before
     * it is flagged $SarabanFailed for a clerk and passed over, so that it cannot stop the folder.
     */
    maxAttemptsPerMessage: z.number().int().min(1).default(5),
  })
  .refine((m) => m.password !== undefined || m.accessToken !== undefined, { message: 'give password or accessToken' })
  .transform((m) => ({ ...m, port: m.port ?? (m.secure ? 993 : 143) }));

/** A unit of the office (กอง / ฝ่าย / งาน) to create on a first start. */
const unit = z.strictObject({
  code: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'use letters, digits, ".", "_" or "-" (at most 32)'),
  name: z.string().min(1),
  /** The code of the unit above it, listed before it. */
  parent: z.string().optional(),
});

/** An officer to create on a first start; afterwards the register is the record (saraban officer ...). */
const officer = z.strictObject({
  username: z
    .string()
    .transform((u) => u.trim().toLowerCase())
    .pipe(z.string().regex(/^[a-z0-9_.-]{1,64}$/, 'use 1 to 64 letters a-z, digits, ".", "_" or "-"')),
  /** ชื่อ สกุล */
  name: z.string().min(1),
  role: z.enum(['officer', 'supervisor', 'admin']),
  unit: z.string().optional(),
  position: z.string().optional(),
  phone: z.string().optional(),
  /** Where their reminders go (reminders.*); none: they get no reminder. */
  email: z.email().optional(),
  secretClearance: z.boolean().default(false),
  /** Named to check the central mailbox: published on /contact and in the central-address report. */
  checksMailbox: z.boolean().default(false),
  /** Never the password itself: the line `saraban password-hash` prints for it. */
  passwordHash: z
    .string()
    .regex(
      /^\$scrypt\$ln=\d+,r=\d+,p=\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/,
      'give the line `saraban password-hash` prints (starting $scrypt$), never the password itself',
    ),
});

/**
 * How many automatic replies one sender may get, for one trust tier (letter/trust.ts): at most
 * `replies` in any `minutes` (sliding) for each window; more are held for the digest. Of this
 * sender's replies in one clock hour, at most hourlyShare count towards allSendersPerHour.
 */
function replyTier(defaults: { windows: Array<{ minutes: number; replies: number }>; hourlyShare: number }) {
  return z
    .strictObject({
      windows: z
        .array(z.strictObject({ minutes: z.number().int().positive(), replies: z.number().int().nonnegative() }))
        .default(defaults.windows),
      hourlyShare: z.number().int().nonnegative().default(defaults.hourlyShare),
    })
    .prefault({});
}

/** agency.officeHours when the settings do not say: the civil service's working day. */
export const DEFAULT_OFFICE_HOURS = 'วันจันทร์ถึงวันศุกร์ เวลา ๐๘.๓๐–๑๖.๓๐ น. เว้นวันหยุดราชการ';

/** workers.pdfMemoryMb when the settings do not say; also what reading a message assumes when not told. */
export const DEFAULT_PDF_MEMORY_MB = 1536;

// ---- The desk: routing of registered letters (letter/routing.ts) ----

/** A value or a list of values, as people write them in YAML. */
const oneOrMany = <T extends z.ZodType<string, string>>(item: T) =>
  z.union([item, z.array(item).min(1)]).transform((v): Array<z.output<T>> => (Array.isArray(v) ? v : [v]));

const UNIT_CODE = /^[A-Za-z0-9_.-]{1,32}$/;

/** The first rule whose every condition a letter meets names where it goes. */
const routingRule = z.strictObject({
  /** Recorded with the assignment it makes, so name it as officers will recognise it. */
  name: z.string().min(1),
  when: z
    .strictObject({
      books: oneOrMany(z.string().min(1)).optional(),
      /** จาก, as the register names the agency (the agency directory's name). */
      agencies: oneOrMany(z.string().min(1)).optional(),
      /** The sender's domain; its sub-domains match too. */
      domains: oneOrMany(
        z
          .string()
          .min(1)
          .transform((d) => d.toLowerCase()),
      ).optional(),
      /** Words in เรื่อง (Thai needs no spaces around them). */
      titleWords: oneOrMany(z.string().min(1)).optional(),
      urgencies: oneOrMany(z.enum(['ด่วนที่สุด', 'ด่วนมาก', 'ด่วนภายใน', 'ด่วน'])).optional(),
    })
    .refine((w) => Object.values(w).some((v) => v !== undefined), {
      message: 'give at least one condition (books, agencies, domains, titleWords, urgencies); a rule for every letter is centralUnit',
    }),
  to: z.union([
    z.strictObject({ unit: z.string().regex(UNIT_CODE, 'a unit code: letters, digits, _ . or - (at most 32)') }),
    z.strictObject({ officer: z.string().min(1) }),
  ]),
});

const routing = z
  .strictObject({
    /** งานสารบรรณกลาง: the unit (by code) that takes every letter no rule takes. */
    centralUnit: z.string().regex(UNIT_CODE, 'a unit code: letters, digits, _ . or - (at most 32)').default('SARABAN'),
    rules: z.array(routingRule).default([]),
  })
  .superRefine((r, ctx) => {
    const seen = new Set<string>();
    r.rules.forEach((rule, i) => {
      if (seen.has(rule.name)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: `two rules are named "${rule.name}"` });
      seen.add(rule.name);
    });
  })
  .prefault({});

/** A rule naming a book the settings do not have would never match: say so at start. */
function checkRoutingBooks(config: { books: Array<{ code: string }>; routing: z.infer<typeof routing> }, ctx: z.RefinementCtx) {
  config.routing.rules.forEach((rule, i) => {
    for (const b of rule.when.books ?? []) {
      if (!config.books.some((book) => book.code === b)) {
        ctx.addIssue({ code: 'custom', path: ['routing', 'rules', i, 'when', 'books'], message: `no book "${b}" in books` });
      }
    }
  });
}

// ---- end of routing ----

// ---- Reminders (letter/workday.ts, letter/reminders.ts) ----

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'write a time of day as HH:MM, 24-hour, Bangkok time (e.g. 09:00)');

const isoDate = z.iso.date({ error: 'write a date of the calendar as YYYY-MM-DD, common era (e.g. 2026-04-13)' });

const reminders = z
  .strictObject({
    /** Reminder e-mails to officers at all (they go only to officers with an e-mail address). */
    enabled: z.boolean().default(true),
    /** When, on each working day, officers are sent what waits for them (Asia/Bangkok). */
    checkTimes: z
      .array(clockTime)
      .min(1)
      .default(['09:00', '14:00'])
      .transform((times) => [...new Set(times)].sort()),
    /** The office's day: ด่วนที่สุด reminders and escalation count only time within it. */
    officeHours: z
      .strictObject({ start: clockTime.default('08:30'), end: clockTime.default('16:30') })
      .refine((h) => h.start < h.end, { message: 'start must be before end' })
      .prefault({}),
    /** Closed days besides Saturdays and Sundays (CE dates); a list replaces the shipped one (config/holidays.ts). */
    holidays: z.array(isoDate).default(THAI_GOVERNMENT_HOLIDAYS.map((h) => h.date)),
    /** A ด่วนที่สุด letter not yet taken is reminded this often (in office hours) ... */
    urgentEveryMinutes: z.number().int().min(5).max(1440).default(60),
    /** ... and its holder's supervisor too once it has waited this long (office time). */
    escalateAfterMinutes: z.number().int().positive().default(240),
    /** The From address of reminders; the first book's first central address when unset. */
    from: z.email().optional(),
  })
  .prefault({});

export const configSchema = z
  .strictObject({
    agency: z.strictObject({
      name: z.string().min(1),
      nameEn: z.string().min(1).optional(),
      domain: z.string().min(1),
      /** Whom a sender calls about a letter: printed in every acknowledgement and notice. */
      contact: z
        .strictObject({
          name: z.string().min(1).optional(), // e.g. งานสารบรรณ สำนักงานปลัด
          phone: z.string().min(1).optional(),
          email: z.string().email().optional(),
          address: z.string().min(1).optional(),
        })
        .optional(),
      /**
       * When the central mailbox is checked, as the contact page says it. The default is the
       * civil service's working hours, true of most agencies; one that keeps other hours says so.
       */
      officeHours: z.string().min(1).default(DEFAULT_OFFICE_HOURS),
    }),
    books: z.array(book).min(1),
    smtp: z
      .strictObject({
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
      .strictObject({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /**
         * The session cookie only over HTTPS. On by default, for a desk behind TLS; off only for
         * trying the desk over plain HTTP on one machine.
         */
        secureCookies: z.boolean().default(true),
        /** Behind a reverse proxy: believe its X-Forwarded-For/-Proto (the client address the login limit counts). */
        trustProxy: z.boolean().default(false),
        /**
         * The address officers reach the desk at (e.g. https://saraban.example.go.th), for links in
         * reminder e-mails; unset: reminders carry no link.
         */
        publicUrl: z
          .url({ protocol: /^https?$/, error: 'write the address officers open the desk at, http(s)://host[:port][/path]' })
          .transform((u) => u.replace(/\/+$/, ''))
          .optional(),
        /** Digits on the desk's pages: Thai (๑๒๓, as a Thai office writes) or Arabic (123). */
        digits: z.enum(['thai', 'arabic']).default('thai'),
        /** How long a sign-in lasts (a working day by default). */
        sessionHours: z
          .number()
          .positive()
          .max(24 * 30)
          .default(12),
        login: z
          .strictObject({
            /** Sign-in attempts from one address in one minute; more are answered 429. */
            perMinute: z.number().int().positive().default(10),
            /** Wrong passwords in a row that lock the officer out ... */
            maxFailures: z.number().int().positive().default(5),
            /** ... for this long. */
            lockMinutes: z.number().positive().default(15),
          })
          .prefault({}),
      })
      .prefault({}),
    database: z
      .strictObject({
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\/[^/]*\/[^/?]+/, 'write postgres://user:password@host:5432/database (in DATABASE_URL or database.url)')
          .default('postgres://postgres@127.0.0.1:5432/saraban'),
      })
      .prefault({}),
    redis: z
      .strictObject({
        url: z
          .string()
          .regex(/^rediss?:\/\/./, 'write redis://[:password@]host:6379[/db] (in REDIS_URL or redis.url)')
          .default('redis://127.0.0.1:6379'),
        prefix: z.string().min(1).default('saraban'),
      })
      .prefault({}),
    relay: z.strictObject({ url: z.string().min(1).default('smtp://127.0.0.1:1025') }).prefault({}),
    workers: z
      .strictObject({
        letterConcurrency: z.number().int().positive().default(8),
        mailConcurrency: z.number().int().positive().default(8),
        // How long a job may run before another worker takes it over (a crashed worker's jobs).
        lockDurationMs: z.number().int().positive().default(30_000),
        stalledIntervalMs: z.number().int().positive().default(30_000),
        mailAttempts: z.number().int().positive().default(10),
        mailBackoffMs: z.number().int().positive().default(30_000),
        // The Unix nice value a worker running in a process of its own gives its threads (never raised).
        niceness: z.number().int().min(0).max(19).default(10),
        // How large (RSS, MiB) a worker process may grow while it reads PDFs' first pages (or stamps them).
        pdfMemoryMb: z.number().int().min(256).default(DEFAULT_PDF_MEMORY_MB),
        // Receipt stamps drawn at once, each in a reader thread (shared with reading, which goes first).
        stampConcurrency: z.number().int().positive().default(1),
        // How long drawing one stamp may take; past it (or past pdfMemoryMb) it is tried again, then given up.
        stampTimeoutMs: z.number().int().positive().default(30_000),
        // The wait before a stamp is tried again; doubles each time.
        stampBackoffMs: z.number().int().positive().default(10_000),
        // On shutdown, how long the jobs in hand may take to finish and be recorded in Redis.
        closeTimeoutMs: z.number().int().positive().default(10_000),
      })
      .prefault({}),
    imap: z.array(imapMailbox).default([]),
    units: z.array(unit).default([]),
    officers: z.array(officer).default([]),
    letters: z
      .strictObject({
        /** An attachment of one of these MIME types ("image/*" for all images) or extensions is a letter. */
        allowedTypes: z.array(z.string()).default([
          'application/pdf',
          'application/msword',
          'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
          'application/vnd.oasis.opendocument.text',
          'application/rtf',
          'image/*',
          'application/zip',
          'application/x-zip-compressed',
          // Outlook's rich-text wrapper: the letter is inside winmail.dat.
          'application/ms-tnef',
        ]),
        allowedExtensions: z
          .array(z.string().transform((e) => e.toLowerCase().replace(/^\./, '')))
          .default(['pdf', 'doc', 'docx', 'odt', 'rtf', 'jpg', 'jpeg', 'png', 'tif', 'tiff', 'gif', 'zip']),
        /** A body at least this long (characters) is taken to be the letter itself. */
        minBodyChars: z.number().int().nonnegative().default(300),
        /** CSV (match,name) naming the sending agency (จาก) by address or domain; relative to this file's folder. */
        agencyDirectory: z.string().default('agencies.csv'),
      })
      .prefault({}),
    authenticity: z
      .strictObject({
        /** A sender shown to be forged: register as suspect without replying, refuse, or acknowledge anyway. */
        onForged: z.enum(['suspect', 'refuse', 'acknowledge']).default('suspect'),
        /** false: no DNS look-ups (an office without outside DNS); every sender is then unverified. */
        checkDns: z.boolean().default(true),
      })
      .prefault({}),
    replies: z
      .strictObject({
        /** Domains under these suffixes are trusted like the agency directory (when authenticated). */
        trustedSuffixes: z
          .array(
            z
              .string()
              .min(1)
              .transform((suffix) => suffix.toLowerCase()),
          )
          .default(['.go.th']),
        trusted: replyTier({
          windows: [
            { minutes: 10, replies: 300 },
            { minutes: 1440, replies: 3000 },
          ],
          hourlyShare: 300,
        }),
        authenticated: replyTier({
          windows: [
            { minutes: 10, replies: 60 },
            { minutes: 1440, replies: 1000 },
          ],
          hourlyShare: 60,
        }),
        unverified: replyTier({
          windows: [
            { minutes: 10, replies: 20 },
            { minutes: 1440, replies: 200 },
          ],
          hourlyShare: 20,
        }),
        /** Replies to everyone in one clock hour, each sender counting at most its tier's hourlyShare. */
        allSendersPerHour: z.number().int().nonnegative().default(1000),
        /** A loop: the same subject or text from one sender this often within this time, with no new letter. */
        loop: z
          .strictObject({
            repeats: z.number().int().min(2).default(3),
            withinMinutes: z.number().int().positive().default(60),
            /** Once a loop was stopped, messages of its shape stay unanswered this long. */
            stopMinutes: z.number().int().nonnegative().default(1440),
          })
          .prefault({}),
        /** Receipts held back by a window go out together, at most once in this many minutes per sender. */
        digestEveryMinutes: z.number().int().positive().default(30),
      })
      .prefault({}),
    reminders,
    reconciler: z
      .strictObject({
        intervalMs: z.number().int().positive().default(60_000),
        /**
         * A message still arriving whose sender has sent no 512 KiB piece for this long is given
         * up and its pieces deleted. Far above smtp-server's 60 s idle limit: a sender this slow
         * is gone, or sends less than 512 KiB an hour.
         */
        unfinishedMessageMinutes: z.number().int().positive().default(60),
      })
      .prefault({}),
    log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({}),
    routing,
  })
  .superRefine((config, ctx) => {
    config.imap.forEach((m, i) => {
      if (m.book !== undefined && !config.books.some((b) => b.code === m.book)) {
        ctx.addIssue({ code: 'custom', path: ['imap', i, 'book'], message: `no book "${m.book}" in books` });
      }
    });
    const units = new Set<string>();
    config.units.forEach((u, i) => {
      if (u.parent !== undefined && !units.has(u.parent)) {
        ctx.addIssue({ code: 'custom', path: ['units', i, 'parent'], message: `no unit "${u.parent}" listed before "${u.code}"` });
      }
      if (units.has(u.code)) ctx.addIssue({ code: 'custom', path: ['units', i, 'code'], message: `unit "${u.code}" is listed twice` });
      units.add(u.code);
    });
    const usernames = new Set<string>();
    config.officers.forEach((o, i) => {
      if (o.unit !== undefined && !units.has(o.unit)) {
        ctx.addIssue({ code: 'custom', path: ['officers', i, 'unit'], message: `no unit "${o.unit}" in units` });
      }
      if (usernames.has(o.username))
        ctx.addIssue({ code: 'custom', path: ['officers', i, 'username'], message: `officer "${o.username}" is listed twice` });
      usernames.add(o.username);
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
  })
  .superRefine(checkRoutingBooks);

export type Config = z.infer<typeof configSchema>;
export type RoutingSettings = Config['routing'];
export type ReminderSettings = Config['reminders'];
export type ReconcilerSettings = Config['reconciler'];
export type Book = Config['books'][number];
export type ImapMailbox = Config['imap'][number];
