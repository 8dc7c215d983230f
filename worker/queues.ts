import { Queue, type ConnectionOptions } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import type { Config } from '../config/load';

// Three queues move the work; PostgreSQL remembers it. A job id is derived from the row it
// stands for, so adding the same work twice (intake, then the reconciler) makes one job.
export const LETTERS_QUEUE = 'letters';
export const MAIL_QUEUE = 'mail';
/** The receipt stamp, after registration: a slow PDF never holds up a letter or its receipt. */
export const STAMPS_QUEUE = 'stamps';

export interface LetterJob {
  inboundId: string;
}
/** A mail job sends a reply (acknowledgement, notice, digest) or a reminder to an officer. */
export type MailJob = { replyId: number } | { reminderId: number };
export interface StampJob {
  letterId: number;
}

export const letterJobId = (inboundId: string) => `inbound-${inboundId}`;
export const replyJobId = (id: number) => `reply-${id}`;
export const reminderJobId = (id: number) => `reminder-${id}`;
export const stampJobId = (letterId: number) => `stamp-${letterId}`;

/** Connection for workers: blocking commands, so it waits for Redis instead of failing. */
export function workerConnection(config: Config): Redis {
  return new IORedis(config.redis.url, { maxRetriesPerRequest: null });
}

/**
 * Connection for producers at the edge: fails at once while Redis is away, so intake
 * can still say yes (the message is in PostgreSQL; the reconciler queues it later).
 */
export function producerConnection(config: Config): Redis {
  return new IORedis(config.redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 });
}

export interface Queues {
  letters: Queue<LetterJob>;
  mail: Queue<MailJob>;
  stamps: Queue<StampJob>;
  close(): Promise<void>;
}

/**
 * A PDF that hits a bound (time, memory) may have met a busy worker: it is tried this many
 * times before the letter records why it has no stamp.
 */
export const STAMP_ATTEMPTS = 4;

export function createQueues(config: Config, connection: ConnectionOptions): Queues {
  const prefix = config.redis.prefix;
  const letters = new Queue<LetterJob>(LETTERS_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: 'exponential', delay: 2_000 },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { count: 10_000 },
    },
  });
  const mail = new Queue<MailJob>(MAIL_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: config.workers.mailAttempts,
      backoff: { type: 'exponential', delay: config.workers.mailBackoffMs },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { count: 10_000 },
    },
  });
  const stamps = new Queue<StampJob>(STAMPS_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: STAMP_ATTEMPTS,
      backoff: { type: 'exponential', delay: config.workers.stampBackoffMs },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { count: 10_000 },
    },
  });
  // Errors reach the callers of add(); an unhandled 'error' event would crash the process.
  for (const queue of [letters, mail, stamps]) queue.on('error', () => undefined);
  return {
    letters,
    mail,
    stamps,
    async close() {
      await Promise.all([letters.close(), mail.close(), stamps.close()]);
    },
  };
}

export async function queueLetter(queues: Queues, inboundId: string): Promise<void> {
  await queues.letters.add('letter', { inboundId }, { jobId: letterJobId(inboundId) });
}

/** Queues an acknowledgement or a notice to be sent. */
export async function queueReply(queues: Queues, replyId: number): Promise<void> {
  await queues.mail.add('reply', { replyId }, { jobId: replyJobId(replyId) });
}

/** Queues a reminder to an officer (worker/reminders.ts) to be sent like a reply. */
export async function queueReminder(queues: Queues, reminderId: number): Promise<void> {
  await queues.mail.add('reminder', { reminderId }, { jobId: reminderJobId(reminderId) });
}

/** Queues the receipt stamp of a letter just registered (worker/stamps.ts). */
export async function queueStamp(queues: Queues, letterId: number): Promise<void> {
  await queues.stamps.add('stamp', { letterId }, { jobId: stampJobId(letterId) });
}

/** Jobs in each queue by the states /metrics shows, one queue after the other. */
export async function jobCounts(queues: Queues): Promise<Array<{ queue: string; counts: Record<string, number> }>> {
  const all = [];
  for (const queue of [queues.letters, queues.mail, queues.stamps]) {
    all.push({ queue: queue.name, counts: await queue.getJobCounts('waiting', 'active', 'delayed', 'failed') });
  }
  return all;
}
