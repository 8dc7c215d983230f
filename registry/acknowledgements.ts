import type { Pool } from './db';

export interface Acknowledgement {
  id: number;
  letterId: number;
  recipient: string;
  messageId: string;
  status: 'pending' | 'sent' | 'failed';
}

export async function findAcknowledgement(pool: Pool, id: number): Promise<Acknowledgement | null> {
  const { rows } = await pool.query('SELECT id, letter_id, recipient, message_id, status FROM acknowledgement WHERE id = $1', [id]);
  const r = rows[0];
  return r ? { id: r.id, letterId: r.letter_id, recipient: r.recipient, messageId: r.message_id, status: r.status } : null;
}

export async function markAcknowledgementSent(pool: Pool, id: number, at: Date, attempts: number): Promise<void> {
  await pool.query(`UPDATE acknowledgement SET status = 'sent', sent_at = $2, attempts = $3, last_error = NULL WHERE id = $1`, [
    id,
    at,
    attempts,
  ]);
}

/** Records a failed attempt; `final` when no retry is left. */
export async function recordAcknowledgementFailure(pool: Pool, id: number, attempts: number, error: string, final: boolean): Promise<void> {
  await pool.query(
    `UPDATE acknowledgement SET attempts = $2, last_error = $3, status = CASE WHEN $4 THEN 'failed' ELSE status END
     WHERE id = $1 AND status = 'pending'`,
    [id, attempts, error.slice(0, 2000), final],
  );
}

/** Acknowledgements still to be sent, oldest first: what the reconciler re-queues. */
export async function listPendingAcknowledgements(pool: Pool, limit: number): Promise<number[]> {
  const { rows } = await pool.query(`SELECT id FROM acknowledgement WHERE status = 'pending' ORDER BY id LIMIT $1`, [limit]);
  return rows.map((r) => r.id as number);
}
