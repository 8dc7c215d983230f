import { Queue, type ConnectionOptions } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import type { Config } from '../config/load';

// Two queues move the work; PostgreSQL remembers it. A job id is derived from the row it
// stands for, so adding the same work twice (intake, then the reconciler) makes one job.
export const LETTERS_QUEUE = 'letters';
export const MAIL_QUEUE = 'mail';

export interface LetterJob {
  inboundId: string;
}
/** A mail job sends a reply (acknowledgement, notice, digest) or a reminder to an officer. */
export type MailJob = { replyId: number } | { reminderId: number };

export const letterJobId = (inboundId: string) => `inbound-${inboundId}`;
export const replyJobId = (id: number) => `reply-${id}`;
export const reminderJobId = (id: number) => `reminder-${id}`;

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
  close(): Promise<void>;
}

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
  // Errors reach the callers of add(); an unhandled 'error' event would crash the process.
  letters.on('error', () => undefined);
  mail.on('error', () => undefined);
  return {
    letters,
    mail,
    async close() {
      await Promise.all([letters.close(), mail.close()]);
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

/** Jobs in each queue by the states /metrics shows, one queue after the other. */
export async function jobCounts(queues: Queues): Promise<Array<{ queue: string; counts: Record<string, number> }>> {
  const all = [];
  for (const queue of [queues.letters, queues.mail]) {
    all.push({ queue: queue.name, counts: await queue.getJobCounts('waiting', 'active', 'delayed', 'failed') });
  }
  return all;
}
