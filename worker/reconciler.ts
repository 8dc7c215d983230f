import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import { forgetOldReplyTallies, listPendingReplies } from '../registry/replies';
import { listUnprocessedInbound, sweepUnfinishedMessages } from '../registry/inbound';
import { compactViewCounts } from '../registry/queue';
import { listPendingReminders } from '../registry/reminders';
import type { ReconcilerSettings, RoutingSettings } from '../config/load';
import type { Pool } from '../registry/db';
import { listUnstampedLetters } from '../registry/stamps';
import { routeUnroutedLetters } from '../registry/work';
import { queueDueDigests, type DigestSettings } from './digests';
import {
  letterJobId,
  queueLetter,
  queueReminder,
  queueReply,
  queueStamp,
  reminderJobId,
  replyJobId,
  stampJobId,
  type Queues,
} from './queues';

const PAGE = 1_000;

/**
 * Redis moves work, PostgreSQL remembers it. Every kept message not yet decided on, every
 * reply (acknowledgement or notice) and reminder not yet sent, and every registered letter whose
 * receipt stamp is not recorded, must have a live job; this gives one to those that lost theirs
 * (Redis flushed or down at intake, a job that ran out of attempts). Returns how many jobs it
 * (re)queued.
 */
export async function reconcile(
  pool: Pool,
  queues: Queues,
): Promise<{ letters: number; replies: number; reminders: number; stamps: number }> {
  let letters = 0;
  for (const id of await listUnprocessedInbound(pool, PAGE)) {
    if (await ensureJob(queues.letters, letterJobId(id), () => queueLetter(queues, id))) letters++;
  }
  let replies = 0;
  for (const id of await listPendingReplies(pool, PAGE)) {
    if (await ensureJob(queues.mail, replyJobId(id), () => queueReply(queues, id))) replies++;
  }
  let reminders = 0;
  for (const id of await listPendingReminders(pool, PAGE)) {
    if (await ensureJob(queues.mail, reminderJobId(id), () => queueReminder(queues, id))) reminders++;
  }
  let stamps = 0;
  for (const id of await listUnstampedLetters(pool, PAGE)) {
    if (await ensureJob(queues.stamps, stampJobId(id), () => queueStamp(queues, id))) stamps++;
  }
  return { letters, replies, reminders, stamps };
}

async function ensureJob(queue: Queue, jobId: string, add: () => Promise<void>): Promise<boolean> {
  const job: Job | undefined = await queue.getJob(jobId);
  if (!job) {
    await add();
    return true;
  }
  const state = await job.getState();
  if (state === 'failed') {
    await job.retry();
    return true;
  }
  if (state === 'completed') {
    // Finished, yet the row is still open: run it again (the job is idempotent).
    await job.remove();
    await add();
    return true;
  }
  return false; // waiting, delayed, active: alive
}

/**
 * Runs reconcile now and then every intervalMs, never two at once; also queues the digests due
 * (worker/digests.ts), drops old reply tallies, folds the desk's counts per state, routes registered letters their job did not
 * route, and gives up messages whose senders stopped half-way (their pieces deleted).
 */
export function startReconciler(
  pool: Pool,
  queues: Queues,
  settings: ReconcilerSettings,
  logger: Logger,
  routing: RoutingSettings,
  digests: DigestSettings & { clock: () => Date },
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = () => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        const queued = await reconcile(pool, queues);
        if (queued.letters || queued.replies || queued.reminders || queued.stamps)
          logger.warn(queued, 'reconciler queued work that had no live job');
        const now = digests.clock();
        const digestIds = await queueDueDigests(pool, queues, now, digests);
        if (digestIds.length) logger.info({ digestIds }, 'digest receipts queued for replies held back by a window');
        await forgetOldReplyTallies(pool, now);
        // The desk's counts stay right unfolded (only slower to add up): a failure here stops nothing after it.
        await compactViewCounts(pool).catch((err: unknown) =>
          logger.warn({ err }, "could not fold the desk's counts per state; trying again at the next pass"),
        );
        const givenUp = await sweepUnfinishedMessages(pool, settings.unfinishedMessageMinutes);
        if (givenUp.messages)
          logger.warn(
            { ...givenUp, afterMinutes: settings.unfinishedMessageMinutes },
            'gave up messages whose senders stopped sending half-way: their pieces are deleted (a sender that comes back gets 451)',
          );
        const { routed, unroutable } = await routeUnroutedLetters(pool, routing, () => new Date());
        if (routed) logger.warn({ routed }, 'reconciler routed letters their job had not');
        if (unroutable.length)
          logger.error({ problems: unroutable }, 'registered letters cannot be routed: change the routing settings or the units');
      } catch (err) {
        logger.warn({ err }, 'reconciler could not run; trying again at the next interval');
      }
    });
  };
  run();
  const timer = setInterval(run, settings.intervalMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
