import { planDueDigests } from '../registry/replies';
import type { Pool } from '../registry/db';
import { queueReply, type Queues } from './queues';

export interface DigestSettings {
  /** At most one digest per sender in this many minutes (replies.digestEveryMinutes). */
  everyMinutes: number;
  /** The right-hand side of our Message-IDs. */
  host: string;
}

/**
 * The digests due now, planned and queued as mail jobs (the mail job writes each from the held
 * replies it lists). Run at the reconciler's tick by every worker: plan_digest makes one
 * digest per sender and half hour however many run it, and the job id one send.
 */
export async function queueDueDigests(pool: Pool, queues: Queues, at: Date, settings: DigestSettings): Promise<number[]> {
  const planned = await planDueDigests(pool, at, settings.everyMinutes, settings.host);
  for (const id of planned) await queueReply(queues, id);
  return planned;
}
