import { randomUUID } from 'node:crypto';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { Config, ReminderSettings } from '../config/load';
import { composeReminder, planSlot, type ReminderRules } from '../letter/reminders';
import { slotsBetween, type Slot } from '../letter/workday';
import type { Pool } from '../registry/db';
import { findReminderToSend, lettersToRemind, markReminderSent, recordReminder, remindablePeople, remindedAt } from '../registry/reminders';
import type { MailDeps } from './mail';

// Reminders that follow the working day. A BullMQ job scheduler makes one job a minute for the
// whole installation, however many workers run; the job plans the reminders of the slots just
// past (letter/workday.ts) and records each before it is queued, once per slot and officer, so
// a slot run twice (two workers, a retry, the catch-up below) sends nothing twice.

export const REMINDERS_QUEUE = 'reminders';
export const REMINDER_SCHEDULER = 'reminder-slots';

/**
 * Each run looks back this far, so a slot missed while no worker ran (a restart around 09:00)
 * is still made up; a letter counts in a slot only if it came before it.
 */
export const CATCH_UP_MS = 30 * 60_000;

export function reminderRules(settings: ReminderSettings): ReminderRules {
  return {
    holidays: new Set(settings.holidays),
    checkTimes: settings.checkTimes,
    officeHours: settings.officeHours,
    urgentEveryMinutes: settings.urgentEveryMinutes,
    escalateAfterMinutes: settings.escalateAfterMinutes,
  };
}

export interface ReminderDeps {
  config: Config;
  pool: Pool;
  logger: Logger;
  /** Queues the mail job that sends a recorded reminder (worker/queues.ts queueReminder). */
  queueReminder: (reminderId: number) => Promise<void>;
}

/**
 * The scheduler's job, and what the tests call with their own clock: plans the reminders of
 * every slot in the last CATCH_UP_MS up to `now` and queues those it recorded first.
 * Returns the reminders it recorded.
 */
export async function remindDue(deps: ReminderDeps, now: Date): Promise<number[]> {
  const rules = reminderRules(deps.config.reminders);
  const recorded: number[] = [];
  for (const slot of slotsBetween(new Date(now.getTime() - CATCH_UP_MS), now, rules)) {
    recorded.push(...(await remindSlot(deps, slot, rules, now)));
  }
  return recorded;
}

async function remindSlot(deps: ReminderDeps, slot: Slot, rules: ReminderRules, now: Date): Promise<number[]> {
  const letters = await lettersToRemind(deps.pool, slot);
  if (!letters.length) return [];
  const [{ people, units }, reminded] = await Promise.all([remindablePeople(deps.pool), remindedAt(deps.pool, slot)]);
  const host = deps.config.smtp.hostname ?? deps.config.agency.domain;
  const recorded: number[] = [];
  for (const plan of planSlot(slot, letters, people, units, rules)) {
    if (reminded.has(plan.officer.id)) continue;
    // Another worker may record it between that look and this insert: the unique key decides.
    const id = await recordReminder(deps.pool, {
      slot,
      officerId: plan.officer.id,
      recipient: plan.officer.email,
      letters: plan.letters,
      messageId: `<reminder.${randomUUID()}@${host}>`,
      at: now,
    });
    if (id === null) continue;
    recorded.push(id);
    await deps.queueReminder(id);
    deps.logger.info(
      { reminderId: id, slot: slot.key, officer: plan.officer.username, letterIds: plan.letters.map((l) => l.letterId) },
      'reminder planned',
    );
  }
  return recorded;
}

/**
 * The mail job of a reminder: the e-mail written from the register as it is now and sent through
 * the relay, like a reply (worker/mail.ts); a failure throws so the mail queue retries it.
 */
export async function sendReminder(deps: MailDeps, reminderId: number, attempt: number): Promise<'sent' | 'skipped'> {
  const reminder = await findReminderToSend(deps.pool, reminderId);
  if (!reminder || reminder.status !== 'pending') return 'skipped';
  const { config } = deps;
  const books = new Map(config.books.map((b) => [b.code, b.name]));
  const message = composeReminder({
    agency: config.agency,
    officerName: reminder.officerName,
    slot: reminder.slot,
    deskUrl: config.desk.publicUrl ?? null,
    escalateAfterMinutes: config.reminders.escalateAfterMinutes,
    entries: reminder.letters.map((l) => ({ ...l, bookName: books.size > 1 ? (books.get(l.book) ?? l.book) : null })),
  });
  await deps.transport.sendMail({
    from: { name: config.agency.name, address: config.reminders.from ?? config.books[0].addresses[0] },
    to: reminder.recipient,
    subject: message.subject,
    text: message.text,
    headers: message.headers,
    messageId: reminder.messageId,
    date: deps.clock(),
  });
  await markReminderSent(deps.pool, reminderId, deps.clock(), attempt);
  deps.logger.info({ reminderId, slot: reminder.slot, to: reminder.recipient, letters: reminder.letters.length }, 'reminder sent');
  return 'sent';
}

export interface ReminderScheduler {
  /** Settles once this worker has set the scheduler (or failed to, which it logs). */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * The scheduler (one for the installation: upserting it again from another worker changes
 * nothing) and this process's worker for its jobs. Not started when reminders.enabled is false.
 */
export function startReminderScheduler(
  deps: ReminderDeps & { clock: () => Date },
  connection: ConnectionOptions,
  settings: { prefix: string; lockDurationMs: number; stalledIntervalMs: number },
): ReminderScheduler {
  const queue = new Queue(REMINDERS_QUEUE, { connection, prefix: settings.prefix });
  queue.on('error', () => undefined);
  // Every minute on the minute; the job itself knows the working day, so the pattern need not.
  const scheduled = queue
    .upsertJobScheduler(
      REMINDER_SCHEDULER,
      { pattern: '* * * * *' },
      { name: 'slot', opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
    )
    .then(
      () => undefined,
      (err) => deps.logger.warn({ err: err.message }, 'the reminder scheduler could not be set; another worker may have set it'),
    );
  const worker = new Worker(REMINDERS_QUEUE, async () => remindDue(deps, deps.clock()), {
    connection,
    prefix: settings.prefix,
    concurrency: 1,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
  });
  worker.on('error', (err) => deps.logger.warn({ err: err.message, queue: REMINDERS_QUEUE }, 'worker error'));
  // A run that failed is made up by the next one (CATCH_UP_MS).
  worker.on('failed', (_job, err) => deps.logger.warn({ err: err.message }, 'reminders could not be planned; the next minute tries again'));
  return {
    ready: scheduled,
    async close() {
      await scheduled;
      await worker.close();
      await queue.close();
    },
  };
}
