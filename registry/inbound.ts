import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import pg from 'pg';
import { copyBinaryRows, storableText, type Pool } from './db';

/** A message as it reaches an intake edge, before anything has read it. */
export interface ArrivingMessage {
  edge: 'smtp' | 'imap';
  stream: Readable;
  mailFrom: string | null; // null: the null reverse-path <>
  rcptTo: string[];
  book: string;
  clientIp?: string;
  helo?: string;
  receivedAt: Date;
  /** For a mailbox edge: the mailbox. The same content from the same source is kept once. */
  source?: string;
}

export interface StoredInbound {
  id: string;
  size: number;
  sha256: string;
  /** True when this source had given us these very bytes before: nothing new was kept. */
  alreadyKept: boolean;
}

/** The message was larger than the limit; nothing was kept. */
export class MessageTooLarge extends Error {
  override name = 'MessageTooLarge';
  constructor(readonly limit: number) {
    super(`message exceeds the size limit of ${limit} bytes`);
  }
}

/** The reconciler gave the message up while it arrived (its sender had sent nothing for too long); nothing was kept. */
export class MessageGivenUp extends Error {
  override name = 'MessageGivenUp';
  constructor(readonly inboundId: string) {
    super(`message ${inboundId} was given up while it arrived (its sender had stopped sending); its pieces are gone`);
  }
}

// Pieces small enough that a connection holds little, large enough that a typical
// letter (a PDF of a few hundred KB) is one row.
const CHUNK_BYTES = 512 * 1024;

// The first piece of a larger message: from now on it is arriving (inbound_arriving, 000014.sql).
const FIRST_PIECE = `
  WITH arriving AS (INSERT INTO inbound_arriving (inbound_id) VALUES ($1))
  INSERT INTO inbound_chunk (inbound_id, seq, data) VALUES ($1, 0, $2)`;

// Each piece after it, only while the message is still arriving: none once the reconciler has
// given it up, since the pieces before it are gone.
const NEXT_PIECE = `
  WITH arriving AS (UPDATE inbound_arriving SET last_piece_at = now() WHERE inbound_id = $1 RETURNING inbound_id)
  INSERT INTO inbound_chunk (inbound_id, seq, data) SELECT inbound_id, $2, $3 FROM arriving`;

// The message's record and its last piece (for a typical letter, its only piece) in one
// statement. When the same source gave these bytes before, nothing is written and the first
// copy's id comes back instead. A message of several pieces is kept only while it is still
// arriving, locked against the reconciler's sweep until this commits; kept, it has arrived.
const KEEP_INBOUND = `
  WITH arriving AS (
    SELECT inbound_id FROM inbound_arriving WHERE inbound_id = $1 FOR UPDATE),
  kept AS (
    INSERT INTO inbound (id, received_at, edge, client_ip, helo, mail_from, rcpt_to, book, size, sha256, source_key)
    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 WHERE $12::int = 0 OR EXISTS (SELECT 1 FROM arriving)
    ON CONFLICT (source_key) DO NOTHING
    RETURNING id),
  arrived AS (
    DELETE FROM inbound_arriving WHERE inbound_id IN (SELECT id FROM kept)),
  last_piece AS (
    INSERT INTO inbound_chunk (inbound_id, seq, data)
    SELECT id, $12::int, $13::bytea FROM kept WHERE $12::int = 0 OR octet_length($13::bytea) > 0)
  SELECT id FROM kept
  UNION ALL
  SELECT id FROM inbound WHERE source_key = $11 AND NOT EXISTS (SELECT 1 FROM kept)`;

// The pieces of a message that will not be kept (over the limit, kept before, failed).
const DISCARD_PIECES = `
  WITH arriving AS (DELETE FROM inbound_arriving WHERE inbound_id = $1)
  DELETE FROM inbound_chunk WHERE inbound_id = $1`;

/**
 * Streams the raw message into PostgreSQL and commits it with its envelope and SHA-256.
 * Returns only after COMMIT: the caller may then say yes to the sender. Over the limit,
 * the rest of the stream is drained unread, nothing is kept, and MessageTooLarge thrown.
 *
 * Nothing waits for the sender while holding a database connection: a letter of one piece is
 * kept by one statement when it has fully arrived; a larger message is written a piece at a
 * time as each fills, every piece its own statement, and its record is made with its last piece.
 * Pieces of a message that is not kept are deleted, or, when even that fails (or the sender
 * never finishes), swept by the reconciler (sweepUnfinishedMessages).
 */
export async function storeInbound(pool: Pool, message: ArrivingMessage, maxSizeBytes: number): Promise<StoredInbound> {
  const id = randomUUID();
  const hash = createHash('sha256');
  let size = 0;
  let seq = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const takePending = () => {
    const data = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return data;
  };
  try {
    // destroyOnReturn: false - if a query fails mid-stream, the stream must stay readable
    // so the finally below can drain it and the SMTP reply comes after the sender's dot.
    for await (const chunk of message.stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxSizeBytes) continue; // keep reading so the sender gets our reply
      hash.update(chunk);
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= CHUNK_BYTES) {
        const { rowCount } =
          seq === 0
            ? await pool.query({ name: 'insert-first-piece', text: FIRST_PIECE, values: [id, takePending()] })
            : await pool.query({ name: 'insert-next-piece', text: NEXT_PIECE, values: [id, seq, takePending()] });
        if (rowCount === 0) throw new MessageGivenUp(id);
        seq++;
      }
    }
    if (size > maxSizeBytes) throw new MessageTooLarge(maxSizeBytes);
    const sha256 = hash.digest('hex');
    const sourceKey = message.source ? `${message.source}:${sha256}` : null;
    const text = (value: string | null | undefined) => (value == null ? null : storableText(value));
    const envelope = [message.receivedAt, message.edge, message.clientIp ?? null, text(message.helo), text(message.mailFrom)];
    const { rows } = await pool.query({
      name: 'keep-inbound',
      text: KEEP_INBOUND,
      values: [id, ...envelope, message.rcptTo.map(storableText), message.book, size, sha256, sourceKey, seq, takePending()],
    });
    // No row: another connection kept the same bytes from the same source a moment ago; or,
    // for a message of several pieces, it was given up before its last piece came.
    const keptId = (rows[0]?.id as string | undefined) ?? (sourceKey ? await firstKept(pool, sourceKey) : null);
    if (!keptId) throw seq > 0 ? new MessageGivenUp(id) : new Error('the message was neither kept nor found kept before');
    if (keptId !== id && seq > 0) await discardPieces(pool, id);
    return { id: keptId, size, sha256, alreadyKept: keptId !== id };
  } catch (err) {
    if (seq > 0) await discardPieces(pool, id);
    throw err;
  } finally {
    // Whatever failed (the database, the size), the sender is still sending: read it to the end.
    if (!message.stream.readableEnded) {
      message.stream.resume();
    }
  }
}

/** Deletes the pieces of a message that will not be kept; what this cannot delete, the reconciler's sweep does. */
async function discardPieces(pool: Pool, id: string): Promise<void> {
  await pool.query({ name: 'discard-pieces', text: DISCARD_PIECES, values: [id] }).catch(() => undefined);
}

async function firstKept(pool: Pool, sourceKey: string): Promise<string | null> {
  const { rows } = await pool.query('SELECT id FROM inbound WHERE source_key = $1', [sourceKey]);
  return (rows[0]?.id as string | undefined) ?? null;
}

export interface InboundRecord {
  id: string;
  receivedAt: Date;
  edge: 'smtp' | 'imap';
  clientIp: string | null;
  helo: string | null;
  mailFrom: string | null;
  rcptTo: string[];
  book: string;
  size: number;
  sha256: string;
  sourceKey: string | null;
  processedAt: Date | null;
  outcome: string | null;
  /** Why it was not registered, and what it said (subject, Message-ID): for its notice. */
  decision: { reason: string; subject?: string; messageId?: string | null } | null;
}

/** The record from its row as row_to_json writes it: timestamps as ISO 8601 text. */
export function inboundFromJson(r: Record<string, unknown>): InboundRecord {
  const at = (value: unknown) => (value === null ? null : new Date(value as string));
  return {
    id: r.id as string,
    receivedAt: at(r.received_at)!,
    edge: r.edge as InboundRecord['edge'],
    clientIp: r.client_ip as string | null,
    helo: r.helo as string | null,
    mailFrom: r.mail_from as string | null,
    rcptTo: r.rcpt_to as string[],
    book: r.book as string,
    size: r.size as number,
    sha256: r.sha256 as string,
    sourceKey: r.source_key as string | null,
    processedAt: at(r.processed_at),
    outcome: r.outcome as string | null,
    decision: r.decision as InboundRecord['decision'],
  };
}

/** A kept message's record and its bytes exactly as received, in one round trip: what the letters job reads. */
export async function findInboundWithRaw(pool: Pool, id: string): Promise<{ inbound: InboundRecord; raw: Buffer } | null> {
  const rows = await copyBinaryRows(
    pool,
    `SELECT row_to_json(i)::text, c.data
       FROM inbound i LEFT JOIN inbound_chunk c ON c.inbound_id = i.id WHERE i.id = ${pg.escapeLiteral(id)} ORDER BY c.seq`,
  );
  if (rows.length === 0) return null;
  const pieces = rows.map(([, data]) => data).filter((data): data is Buffer => data !== null);
  return {
    inbound: inboundFromJson(JSON.parse(rows[0][0]!.toString('utf8')) as Record<string, unknown>),
    raw: pieces.length === 1 ? pieces[0] : Buffer.concat(pieces),
  };
}

/** Messages kept but not yet decided on, oldest first: what the reconciler re-queues. */
export async function listUnprocessedInbound(pool: Pool, limit: number): Promise<string[]> {
  const { rows } = await pool.query('SELECT id FROM inbound WHERE processed_at IS NULL ORDER BY received_at LIMIT $1', [limit]);
  return rows.map((r) => r.id as string);
}

/**
 * Gives up the messages whose senders have sent no piece for `minutes`: deletes their pieces.
 * A sender that comes back later is answered 451 (storeInbound throws MessageGivenUp) and sends
 * the message again. Returns how many messages and pieces were deleted.
 */
export async function sweepUnfinishedMessages(pool: Pool, minutes: number): Promise<{ messages: number; pieces: number }> {
  const { rows } = await pool.query(
    `WITH given_up AS (
       DELETE FROM inbound_arriving WHERE last_piece_at < now() - make_interval(mins => $1) RETURNING inbound_id),
     pieces AS (
       DELETE FROM inbound_chunk WHERE inbound_id IN (SELECT inbound_id FROM given_up) RETURNING 1)
     SELECT (SELECT count(*) FROM given_up)::int AS messages, (SELECT count(*) FROM pieces)::int AS pieces`,
    [minutes],
  );
  return rows[0] as { messages: number; pieces: number };
}
