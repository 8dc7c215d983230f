import type { Pool } from './db';

/** Totals the register holds, for /metrics: true across every process that writes them. */
export async function registerTotals(pool: Pool) {
  const { rows } = await pool.query(`
    SELECT (SELECT count(*) FROM inbound) AS inbound,
           (SELECT count(*) FROM letter) AS letters,
           (SELECT count(*) FROM acknowledgement WHERE status = 'sent') AS acks_sent,
           (SELECT count(*) FROM acknowledgement WHERE status = 'failed') AS acks_failed,
           (SELECT count(*) FROM acknowledgement WHERE status = 'pending') AS acks_pending`);
  const r = rows[0];
  return {
    inbound: r.inbound as number,
    letters: r.letters as number,
    acknowledgementsSent: r.acks_sent as number,
    acknowledgementsFailed: r.acks_failed as number,
    acknowledgementsPending: r.acks_pending as number,
  };
}
