import { TO_COMPLETE } from '../letter/letter';
import type { Pool } from './db';

/** Totals the register holds, for /metrics: true across every process that writes them. The replies in one pass. */
export async function registerTotals(pool: Pool) {
  const { rows } = await pool.query(`
    SELECT (SELECT count(*) FROM inbound) AS inbound,
           (SELECT count(*) FROM letter) AS letters,
           (SELECT count(*) FROM letter WHERE flags ? $1) AS to_complete,
           r.*
      FROM (SELECT count(*) FILTER (WHERE kind = 'acknowledgement' AND status = 'sent') AS acks_sent,
                   count(*) FILTER (WHERE kind = 'acknowledgement' AND status = 'failed') AS acks_failed,
                   count(*) FILTER (WHERE kind = 'acknowledgement' AND status = 'pending') AS acks_pending,
                   count(*) FILTER (WHERE kind = 'notice' AND status = 'sent') AS notices_sent,
                   count(*) FILTER (WHERE kind = 'notice' AND status = 'failed') AS notices_failed,
                   count(*) FILTER (WHERE status = 'suppressed') AS replies_suppressed,
                   count(*) FILTER (WHERE status = 'suppressed' AND withheld LIKE 'loop:%') AS loops_stopped,
                   count(*) FILTER (WHERE status = 'held') AS replies_held,
                   count(*) FILTER (WHERE released_at IS NOT NULL) AS replies_released,
                   count(*) FILTER (WHERE kind = 'digest' AND status = 'sent') AS digests_sent,
                   count(*) FILTER (WHERE kind = 'digest' AND status = 'failed') AS digests_failed,
                   count(*) FILTER (WHERE kind = 'digest' AND status = 'pending') AS digests_pending
              FROM reply) AS r`,
    [TO_COMPLETE],
  );
  const r = rows[0];
  return {
    inbound: r.inbound as number,
    letters: r.letters as number,
    /** Letters whose ที่ or ลงวันที่ could not be read: a clerk completes them. */
    toComplete: r.to_complete as number,
    acknowledgementsSent: r.acks_sent as number,
    acknowledgementsFailed: r.acks_failed as number,
    acknowledgementsPending: r.acks_pending as number,
    noticesSent: r.notices_sent as number,
    noticesFailed: r.notices_failed as number,
    repliesSuppressed: r.replies_suppressed as number,
    /** Replies not sent because the message repeated the shape of a loop (among repliesSuppressed). */
    loopsStopped: r.loops_stopped as number,
    /** Held back by a window and not released: each is listed in a digest, or will be. */
    repliesHeld: r.replies_held as number,
    repliesReleased: r.replies_released as number,
    digestsSent: r.digests_sent as number,
    digestsFailed: r.digests_failed as number,
    digestsPending: r.digests_pending as number,
  };
}
