import type { Pool } from './db';
import { inboundFromJson, type InboundRecord } from './inbound';
import type { Letter } from '../letter/letter';
import { letterFromJson } from './letters';
import { toReply, type Reply } from './replies';

/** What the mail job needs to write and send one reply. */
export interface ReplyToSend {
  reply: Reply;
  /** The message the reply answers; null for a digest, which answers several (registry/replies.ts repliesInDigest). */
  inbound: InboundRecord | null;
  /** Its letter (for a duplicate, the first registration), or null when none was registered. */
  letter: Letter | null;
}

/** The reply with its message and letter, in one round trip (the mail job runs once per letter). */
export async function findReplyToSend(pool: Pool, replyId: number): Promise<ReplyToSend | null> {
  const { rows } = await pool.query({
    name: 'find-reply-to-send',
    text: `SELECT row_to_json(r) AS reply, CASE WHEN i.id IS NULL THEN NULL ELSE row_to_json(i) END AS inbound,
            CASE WHEN l.id IS NULL THEN NULL ELSE row_to_json(l) END AS letter
       FROM reply r LEFT JOIN inbound i ON i.id = r.inbound_id LEFT JOIN letter l ON l.id = r.letter_id
      WHERE r.id = $1`,
    values: [replyId],
  });
  const row = rows[0];
  if (!row) return null;
  return {
    reply: toReply(row.reply),
    inbound: row.inbound ? inboundFromJson(row.inbound) : null,
    letter: row.letter ? letterFromJson(row.letter) : null,
  };
}
