import { UnrecoverableError, Worker } from 'bullmq';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import { readAgencyDirectory, type Config } from '../config/load';
import { parseAgencyDirectory } from '../letter/agencies';
import { withDeadline } from '../lib/deadline';
import type { DnsResolver } from './authenticity';
import { recordReminderFailure } from '../registry/reminders';
import { recordReplyFailure } from '../registry/replies';
import type { Clock } from '../registry/letters';
import type { Pool } from '../registry/db';
import { processInbound, type LetterOutcome } from './letters';
import { sendReply } from './mail';
import { onIdlePdfReaderFailure } from './pdf';
import {
  createQueues,
  LETTERS_QUEUE,
  MAIL_QUEUE,
  queueReminder,
  queueReply,
  queueStamp,
  STAMPS_QUEUE,
  workerConnection,
  type LetterJob,
  type MailJob,
  type StampJob,
} from './queues';
import { startReconciler } from './reconciler';
import { sendReminder, startReminderScheduler } from './reminders';
import { stampLetter } from './stamps';

// Once the jobs have ended, Redis answering QUIT is only politeness.
const REDIS_QUIT_MS = 2_000;

/**
 * The relay refused the recipient's address for good (5.1.x: no such mailbox, bad address).
 * Other refusals - relay denied, authentication required - are our own settings and may be
 * fixed by the operator, so they are retried like any failure.
 */
function isBadRecipient(err: unknown): boolean {
  const response = String((err as { response?: string }).response ?? '');
  return /^5\d\d[ -]5\.1\.\d+/.test(response);
}

/**
 * What a finished letters job keeps in Redis, where up to 10,000 finished jobs stay for a day:
 * the outcome and the letter's number, not the whole letter (PostgreSQL holds that).
 */
function jobResult(outcome: LetterOutcome) {
  if (!('letter' in outcome)) return outcome;
  const { kind, letter, created } = outcome;
  return { kind, created, letterId: letter.id, book: letter.book, year: letter.year, number: letter.number };
}

export interface WorkerRole {
  /** Settles once the reminder scheduler is set (at once when reminders are off). */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** The pipeline's processes: letters (read, register), mail (acknowledge), stamps (ตรารับ), and the reconciler. */
export interface WorkerOptions {
  clock?: Clock;
  /** DNS for sender authentication; real DNS when not given (tests pass a table). */
  resolver?: DnsResolver;
}

export function startWorkers(config: Config, pool: Pool, logger: Logger, options: WorkerOptions = {}): WorkerRole {
  const clock = options.clock ?? (() => new Date());
  const { directory: agencies, problems } = parseAgencyDirectory(readAgencyDirectory(config));
  if (problems.length) logger.warn({ file: config.letters.agencyDirectory, problems }, 'agency directory has lines that were skipped');
  const connection = workerConnection(config);
  connection.on('error', (err) => logger.warn({ err: err.message }, 'Redis connection error (workers)'));
  const queues = createQueues(config, connection);
  const transport = nodemailer.createTransport({ url: config.relay.url, pool: true, maxConnections: config.workers.mailConcurrency });
  const common = {
    connection,
    prefix: config.redis.prefix,
    lockDuration: config.workers.lockDurationMs,
    stalledInterval: config.workers.stalledIntervalMs,
  };

  const letters = new Worker<LetterJob>(
    LETTERS_QUEUE,
    async (job) =>
      jobResult(
        await processInbound(
          {
            config,
            pool,
            clock,
            logger,
            agencies,
            resolver: options.resolver,
            queueReply: (id) => queueReply(queues, id),
            queueStamp: (id) => queueStamp(queues, id),
          },
          job.data.inboundId,
        ),
      ),
    { ...common, concurrency: config.workers.letterConcurrency },
  );

  const mail = new Worker<MailJob>(
    MAIL_QUEUE,
    async (job) => {
      const attempt = job.attemptsMade + 1;
      const deps = { config, pool, transport, clock, logger };
      const id = 'reminderId' in job.data ? job.data.reminderId : job.data.replyId;
      // A reminder to an officer goes out the way a reply does, and fails the same way.
      const [what, send, recordFailure] =
        'reminderId' in job.data
          ? (['reminder', () => sendReminder(deps, id, attempt), recordReminderFailure] as const)
          : (['reply', () => sendReply(deps, id, attempt), recordReplyFailure] as const);
      try {
        return await send();
      } catch (err) {
        const permanent = isBadRecipient(err);
        const final = permanent || attempt >= (job.opts.attempts ?? 1);
        const message = String((err as Error).message);
        await recordFailure(pool, id, attempt, message, final);
        logger.warn({ err, [`${what}Id`]: id, attempt, final }, `${what} not sent`);
        throw permanent ? new UnrecoverableError(message) : err;
      }
    },
    { ...common, concurrency: config.workers.mailConcurrency },
  );

  // The receipt stamp of each letter registered; a bound hit is tried again until the last attempt.
  const stamps = new Worker<StampJob>(
    STAMPS_QUEUE,
    async (job) => stampLetter({ config, pool, logger }, job.data.letterId, job.attemptsMade + 1 >= (job.opts.attempts ?? 1)),
    { ...common, concurrency: config.workers.stampConcurrency },
  );

  for (const w of [letters, mail, stamps]) {
    w.on('error', (err) => logger.warn({ err: err.message, queue: w.name }, 'worker error'));
    w.on('failed', (job, err) =>
      logger.warn({ jobId: job?.id, queue: w.name, err: err.message }, 'job failed; it will be retried if attempts remain'),
    );
  }

  const stopHearingPdfReaders = onIdlePdfReaderFailure((err) =>
    logger.warn({ err: err.message }, 'a PDF reader thread failed while idle: it is not reused'),
  );
  const reconciler = startReconciler(pool, queues, config.reconciler, logger.child({ part: 'reconciler' }), config.routing, {
    everyMinutes: config.replies.digestEveryMinutes,
    host: config.smtp.hostname ?? config.agency.domain,
    clock,
  });

  const reminders = config.reminders.enabled
    ? startReminderScheduler(
        { config, pool, clock, logger: logger.child({ part: 'reminders' }), queueReminder: (id) => queueReminder(queues, id) },
        connection,
        { prefix: config.redis.prefix, lockDurationMs: config.workers.lockDurationMs, stalledIntervalMs: config.workers.stalledIntervalMs },
      )
    : null;

  return {
    ready: reminders?.ready ?? Promise.resolve(),
    async close() {
      stopHearingPdfReaders();
      await reconciler.stop();
      // close() lets active jobs finish: a letter being registered completes its transaction.
      // BullMQ records each job's end in Redis and waits for Redis to do it, for ever when
      // Redis is away; PostgreSQL holds the work, and the reconciler queues again whatever
      // was in hand, so past workers.closeTimeoutMs the workers leave without Redis.
      const closed = await withDeadline(
        Promise.all([letters.close(), mail.close(), stamps.close(), reminders?.close()]).then(() => queues.close()),
        config.workers.closeTimeoutMs,
      ).then(
        () => true,
        () => false,
      );
      transport.close();
      if (closed) await withDeadline(connection.quit(), REDIS_QUIT_MS).catch(() => connection.disconnect());
      else {
        logger.warn(
          { waitedMs: config.workers.closeTimeoutMs, redis: connection.status },
          'stopping without Redis, which did not answer: the reconciler will queue again from PostgreSQL whatever was in hand',
        );
        connection.disconnect();
      }
    },
  };
}
