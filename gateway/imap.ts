import { ImapFlow, type FetchMessageObject } from 'imapflow';
import type { Logger } from 'pino';
import { mailboxKey, type Config, type ImapMailbox } from '../config/load';
import { backoffDelay } from '../lib/backoff';
import type { Pool } from '../registry/db';
import { advanceWatermark, loadWatermark, saveMailboxStatus, type MailboxStatus } from '../registry/imap';
import type { ArrivingMessage, StoredInbound } from '../registry/inbound';
import type { IntakeObserver } from './intake';

export interface ImapFetcherOptions {
  mailbox: ImapMailbox;
  config: Config;
  pool: Pool;
  intake: (message: ArrivingMessage) => Promise<StoredInbound>;
  observer: IntakeObserver;
  logger: Logger;
  clock?: () => Date;
  /** First reconnect delay; doubles per failure up to a minute, with jitter. */
  reconnectBaseMs?: number;
}

export interface ImapFetcher {
  readonly key: string;
  stop(): Promise<void>;
}

// Flags we set on a message once it is kept. Never \Deleted: we do not delete mail.
const KEPT_FLAGS = ['\\Seen', '$SarabanKept'];
const TOO_LARGE_FLAG = '$SarabanTooLarge';
// UIDs fetched per FETCH command: bounds memory and the command line.
const BATCH = 200;
const RECONNECT_MAX_MS = 60_000;

/**
 * The IMAP edge: takes every message of one folder in, in UID order, through the same
 * intake() as SMTP, and only then flags or moves it. Progress is a watermark per
 * (mailbox, UIDVALIDITY) in PostgreSQL, advanced after the message is kept and handled;
 * a message fetched twice (crash, UIDVALIDITY reset) is recognised by its content hash.
 */
export function startImapFetcher(options: ImapFetcherOptions): ImapFetcher {
  return new MailboxFetcher(options);
}

/** One folder's fetcher: connects, takes in what is new, waits for more, reconnects after a failure. */
class MailboxFetcher implements ImapFetcher {
  readonly key: string;
  private readonly mailbox: ImapMailbox;
  private readonly log: Logger;
  private readonly clock: () => Date;
  private readonly book: Config['books'][number];
  private readonly address: string;
  private readonly status: MailboxStatus;
  private stopped = false;
  // Set when the server reports new mail; a report that comes during a sync is not lost.
  private changed = false;
  private wake: () => void = () => undefined;
  private readonly running: Promise<void>;

  constructor(private readonly options: ImapFetcherOptions) {
    const { mailbox, config } = options;
    this.mailbox = mailbox;
    this.key = mailboxKey(mailbox);
    this.log = options.logger.child({ mailbox: this.key });
    this.clock = options.clock ?? (() => new Date());
    this.book = config.books.find((b) => b.code === (mailbox.book ?? config.books[0].code))!;
    this.address = mailbox.address?.toLowerCase() ?? this.book.addresses[0];
    this.status = { mailbox: this.key, connected: false, lastSyncAt: null, uidValidity: null, lastUid: null, backlog: 0, lastError: null };
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.running;
  }

  /** Sessions one after another until stopped, waiting longer after each failure in a row. */
  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        await this.session();
      } catch (err) {
        if (this.stopped) break;
        failures++;
        this.status.lastError = (err as Error).message;
        await this.saveStatus();
        const delay = backoffDelay(failures, { baseMs: this.options.reconnectBaseMs ?? 1_000, maxMs: RECONNECT_MAX_MS }, Math.random());
        this.log.warn({ err: (err as Error).message, retryInMs: Math.round(delay) }, 'IMAP mailbox unavailable; reconnecting');
        await this.pause(delay);
        continue;
      }
      failures = 0;
    }
  }

  /** One connection: syncs until the connection fails or the fetcher stops; throws if it ended unasked. */
  private async session(): Promise<void> {
    const mailbox = this.mailbox;
    const c = new ImapFlow({
      host: mailbox.host,
      port: mailbox.port,
      secure: mailbox.secure,
      auth: mailbox.accessToken ? { user: mailbox.user, accessToken: mailbox.accessToken } : { user: mailbox.user, pass: mailbox.password },
      logger: false,
      maxIdleTime: mailbox.maxIdleTimeMs,
      connectionTimeout: 30_000,
    });
    c.on('error', (err: Error) => this.log.warn({ err: err.message }, 'IMAP connection error'));
    c.on('exists', () => {
      this.changed = true;
      this.wake();
    });
    c.on('close', () => this.wake());
    await c.connect();
    try {
      if (mailbox.afterIntake === 'move') {
        await c.mailboxCreate(mailbox.moveTo).catch((err: { mailboxExists?: boolean; serverResponseCode?: string }) => {
          if (!err.mailboxExists && err.serverResponseCode !== 'ALREADYEXISTS') throw err;
        });
      }
      await c.mailboxOpen(mailbox.folder);
      this.status.connected = true;
      this.status.lastError = null;
      this.log.info('IMAP mailbox connected');
      while (!this.stopped && c.usable) {
        await this.sync(c);
        // Until the server says something changed (IDLE), the poll interval passes, or we stop.
        if (!this.stopped && c.usable && !this.changed) await this.pause(mailbox.pollIntervalMs);
      }
    } finally {
      this.status.connected = false;
      await this.saveStatus();
      if (c.usable) await c.logout().catch(() => c.close());
      else c.close();
    }
    if (!this.stopped) throw new Error('IMAP connection closed');
  }

  /** Takes in every message above the watermark, in UID order, moving the watermark after each. */
  private async sync(c: ImapFlow): Promise<void> {
    const { pool } = this.options;
    const status = this.status;
    this.changed = false;
    const uidValidity = c.mailbox && typeof c.mailbox === 'object' ? c.mailbox.uidValidity : 0n;
    const watermark = await loadWatermark(pool, this.key, uidValidity);
    // "n:*" always matches the newest message, even below n: filter ourselves.
    const found = (await c.search({ uid: `${watermark + 1}:*` }, { uid: true })) || [];
    const todo = found.filter((uid) => uid > watermark).sort((a, b) => a - b);
    status.uidValidity = uidValidity.toString();
    status.lastUid = watermark;
    status.backlog = todo.length;
    for (let i = 0; i < todo.length && !this.stopped; i += BATCH) {
      // Collect what we need to know first; act only after the FETCH has finished.
      const batch = await c.fetchAll(
        todo.slice(i, i + BATCH),
        { uid: true, size: true, envelope: true, headers: ['return-path'] },
        { uid: true },
      );
      batch.sort((a, b) => a.uid - b.uid);
      for (const message of batch) {
        if (this.stopped) break;
        await this.takeIn(c, message);
        await advanceWatermark(pool, this.key, uidValidity, message.uid);
        status.lastUid = message.uid;
        status.backlog--;
      }
    }
    status.lastSyncAt = this.clock();
    await this.saveStatus();
  }

  /** Keeps one message through intake() and only then flags (or moves) it; one too large is flagged and left. */
  private async takeIn(c: ImapFlow, message: FetchMessageObject): Promise<void> {
    const { config, observer } = this.options;
    const uid = message.uid;
    if ((message.size ?? 0) > config.smtp.maxSizeBytes) {
      // Left in the folder, marked, for a clerk: we cannot keep it and must not lose it.
      await c.messageFlagsAdd(uid, [TOO_LARGE_FLAG], { uid: true });
      observer.refused('imap', 'too-large');
      this.log.warn(
        { uid, size: message.size, limit: config.smtp.maxSizeBytes },
        'message over the size limit left in the mailbox, flagged',
      );
      return;
    }
    const download = await c.download(String(uid), undefined, { uid: true });
    if (!download?.content) {
      this.log.warn({ uid }, 'message vanished before it could be fetched');
      return;
    }
    const stored = await this.options.intake({
      edge: 'imap',
      stream: download.content,
      mailFrom: returnPath(message),
      rcptTo: [this.address],
      book: this.book.code,
      receivedAt: this.clock(),
      source: `imap:${this.key}`,
    });
    if (!stored.alreadyKept) observer.accepted('imap');
    // Only now, with the message committed, may the mailbox be changed.
    await c.messageFlagsAdd(uid, KEPT_FLAGS, { uid: true });
    if (this.mailbox.afterIntake === 'move') await c.messageMove(uid, this.mailbox.moveTo, { uid: true });
    this.log.debug({ uid, inboundId: stored.id, alreadyKept: stored.alreadyKept }, 'message taken from the mailbox');
  }

  /** Waits ms, or less if woken (new mail, the connection closing, stop()). */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private saveStatus(): Promise<void> {
    return saveMailboxStatus(this.options.pool, this.status).catch((err) =>
      this.log.warn({ err: err.message }, 'could not save mailbox status'),
    );
  }
}

/** The envelope sender as the delivering server recorded it; null for the null sender <>. */
function returnPath(message: FetchMessageObject): string | null {
  const header = message.headers?.toString('utf8') ?? '';
  const match = header.match(/^return-path:\s*<([^>]*)>/im);
  if (match) return match[1].trim().toLowerCase() || null;
  return message.envelope?.from?.[0]?.address?.toLowerCase() ?? null;
}
