import { ImapFlow, type FetchMessageObject } from 'imapflow';
import type { Logger } from 'pino';
import { mailboxKey, type Config, type ImapMailbox } from '../config/load';
import { backoffDelay } from '../lib/backoff';
import type { Pool } from '../registry/db';
import {
  advanceWatermark,
  countMessageFailure,
  forgetMessageFailures,
  loadMessageFailures,
  loadWatermark,
  markMessageGivenUp,
  saveMailboxStatus,
  type FailedMessageEnvelope,
  type MailboxStatus,
} from '../registry/imap';
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
// A message that failed imap[].maxAttemptsPerMessage times: left in the folder for a clerk.
const FAILED_FLAG = '$SarabanFailed';
// What is fetched of each message before it is downloaded.
const SUMMARY = { uid: true, size: true, envelope: true, headers: ['return-path'] };
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
  /** The current session has synced at least once: it connected and worked. */
  private synced = false;
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
        // A session that synced before it failed was a working one: the count of failures in a
        // row starts again, or a connection dropped now and then would come to wait a minute.
        if (this.synced) failures = 0;
        this.synced = false;
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
        this.synced = true;
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
      const uids = todo.slice(i, i + BATCH);
      // Collect what we need to know first; act only after the FETCH has finished.
      const batch = await this.fetchSummaries(c, uids);
      const failures = await loadMessageFailures(pool, this.key, uidValidity, uids);
      for (const fetched of batch) {
        if (this.stopped) break;
        const uid = fetched.uid;
        const attempts = failures.get(uid) ?? 0;
        if (attempts >= this.mailbox.maxAttemptsPerMessage) {
          // Failed as often as allowed already (the last try broke the connection, or we were
          // stopped before flagging it): flag it now rather than try it again.
          await this.passOver(c, uidValidity, fetched, attempts);
        } else {
          let taken = false;
          try {
            if (fetched.failure) throw fetched.failure;
            await this.takeIn(c, fetched.message);
            taken = true;
          } catch (err) {
            await this.failed(c, uidValidity, fetched, err as Error);
          }
          if (taken && attempts > 0) await forgetMessageFailures(pool, this.key, uidValidity, uid);
        }
        await advanceWatermark(pool, this.key, uidValidity, uid);
        status.lastUid = uid;
        status.backlog--;
      }
    }
    status.lastSyncAt = this.clock();
    await this.saveStatus();
  }

  /**
   * What intake needs to know of each message (size, envelope, Return-Path), in one FETCH. A
   * server that cannot read one of the messages may refuse the whole FETCH (Gmail: "Some
   * messages could not be FETCHed"): then each is asked alone, and the one refused carries its
   * failure, so that it is counted against that message and not against the folder.
   */
  private async fetchSummaries(c: ImapFlow, uids: number[]): Promise<Fetched[]> {
    try {
      const batch = await c.fetchAll(uids, SUMMARY, { uid: true });
      return batch.sort((a, b) => a.uid - b.uid).map((message) => ({ uid: message.uid, message }));
    } catch (err) {
      if (!c.usable || this.stopped) throw err;
      this.log.warn({ err: (err as Error).message, uids: uids.length }, 'FETCH of a batch refused; asking for each message alone');
    }
    const fetched: Fetched[] = [];
    for (const uid of uids) {
      if (this.stopped) break;
      try {
        const message = await c.fetchOne(String(uid), SUMMARY, { uid: true });
        if (message) fetched.push({ uid, message });
      } catch (err) {
        if (!c.usable) throw err;
        fetched.push({ uid, failure: err as Error });
      }
    }
    return fetched;
  }

  /**
   * One failure of one message, counted in PostgreSQL. Below imap[].maxAttemptsPerMessage it
   * ends the session (the caller reconnects after a back-off and tries the message again); at
   * it the message is passed over, so that one message cannot stop its folder.
   */
  private async failed(c: ImapFlow, uidValidity: bigint, fetched: Fetched, err: Error): Promise<void> {
    if (this.stopped) throw err;
    const attempts = await countMessageFailure(this.options.pool, {
      mailbox: this.key,
      uidValidity,
      uid: fetched.uid,
      error: describe(err),
      envelope: envelopeOf(fetched.message),
    });
    const max = this.mailbox.maxAttemptsPerMessage;
    this.log.warn({ uid: fetched.uid, attempts, maxAttempts: max, err: describe(err) }, 'IMAP message could not be taken in');
    if (attempts < max) throw err;
    await this.passOver(c, uidValidity, fetched, attempts);
  }

  /** Flags a message that failed too often for a clerk, records it, and lets the folder go on past it. */
  private async passOver(c: ImapFlow, uidValidity: bigint, fetched: Fetched, attempts: number): Promise<void> {
    const uid = fetched.uid;
    // A refused flag (a read-only folder) does not hold the folder up: the row says so.
    const flagged = c.usable ? await c.messageFlagsAdd(uid, [FAILED_FLAG], { uid: true }) : false;
    // The connection gone, nothing could be flagged: after reconnecting, the count says to try again.
    if (!c.usable) throw new Error('IMAP connection closed');
    await markMessageGivenUp(this.options.pool, this.key, uidValidity, uid, flagged);
    this.options.observer.refused('imap', 'failed');
    this.log.error(
      { uid, uidValidity: uidValidity.toString(), attempts, flagged, ...envelopeOf(fetched.message) },
      `IMAP message failed ${attempts} times; flagged ${FAILED_FLAG} for a clerk and passed over`,
    );
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

/** A message of a batch: what the server told of it, or why it would not. */
type Fetched = { uid: number; message: FetchMessageObject; failure?: undefined } | { uid: number; message?: undefined; failure: Error };

/** What the log and the failure's row say of a message, so a clerk can find it. */
function envelopeOf(message: FetchMessageObject | undefined): FailedMessageEnvelope {
  const from = message?.envelope?.from?.[0]?.address;
  return { messageId: message?.envelope?.messageId ?? null, from: from ?? null, subject: message?.envelope?.subject ?? null };
}

/** An error as the log and the row give it: imapflow's "Command failed" with what the server answered. */
function describe(err: Error): string {
  const answered = (err as { responseText?: string }).responseText;
  return answered ? `${err.message}: ${answered}` : err.message;
}

/** The envelope sender as the delivering server recorded it; null for the null sender <>. */
function returnPath(message: FetchMessageObject): string | null {
  const header = message.headers?.toString('utf8') ?? '';
  const match = header.match(/^return-path:\s*<([^>]*)>/im);
  if (match) return match[1].trim().toLowerCase() || null;
  return message.envelope?.from?.[0]?.address?.toLowerCase() ?? null;
}
