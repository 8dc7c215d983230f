import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import pg from 'pg';
import { abandon, begin, commit, copyBinaryRows, storableText, type Client, type Pool } from './db';

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

// Pieces small enough that a connection holds little, large enough that a typical
// letter (a PDF of a few hundred KB) is one row.
const CHUNK_BYTES = 512 * 1024;

// The message's record and its last piece (for a typical letter, its only piece) in one
// statement. When the same source gave these bytes before, nothing is written and the first
// copy's id comes back instead.
const KEEP_INBOUND = `
  WITH kept AS (
    INSERT INTO inbound (id, received_at, edge, client_ip, helo, mail_from, rcpt_to, book, size, sha256, source_key)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (source_key) DO NOTHING
    RETURNING id),
  last_piece AS (
    INSERT INTO inbound_chunk (inbound_id, seq, data)
    SELECT id, $12::int, $13::bytea FROM kept WHERE $12::int = 0 OR octet_length($13::bytea) > 0)
  SELECT id FROM kept
  UNION ALL
  SELECT id FROM inbound WHERE source_key = $11 AND NOT EXISTS (SELECT 1 FROM kept)`;

/**
 * Streams the raw message into PostgreSQL and commits it with its envelope and SHA-256.
 * Returns only after COMMIT: the caller may then say yes to the sender. Over the limit,
 * the rest of the stream is drained unread, nothing is kept, and MessageTooLarge thrown.
 *
 * A letter of one piece is kept by one statement when it has fully arrived, so it holds a
 * database connection for a moment, not for as long as the sender takes to send it; a
 * larger message is written piece by piece in a transaction opened at its first piece.
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
  let transaction: Client | null = null;
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
        transaction ??= await begin(pool);
        await transaction.query({
          name: 'insert-inbound-chunk',
          text: 'INSERT INTO inbound_chunk (inbound_id, seq, data) VALUES ($1, $2, $3)',
          values: [id, seq++, takePending()],
        });
      }
    }
    if (size > maxSizeBytes) throw new MessageTooLarge(maxSizeBytes);
    const sha256 = hash.digest('hex');
    const sourceKey = message.source ? `${message.source}:${sha256}` : null;
    const text = (value: string | null | undefined) => (value == null ? null : storableText(value));
    const envelope = [message.receivedAt, message.edge, message.clientIp ?? null, text(message.helo), text(message.mailFrom)];
    const { rows } = await (transaction ?? pool).query({
      name: 'keep-inbound',
      text: KEEP_INBOUND,
      values: [id, ...envelope, message.rcptTo.map(storableText), message.book, size, sha256, sourceKey, seq, takePending()],
    });
    // No row: another connection kept the same bytes from the same source a moment ago.
    const keptId = (rows[0]?.id as string | undefined) ?? (await firstKept(transaction ?? pool, sourceKey));
    if (keptId !== id && transaction) await transaction.query('DELETE FROM inbound_chunk WHERE inbound_id = $1', [id]);
    if (transaction) await commit(transaction);
    return { id: keptId, size, sha256, alreadyKept: keptId !== id };
  } catch (err) {
    if (transaction) await abandon(transaction);
    throw err;
  } finally {
    // Whatever failed (the database, the size), the sender is still sending: read it to the end.
    if (!message.stream.readableEnded) {
      message.stream.resume();
    }
  }
}

async function firstKept(db: Pool | Client, sourceKey: string | null): Promise<string> {
  const { rows } = await db.query('SELECT id FROM inbound WHERE source_key = $1', [sourceKey]);
  if (!rows[0]) throw new Error('the message was neither kept nor found kept before');
  return rows[0].id as string;
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
