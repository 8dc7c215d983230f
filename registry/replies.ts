import type { Config } from '../config/load';
import type { ReplyShape } from '../letter/loop';
import type { ReplyTier } from '../letter/trust';
import { jsonb, storableText, type Client, type Pool } from './db';

// What we send back to a sender: the acknowledgement (ตอบยืนยันการได้รับ) of a registered
// letter, or a notice saying why a message was not registered; at most one per message. And
// the digest, which stands for the replies a window held back.

export type ReplyKind = 'acknowledgement' | 'notice' | 'digest';
/** held: a window held it back (a digest lists it; an operator may release it); suppressed: never to be sent (a loop). */
export type ReplyStatus = 'pending' | 'sent' | 'failed' | 'suppressed' | 'held';

export interface ReplyPlan extends Partial<ReplyShape> {
  kind: 'acknowledgement' | 'notice';
  /** For a notice: the reason code (no-letter-attached, top-secret, duplicate, ...). */
  reason: string | null;
  recipient: string;
  messageId: string;
  /** For an automatic reply: the sender's tier, which picks its windows. Without one, no window or loop check applies. */
  tier?: ReplyTier;
  /** Record it as suppressed, with this reason, instead of sending it (the sender asked for no automatic reply). */
  suppress?: string | null;
}

/** The settings `replies`: windows per tier, everyone's hourly ceiling, what a loop is, how often a digest goes. */
export type ReplyLimits = Config['replies'];

export interface Reply {
  id: number;
  /** Null for a digest, which answers no one message. */
  inboundId: string | null;
  letterId: number | null;
  kind: ReplyKind;
  reason: string | null;
  recipient: string;
  messageId: string;
  status: ReplyStatus;
  /** What a notice says beyond its reason code: a returned letter's reason ({ returnedBecause }). */
  detail: { returnedBecause?: string } | null;
  /** Why it was held or suppressed. */
  withheld: string | null;
  tier: ReplyTier | null;
  /** The digest that listed it, when it was held. */
  digestId: number | null;
}

/**
 * Records the reply to send, inside the caller's transaction. Held back by a window it is
 * recorded as held (the digest lists it); a loop's is recorded as suppressed, never sent.
 * Returns its id when it is to be sent now. The rule is the database function plan_reply
 * (registry/sql/000010.sql), which register_letter calls too.
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
    withheld: (r.withheld as string | null) ?? null,
    tier: (r.tier as ReplyTier | null) ?? null,
    digestId: (r.digest_id as number | null) ?? null,
  };
}

/** Why the reply planned for this message was not to be sent now, if it was not, and what it was weighed by: what the letters job logs. */
export async function withheldReplyOf(
  pool: Pool,
  inboundId: string,
): Promise<{ status: ReplyStatus; reason: string; tier: ReplyTier | null; subjectKey: string | null; bodyHash: string | null } | null> {
  const { rows } = await pool.query(
    `SELECT status, withheld, tier, subject_key, body_hash FROM reply
      WHERE inbound_id = $1 AND kind <> 'digest' AND status IN ('held', 'suppressed') ORDER BY id LIMIT 1`,
    [inboundId],
  );
  const r = rows[0];
  return r ? { status: r.status, reason: r.withheld, tier: r.tier, subjectKey: r.subject_key, bodyHash: r.body_hash } : null;
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

/** Drops the tallies of hours long past: plan_reply reads only the current hour's. */
export async function forgetOldReplyTallies(pool: Pool, now: Date): Promise<number> {
  const { rowCount } = await pool.query(`DELETE FROM reply_tally WHERE window_start < $1::timestamptz - interval '2 days'`, [now]);
  return rowCount ?? 0;
}

/**
 * Plans the digests due now: one per sender with held replies that no digest listed, unless
 * one went to that sender within everyMinutes (plan_digest, registry/sql/000010.sql). Safe
 * from several workers at once. Returns the digests' ids, to be sent.
 */
export async function planDueDigests(pool: Pool, at: Date, everyMinutes: number, host: string): Promise<number[]> {
  const { rows } = await pool.query(`SELECT DISTINCT lower(recipient) AS sender FROM reply WHERE status = 'held' AND digest_id IS NULL`);
  const planned: number[] = [];
  for (const { sender } of rows) {
    const { rows: made } = await pool.query('SELECT plan_digest($1, $2, $3, $4) AS id', [sender, at, everyMinutes, host]);
    if (made[0].id !== null) planned.push(made[0].id as number);
  }
  return planned;
}

/** A reply a digest lists, with what the digest says of it. */
export interface DigestedReply {
  reply: Reply;
  receivedAt: Date;
  subject: string;
  letter: { book: string; number: number; year: number; registeredAt: Date; reference: string | null; title: string | null } | null;
  /** The central address the message was sent to: where the digest comes from. */
  rcptTo: string[];
}

/** The replies this digest stands for, in the order they were planned (for letters: of their numbers). */
export async function repliesInDigest(pool: Pool, digestId: number): Promise<DigestedReply[]> {
  const { rows } = await pool.query(
    // A duplicate's own subject, or a message's that was not registered, is in its decision; the
    // letter row is the first registration's. A registered letter is named by its title when read.
    `SELECT row_to_json(r) AS reply, i.received_at, i.rcpt_to,
            CASE WHEN l.id IS NULL OR r.reason = 'duplicate' THEN i.decision->>'subject' ELSE coalesce(l.title, l.subject) END AS subject,
            l.book, l.number, l.year, l.registered_at, l.reference, l.title
       FROM reply r JOIN inbound i ON i.id = r.inbound_id LEFT JOIN letter l ON l.id = r.letter_id
      WHERE r.digest_id = $1
      ORDER BY r.created_at, r.id`,
    [digestId],
  );
  return rows.map((r) => ({
    reply: toReply(r.reply),
    receivedAt: r.received_at as Date,
    subject: (r.subject as string | null) ?? '',
    letter:
      r.number === null
        ? null
        : {
            book: r.book as string,
            number: r.number as number,
            year: r.year as number,
            registeredAt: r.registered_at as Date,
            reference: r.reference as string | null,
            title: r.title as string | null,
          },
    rcptTo: r.rcpt_to as string[],
  }));
}

/** A reply as an operator lists it (`saraban replies list`). */
export interface ReplyListed extends Reply {
  createdAt: Date;
  releasedAt: Date | null;
  book: string | null;
  number: number | null;
  year: number | null;
  /** The letter is ลับ or ลับมาก: its number is for those named for secret mail. */
  restricted: boolean;
}

/**
 * Replies, newest first: those held back and not released (`held`), or every reply that was
 * not sent when planned (held, released or suppressed) with the digests.
 */
export async function listReplies(pool: Pool, options: { held: boolean; sender?: string; limit: number }): Promise<ReplyListed[]> {
  const { rows } = await pool.query(
    `SELECT r.*, l.book, l.number, l.year, coalesce(l.restricted, false) AS restricted FROM reply r LEFT JOIN letter l ON l.id = r.letter_id
      WHERE ($1 AND r.status = 'held' OR NOT $1 AND (r.withheld IS NOT NULL OR r.kind = 'digest'))
        AND ($2::text IS NULL OR lower(r.recipient) = lower($2))
      ORDER BY r.id DESC LIMIT $3`,
    [options.held, options.sender ?? null, options.limit],
  );
  return rows.map((r) => ({
    ...toReply(r),
    createdAt: r.created_at as Date,
    releasedAt: r.released_at as Date | null,
    book: r.book as string | null,
    number: r.number as number | null,
    year: r.year as number | null,
    restricted: r.restricted as boolean,
  }));
}

/**
 * An operator lets held replies go (`saraban replies release`): one by its id (held, or
 * suppressed as a loop the operator judged wrongly), or every held reply to one sender. Each
 * becomes pending once, with an audit event; a second release finds nothing. Returns their ids,
 * to be queued. The actor is the operator's command, or the officer who released them at the desk.
 */
export async function releaseReplies(
  pool: Pool,
  which: { id: number } | { sender: string },
  at: Date,
  actor = 'operator',
): Promise<number[]> {
  const { rows } = await pool.query(
    `WITH released AS (
       UPDATE reply SET status = 'pending', released_at = $3
        WHERE kind <> 'digest' AND (($1::bigint IS NOT NULL AND id = $1 AND status IN ('held', 'suppressed'))
                                    OR ($2::text IS NOT NULL AND lower(recipient) = lower($2) AND status = 'held'))
        RETURNING id, inbound_id, letter_id, recipient, withheld, digest_id)
     SELECT id, audit_append($3, $4, 'reply.released', inbound_id, letter_id,
                             jsonb_build_object('replyId', id, 'recipient', recipient, 'withheld', withheld, 'digestId', digest_id)) AS seq
       FROM released ORDER BY id`,
    ['id' in which ? which.id : null, 'sender' in which ? which.sender : null, at, actor],
  );
  return rows.map((r) => r.id as number);
}

/** One of our replies a message answers (the first of these Message-IDs that is ours), and the letter it was about. */
export async function findReplyAnswered(
  pool: Pool,
  messageIds: readonly string[],
): Promise<{ replyId: number; kind: string; letterId: number | null } | null> {
  if (messageIds.length === 0) return null;
  const { rows } = await pool.query(
    `SELECT id, kind, letter_id FROM reply WHERE message_id = ANY($1::text[])
      ORDER BY array_position($1::text[], message_id), id LIMIT 1`,
    [messageIds],
  );
  return rows[0] ? { replyId: rows[0].id, kind: rows[0].kind, letterId: rows[0].letter_id ?? null } : null;
}
