import { ImapFlow, type FetchMessageObject } from 'imapflow';
import type { Logger } from 'pino';
import { mailboxKey, type Config, type ImapMailbox } from '../config/load';
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

/**
 * The IMAP edge: takes every message of one folder in, in UID order, through the same
 * intake() as SMTP, and only then flags or moves it. Progress is a watermark per
 * (mailbox, UIDVALIDITY) in PostgreSQL, advanced after the message is kept and handled;
 * a message fetched twice (crash, UIDVALIDITY reset) is recognised by its content hash.
 */
export function startImapFetcher(options: ImapFetcherOptions): ImapFetcher {
  const { mailbox, config, pool, logger } = options;
  const key = mailboxKey(mailbox);
  const log = logger.child({ mailbox: key });
  const clock = options.clock ?? (() => new Date());
  const book = config.books.find((b) => b.code === (mailbox.book ?? config.books[0].code))!;
  const address = mailbox.address?.toLowerCase() ?? book.addresses[0];
  const status: MailboxStatus = {
    mailbox: key,
    connected: false,
    lastSyncAt: null,
    uidValidity: null,
    lastUid: null,
    backlog: 0,
    lastError: null,
  };

  let stopped = false;
  // Set when the server reports new mail; a report that comes during a sync is not lost.
  let changed = false;
  let wake: () => void = () => undefined;

  const saveStatus = () => saveMailboxStatus(pool, status).catch((err) => log.warn({ err: err.message }, 'could not save mailbox status'));
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function session(): Promise<void> {
    const c = new ImapFlow({
      host: mailbox.host,
      port: mailbox.port,
      secure: mailbox.secure,
      auth: mailbox.accessToken ? { user: mailbox.user, accessToken: mailbox.accessToken } : { user: mailbox.user, pass: mailbox.password },
      logger: false,
      maxIdleTime: mailbox.maxIdleTimeMs,
      connectionTimeout: 30_000,
    });
    c.on('error', (err: Error) => log.warn({ err: err.message }, 'IMAP connection error'));
    c.on('exists', () => {
      changed = true;
      wake();
    });
    c.on('close', () => wake());
    await c.connect();
    try {
      if (mailbox.afterIntake === 'move') {
        await c.mailboxCreate(mailbox.moveTo).catch((err: { mailboxExists?: boolean; serverResponseCode?: string }) => {
          if (!err.mailboxExists && err.serverResponseCode !== 'ALREADYEXISTS') throw err;
        });
      }
      await c.mailboxOpen(mailbox.folder);
      status.connected = true;
      status.lastError = null;
      log.info('IMAP mailbox connected');
      while (!stopped && c.usable) {
        await sync(c);
        // Until the server says something changed (IDLE), the poll interval passes, or we stop.
        if (!stopped && c.usable && !changed) await pause(mailbox.pollIntervalMs);
      }
    } finally {
      status.connected = false;
      await saveStatus();
      if (c.usable) await c.logout().catch(() => c.close());
      else c.close();
    }
    if (!stopped) throw new Error('IMAP connection closed');
  }

  async function sync(c: ImapFlow): Promise<void> {
    changed = false;
    const uidValidity = c.mailbox && typeof c.mailbox === 'object' ? c.mailbox.uidValidity : 0n;
    const watermark = await loadWatermark(pool, key, uidValidity);
    // "n:*" always matches the newest message, even below n: filter ourselves.
    const found = (await c.search({ uid: `${watermark + 1}:*` }, { uid: true })) || [];
    const todo = found.filter((uid) => uid > watermark).sort((a, b) => a - b);
    status.uidValidity = uidValidity.toString();
    status.lastUid = watermark;
    status.backlog = todo.length;
    for (let i = 0; i < todo.length && !stopped; i += BATCH) {
      // Collect what we need to know first; act only after the FETCH has finished.
      const batch = await c.fetchAll(
        todo.slice(i, i + BATCH),
        { uid: true, size: true, envelope: true, headers: ['return-path'] },
        { uid: true },
      );
      batch.sort((a, b) => a.uid - b.uid);
      for (const message of batch) {
        if (stopped) break;
        await takeIn(c, message);
        await advanceWatermark(pool, key, uidValidity, message.uid);
        status.lastUid = message.uid;
        status.backlog--;
      }
    }
    status.lastSyncAt = clock();
    await saveStatus();
  }

  async function takeIn(c: ImapFlow, message: FetchMessageObject): Promise<void> {
    const uid = message.uid;
    if ((message.size ?? 0) > config.smtp.maxSizeBytes) {
      // Left in the folder, marked, for a clerk: we cannot keep it and must not lose it.
      await c.messageFlagsAdd(uid, [TOO_LARGE_FLAG], { uid: true });
      options.observer.refused('imap', 'too-large');
      log.warn({ uid, size: message.size, limit: config.smtp.maxSizeBytes }, 'message over the size limit left in the mailbox, flagged');
      return;
    }
    const download = await c.download(String(uid), undefined, { uid: true });
    if (!download?.content) {
      log.warn({ uid }, 'message vanished before it could be fetched');
      return;
    }
    const stored = await options.intake({
      edge: 'imap',
      stream: download.content,
      mailFrom: returnPath(message),
      rcptTo: [address],
      book: book.code,
      receivedAt: clock(),
      source: `imap:${key}`,
    });
    if (!stored.alreadyKept) options.observer.accepted('imap');
    // Only now, with the message committed, may the mailbox be changed.
    await c.messageFlagsAdd(uid, KEPT_FLAGS, { uid: true });
    if (mailbox.afterIntake === 'move') await c.messageMove(uid, mailbox.moveTo, { uid: true });
    log.debug({ uid, inboundId: stored.id, alreadyKept: stored.alreadyKept }, 'message taken from the mailbox');
  }

  const running = (async () => {
    let failures = 0;
    while (!stopped) {
      try {
        await session();
      } catch (err) {
        if (stopped) break;
        failures++;
        status.lastError = (err as Error).message;
        await saveStatus();
        const delay = Math.min(60_000, (options.reconnectBaseMs ?? 1_000) * 2 ** (failures - 1)) * (0.5 + Math.random());
        log.warn({ err: (err as Error).message, retryInMs: Math.round(delay) }, 'IMAP mailbox unavailable; reconnecting');
        await pause(delay);
        continue;
      }
      failures = 0;
    }
  })();

  return {
    key,
    async stop() {
      stopped = true;
      wake();
      await running;
    },
  };
}

/** The envelope sender as the delivering server recorded it; null for the null sender <>. */
function returnPath(message: FetchMessageObject): string | null {
  const header = message.headers?.toString('utf8') ?? '';
  const match = header.match(/^return-path:\s*<([^>]*)>/im);
  if (match) return match[1].trim().toLowerCase() || null;
  return message.envelope?.from?.[0]?.address?.toLowerCase() ?? null;
}
