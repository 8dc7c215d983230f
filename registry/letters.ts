import { buddhistYear } from '../letter/calendar';
import type { AttachmentReceived } from '../letter/acknowledgement';
import { transaction, type Client, type Pool } from './db';

/** What the letters worker read from the message. */
export interface LetterDetails {
  messageId: string | null;
  fromAddress: string | null;
  fromName: string | null;
  subject: string;
  attachments: AttachmentReceived[];
}

export interface Letter extends LetterDetails {
  id: number;
  inboundId: string;
  book: string;
  year: number; // Buddhist era
  number: number; // เลขทะเบียนรับ
  registeredAt: Date;
}

export interface RegistrationRequest {
  inboundId: string;
  book: string;
  details: LetterDetails;
  /** Where the acknowledgement goes; null when none may be sent. */
  acknowledgeTo: string | null;
  /** Message-ID the acknowledgement will carry. */
  acknowledgementMessageId: string;
}

export interface Registration {
  letter: Letter;
  /** The acknowledgement to send, if any (also when this call found an earlier registration). */
  acknowledgementId: number | null;
  /** False when the message had already been registered: nothing new was written. */
  created: boolean;
}

export type Clock = () => Date;

/**
 * Registers the message as the next letter of its book and year, in one transaction:
 * counter, letter row, acknowledgement to send, audit event, inbound marked done.
 * Idempotent: for a message already registered it returns that letter. Numbers are
 * gapless because the counter row stays locked until COMMIT and a rollback undoes it.
 */
export async function registerLetter(pool: Pool, request: RegistrationRequest, clock: Clock): Promise<Registration> {
  return transaction(pool, async (client) => {
    // Serialises two workers on the same message (a retry racing a stalled job).
    const inbound = await client.query('SELECT processed_at FROM inbound WHERE id = $1 FOR UPDATE', [request.inboundId]);
    if (inbound.rowCount === 0) throw new Error(`inbound message ${request.inboundId} does not exist`);
    const existing = await findLetterByInbound(client, request.inboundId);
    if (existing) {
      const ack = await client.query('SELECT id FROM acknowledgement WHERE letter_id = $1', [existing.id]);
      return { letter: existing, acknowledgementId: ack.rows[0]?.id ?? null, created: false };
    }

    // One registration at a time per book, and the clock read only inside that lock: numbers
    // and registration times then rise together, also across New Year in Bangkok.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`book:${request.book}`]);
    const registeredAt = clock();
    const year = buddhistYear(registeredAt);
    const counter = await client.query(
      `INSERT INTO book_counter (book, year, last_number) VALUES ($1, $2, 1)
       ON CONFLICT (book, year) DO UPDATE SET last_number = book_counter.last_number + 1
       RETURNING last_number`,
      [request.book, year],
    );
    const number = counter.rows[0].last_number as number;
    const d = request.details;
    const inserted = await client.query(
      `INSERT INTO letter (inbound_id, book, year, number, registered_at, message_id, from_address, from_name, subject, attachments)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        request.inboundId,
        request.book,
        year,
        number,
        registeredAt,
        d.messageId,
        d.fromAddress,
        d.fromName,
        d.subject,
        JSON.stringify(d.attachments),
      ],
    );
    const letter: Letter = { ...d, id: inserted.rows[0].id, inboundId: request.inboundId, book: request.book, year, number, registeredAt };

    let acknowledgementId: number | null = null;
    if (request.acknowledgeTo) {
      const ack = await client.query('INSERT INTO acknowledgement (letter_id, recipient, message_id) VALUES ($1, $2, $3) RETURNING id', [
        letter.id,
        request.acknowledgeTo,
        request.acknowledgementMessageId,
      ]);
      acknowledgementId = ack.rows[0].id;
    }
    await client.query(`UPDATE inbound SET processed_at = $2, outcome = 'registered' WHERE id = $1`, [request.inboundId, registeredAt]);
    await client.query(
      `INSERT INTO audit_event (at, actor, action, inbound_id, letter_id, detail) VALUES ($1, 'system', 'letter.registered', $2, $3, $4)`,
      [registeredAt, request.inboundId, letter.id, { book: request.book, year, number }],
    );
    return { letter, acknowledgementId, created: true };
  });
}

const letterColumns = `id, inbound_id, book, year, number, registered_at, message_id, from_address, from_name, subject, attachments`;

function toLetter(r: Record<string, unknown>): Letter {
  return {
    id: r.id as number,
    inboundId: r.inbound_id as string,
    book: r.book as string,
    year: r.year as number,
    number: r.number as number,
    registeredAt: r.registered_at as Date,
    messageId: r.message_id as string | null,
    fromAddress: r.from_address as string | null,
    fromName: r.from_name as string | null,
    subject: r.subject as string,
    attachments: r.attachments as AttachmentReceived[],
  };
}

async function findLetterByInbound(client: Client | Pool, inboundId: string): Promise<Letter | null> {
  const { rows } = await client.query(`SELECT ${letterColumns} FROM letter WHERE inbound_id = $1`, [inboundId]);
  return rows[0] ? toLetter(rows[0]) : null;
}

export async function findLetter(pool: Pool, id: number): Promise<Letter | null> {
  const { rows } = await pool.query(`SELECT ${letterColumns} FROM letter WHERE id = $1`, [id]);
  return rows[0] ? toLetter(rows[0]) : null;
}

/** The register of one year, optionally one book, in book and number order. */
export async function listLetters(pool: Pool, year: number, book?: string): Promise<Letter[]> {
  const { rows } = await pool.query(
    `SELECT ${letterColumns} FROM letter WHERE year = $1 AND ($2::text IS NULL OR book = $2) ORDER BY book, number`,
    [year, book ?? null],
  );
  return rows.map(toLetter);
}
