import type { Pool } from './db';

/** Totals the register holds, for /metrics: true across every process that writes them. The replies in one pass. */
export async function registerTotals(pool: Pool) {
  const { rows } = await pool.query(`
    SELECT (SELECT count(*) FROM inbound) AS inbound,
           (SELECT count(*) FROM letter) AS letters,
           r.*
      FROM (SELECT count(*) FILTER (WHERE kind = 'acknowledgement' AND status = 'sent') AS acks_sent,
                   count(*) FILTER (WHERE kind = 'acknowledgement' AND status = 'failed') AS acks_failed,
                   count(*) FILTER (WHERE kind = 'acknowledgement' AND status = 'pending') AS acks_pending,
                   count(*) FILTER (WHERE kind = 'notice' AND status = 'sent') AS notices_sent,
                   count(*) FILTER (WHERE kind = 'notice' AND status = 'failed') AS notices_failed,
                   count(*) FILTER (WHERE status = 'suppressed') AS replies_suppressed
              FROM reply) AS r`);
  const r = rows[0];
  return {
    inbound: r.inbound as number,
    letters: r.letters as number,
    acknowledgementsSent: r.acks_sent as number,
    acknowledgementsFailed: r.acks_failed as number,
    acknowledgementsPending: r.acks_pending as number,
    noticesSent: r.notices_sent as number,
    noticesFailed: r.notices_failed as number,
    repliesSuppressed: r.replies_suppressed as number,
  };
}
