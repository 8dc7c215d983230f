import { jsonb, storableText, type Client, type Pool } from './db';

// What we send back to a sender: the acknowledgement (ตอบยืนยันการได้รับ) of a registered
// letter, or a notice saying why a message was not registered. At most one per message.

export type ReplyKind = 'acknowledgement' | 'notice';
export type ReplyStatus = 'pending' | 'sent' | 'failed' | 'suppressed';

export interface ReplyPlan {
  kind: ReplyKind;
  /** For a notice: the reason code (no-letter-attached, top-secret, duplicate, ...). */
  reason: string | null;
  recipient: string;
  messageId: string;
}

/** Automatic replies must never become spam or a loop: a cap per sender and one for everything. */
export interface ReplyLimits {
  perSenderPerDay: number;
  globalPerHour: number;
}

export interface Reply {
  id: number;
  inboundId: string;
  letterId: number | null;
  kind: ReplyKind;
  reason: string | null;
  recipient: string;
  messageId: string;
  status: ReplyStatus;
  /** What a notice says beyond its reason code: a returned letter's reason ({ returnedBecause }). */
  detail: { returnedBecause?: string } | null;
}

/**
 * Records the reply to send, inside the caller's transaction. Over a cap it is recorded
 * as suppressed and never sent. Returns its id when it is to be sent. The rule is the
 * database function plan_reply (registry/sql/000005.sql), which register_letter
 * calls too.
 */
export async function planReply(
  client: Client,
  inboundId: string,
  letterId: number | null,
  plan: ReplyPlan,
  limits: ReplyLimits,
  at: Date,
): Promise<number | null> {
  const { rows } = await client.query('SELECT plan_reply($1, $2, $3, $4, $5) AS id', [inboundId, letterId, jsonb(plan), jsonb(limits), at]);
  return rows[0].id as number | null;
}

/** A reply from its row (columns by name, as `SELECT *` or row_to_json give them). */
export function toReply(r: Record<string, unknown>): Reply {
  return {
    id: r.id as number,
    inboundId: r.inbound_id as string,
    letterId: r.letter_id as number | null,
    kind: r.kind as ReplyKind,
    reason: r.reason as string | null,
    recipient: r.recipient as string,
    messageId: r.message_id as string,
    status: r.status as ReplyStatus,
    detail: (r.detail ?? null) as Reply['detail'],
  };
}

/** The reply to send for this message, if one is pending (a re-run of the letters job). */
export async function pendingReplyOf(client: Client | Pool, inboundId: string): Promise<number | null> {
  const { rows } = await client.query(`SELECT id FROM reply WHERE inbound_id = $1 AND status = 'pending'`, [inboundId]);
  return rows[0]?.id ?? null;
}

export async function markReplySent(pool: Pool, id: number, at: Date, attempts: number): Promise<void> {
  await pool.query({
    name: 'mark-reply-sent',
    text: `UPDATE reply SET status = 'sent', sent_at = $2, attempts = $3, last_error = NULL WHERE id = $1`,
    values: [id, at, attempts],
  });
}

/** Records a failed attempt; `final` when no retry is left. */
export async function recordReplyFailure(pool: Pool, id: number, attempts: number, error: string, final: boolean): Promise<void> {
  await pool.query(
    `UPDATE reply SET attempts = $2, last_error = $3, status = CASE WHEN $4 THEN 'failed' ELSE status END
     WHERE id = $1 AND status = 'pending'`,
    [id, attempts, error.slice(0, 2000), final],
  );
}

/**
 * A bounce came back for one of our replies (matched by its Message-ID): it did not
 * arrive, whatever the relay said. Returns the reply's id, or null when it is not ours.
 */
export async function markReplyBounced(client: Client | Pool, messageId: string, detail: string): Promise<number | null> {
  const { rows } = await client.query(
    `UPDATE reply SET status = 'failed', last_error = $2 WHERE message_id = $1 AND status IN ('sent', 'pending') RETURNING id`,
    [storableText(messageId), storableText(`bounced: ${detail}`.slice(0, 2000))],
  );
  return rows[0]?.id ?? null;
}

/** Replies still to be sent, oldest first: what the reconciler re-queues. */
export async function listPendingReplies(pool: Pool, limit: number): Promise<number[]> {
  const { rows } = await pool.query(`SELECT id FROM reply WHERE status = 'pending' ORDER BY id LIMIT $1`, [limit]);
  return rows.map((r) => r.id as number);
}

/** Drops the reply caps' tallies of days and hours long past: the caps read only the current ones. */
export async function forgetOldReplyTallies(pool: Pool, now: Date): Promise<number> {
  const { rowCount } = await pool.query(`DELETE FROM reply_tally WHERE window_start < $1::timestamptz - interval '2 days'`, [now]);
  return rowCount ?? 0;
}
