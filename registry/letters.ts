import { buddhistYear } from '../letter/calendar';
import type { AttachmentReceived } from '../letter/acknowledgement';
import { transaction, type Client, type Pool } from './db';
import { pendingReplyOf, planReply, type ReplyLimits, type ReplyPlan } from './replies';

/** The register's columns for one letter, as the letters worker read them from the message. */
export interface LetterDetails {
  messageId: string | null;
  fromAddress: string | null;
  fromName: string | null;
  subject: string;
  attachments: AttachmentReceived[];
  reference?: string | null; // ที่, as written
  referenceNormalised?: string | null;
  circular?: boolean;
  letterDateWritten?: string | null; // ลงวันที่, as written
  letterDate?: string | null; // ISO date (CE)
  title?: string | null; // เรื่อง
  titleGuessed?: boolean;
  addressee?: string | null; // ถึง (เรียน)
  urgency?: string | null;
  urgencyDeadline?: string | null;
  secrecy?: string | null;
  agency?: string | null; // จาก
  agencySource?: string | null;
  authenticity?: object | null;
  /** Registered although the sender was shown to be forged (policy): no acknowledgement. */
  suspect?: boolean;
  /** ลับมาก / ลับ: only named officers see it. */
  restricted?: boolean;
  flags?: string[];
  forwardedBy?: object | null;
}

export interface Letter extends LetterDetails {
  id: number;
  inboundId: string;
  book: string;
  year: number; // Buddhist era
  number: number; // เลขทะเบียนรับ
  registeredAt: Date;
}

/** What makes two messages the same letter: the same Message-ID from the same sender, or the same file with the same reference. */
export interface DuplicateKeys {
  messageId: string | null;
  fromAddress: string | null;
  attachmentSha256s: string[];
  referenceNormalised: string | null;
}

export interface RegistrationRequest {
  inboundId: string;
  book: string;
  details: LetterDetails;
  /** The reply for a new registration (an acknowledgement, or a notice); null for none. */
  reply: ReplyPlan | null;
  /** When given and an earlier letter of the book matches: link to it instead, with this reply. */
  duplicate?: { keys: DuplicateKeys; reply: ReplyPlan | null; decision: { reason: 'duplicate' } & Record<string, unknown> };
  replyLimits: ReplyLimits;
}

export interface Registration {
  outcome: 'registered' | 'duplicate';
  /** The new letter, or for a duplicate the first registration of it. */
  letter: Letter;
  /** A reply to send (also when this call found the work already done). */
  replyId: number | null;
  /** False when the message had been decided before: nothing new was written. */
  created: boolean;
}

export type Clock = () => Date;

/** The message was decided on (held, refused, ...) by another run: nothing to register. */
export class AlreadyDecided extends Error {
  override name = 'AlreadyDecided';
  constructor(
    readonly inboundId: string,
    readonly outcome: string,
  ) {
    super(`inbound message ${inboundId} was already decided: ${outcome}`);
  }
}

/**
 * Registers the message as the next letter of its book and year, in one transaction:
 * duplicate check, counter, letter row, reply to send, audit event, inbound marked done.
 * Idempotent: for a message already decided it returns that decision. Numbers are
 * gapless because the counter row stays locked until COMMIT and a rollback undoes it.
 */
export async function registerLetter(pool: Pool, request: RegistrationRequest, clock: Clock): Promise<Registration> {
  return transaction(pool, async (client) => {
    // The book's lock: one registration at a time per book, and the clock read only inside
    // it, so numbers and registration times rise together, also across New Year in Bangkok;
    // it also makes the duplicate check below race-free. The row lock serialises two workers
    // on the same message (a retry racing a stalled job). Both in one round trip: the book's
    // lock is taken even for a message decided before, which only makes that rare case wait.
    // PostgreSQL takes the book's lock first (while reading the row), then the row's: nothing
    // else takes both, so the order cannot deadlock (workers of a release before this one took
    // them the other way round; mixed during an upgrade, PostgreSQL breaks such a deadlock and
    // the job is retried).
    const inbound = await client.query({
      name: 'lock-inbound-and-book',
      text: 'SELECT outcome, duplicate_of, pg_advisory_xact_lock(hashtext($2)) FROM inbound WHERE id = $1 FOR UPDATE',
      values: [request.inboundId, `book:${request.book}`],
    });
    if (inbound.rowCount === 0) throw new Error(`inbound message ${request.inboundId} does not exist`);
    const decided = await earlierDecision(client, request.inboundId, inbound.rows[0]);
    if (decided) return decided;
    // Held or refused by a run that raced this one: that decision stands.
    if (inbound.rows[0].outcome !== null) throw new AlreadyDecided(request.inboundId, inbound.rows[0].outcome);
    const now = clock();
    if (request.duplicate) {
      const first = await findDuplicate(client, request.book, request.duplicate.keys);
      if (first) {
        await client.query(`UPDATE inbound SET processed_at = $2, outcome = 'duplicate', duplicate_of = $3, decision = $4 WHERE id = $1`, [
          request.inboundId,
          now,
          first.id,
          JSON.stringify(request.duplicate.decision),
        ]);
        const replyId = request.duplicate.reply
          ? await planReply(client, request.inboundId, first.id, request.duplicate.reply, request.replyLimits, now)
          : null;
        await audit(client, now, 'inbound.duplicate', request.inboundId, first.id, {
          book: first.book,
          year: first.year,
          number: first.number,
        });
        return { outcome: 'duplicate', letter: first, replyId, created: true };
      }
    }

    const year = buddhistYear(now);
    const d = request.details;
    // One statement, so the book's lock is held for server time, not for round trips:
    // next number, the letter row, the inbound message marked done, the audit event.
    const inserted = await client.query({
      name: 'register-letter',
      text: `WITH counter AS (
         INSERT INTO book_counter (book, year, last_number) VALUES ($2, $3, 1)
         ON CONFLICT (book, year) DO UPDATE SET last_number = book_counter.last_number + 1
         RETURNING last_number),
       new_letter AS (
         INSERT INTO letter (inbound_id, book, year, number, registered_at, message_id, from_address, from_name, subject, attachments,
                             reference, reference_normalised, circular, letter_date_written, letter_date, title, title_guessed,
                             addressee, urgency, urgency_deadline, secrecy, agency, agency_source, authenticity, suspect, restricted,
                             flags, forwarded_by)
         SELECT $1, $2, $3, last_number, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
                $24, $25, $26, $27 FROM counter
         RETURNING id, number),
       done AS (UPDATE inbound SET processed_at = $4, outcome = 'registered' WHERE id = $1),
       logged AS (
         INSERT INTO audit_event (at, actor, action, inbound_id, letter_id, detail)
         SELECT $4, 'system', 'letter.registered', $1, id,
                jsonb_build_object('book', $2::text, 'year', $3::int, 'number', number, 'suspect', $24::boolean) FROM new_letter)
       SELECT id, number FROM new_letter`,
      values: [
        request.inboundId,
        request.book,
        year,
        now,
        d.messageId,
        d.fromAddress,
        d.fromName,
        d.subject,
        JSON.stringify(d.attachments),
        d.reference ?? null,
        d.referenceNormalised ?? null,
        d.circular ?? false,
        d.letterDateWritten ?? null,
        d.letterDate ?? null,
        d.title ?? null,
        d.titleGuessed ?? false,
        d.addressee ?? null,
        d.urgency ?? null,
        d.urgencyDeadline ?? null,
        d.secrecy ?? null,
        d.agency ?? null,
        d.agencySource ?? null,
        d.authenticity ? JSON.stringify(d.authenticity) : null,
        d.suspect ?? false,
        d.restricted ?? false,
        JSON.stringify(d.flags ?? []),
        d.forwardedBy ? JSON.stringify(d.forwardedBy) : null,
      ],
    });
    const { id, number } = inserted.rows[0] as { id: number; number: number };
    const letter: Letter = { ...asStored(d), id, inboundId: request.inboundId, book: request.book, year, number, registeredAt: now };
    const replyId = request.reply ? await planReply(client, request.inboundId, letter.id, request.reply, request.replyLimits, now) : null;
    return { outcome: 'registered', letter, replyId, created: true };
  });
}

/** The details as a read of the row gives them back: every optional column at its default. */
function asStored(d: LetterDetails): LetterDetails {
  return {
    ...d,
    reference: d.reference ?? null,
    referenceNormalised: d.referenceNormalised ?? null,
    circular: d.circular ?? false,
    letterDateWritten: d.letterDateWritten ?? null,
    letterDate: d.letterDate ?? null,
    title: d.title ?? null,
    titleGuessed: d.titleGuessed ?? false,
    addressee: d.addressee ?? null,
    urgency: d.urgency ?? null,
    urgencyDeadline: d.urgencyDeadline ?? null,
    secrecy: d.secrecy ?? null,
    agency: d.agency ?? null,
    agencySource: d.agencySource ?? null,
    authenticity: d.authenticity ?? null,
    suspect: d.suspect ?? false,
    restricted: d.restricted ?? false,
    flags: d.flags ?? [],
    forwardedBy: d.forwardedBy ?? null,
  };
}

async function earlierDecision(
  client: Client,
  inboundId: string,
  row: { outcome: string | null; duplicate_of: number | null },
): Promise<Registration | null> {
  if (row.outcome !== 'registered' && row.outcome !== 'duplicate') return null;
  const letter =
    row.outcome === 'duplicate'
      ? await findLetterBy(client, 'id = $1', [row.duplicate_of])
      : await findLetterBy(client, 'inbound_id = $1', [inboundId]);
  if (!letter) return null;
  return { outcome: row.outcome, letter, replyId: await pendingReplyOf(client, inboundId), created: false };
}

/** The first letter of the book with the same Message-ID from the same sender, or else with the same reference and one of the same files. */
async function findDuplicate(client: Client, book: string, keys: DuplicateKeys): Promise<Letter | null> {
  const sameMessage = keys.messageId && keys.fromAddress ? [keys.messageId, keys.fromAddress] : [null, null];
  const sameFile = keys.referenceNormalised ? keys.attachmentSha256s.map((sha256) => JSON.stringify([{ sha256 }])) : [];
  if (sameMessage[0] === null && sameFile.length === 0) return null;
  const { rows } = await client.query({
    name: 'find-duplicate',
    text: `SELECT ${letterColumns} FROM letter
      WHERE book = $1 AND ((message_id = $2 AND from_address = $3) OR (reference_normalised = $4 AND attachments @> ANY ($5::jsonb[])))
      ORDER BY coalesce(message_id = $2 AND from_address = $3, false) DESC, id LIMIT 1`,
    values: [book, ...sameMessage, keys.referenceNormalised, sameFile],
  });
  return rows[0] ? toLetter(rows[0]) : null;
}

export interface NotRegistered {
  inboundId: string;
  outcome: 'automatic' | 'held' | 'refused';
  /** Why, and what the message said: kept for the notice and for the supervisor. */
  decision: { reason: string } & Record<string, unknown>;
  reply: ReplyPlan | null;
  replyLimits: ReplyLimits;
}

/** Records that the message was read and not registered (automatic, held, refused), with its notice. */
export async function recordNotRegistered(
  pool: Pool,
  request: NotRegistered,
  clock: Clock,
): Promise<{ replyId: number | null; created: boolean }> {
  return transaction(pool, async (client) => {
    const { rows } = await client.query('SELECT outcome FROM inbound WHERE id = $1 FOR UPDATE', [request.inboundId]);
    if (rows.length === 0) throw new Error(`inbound message ${request.inboundId} does not exist`);
    if (rows[0].outcome !== null) return { replyId: await pendingReplyOf(client, request.inboundId), created: false };
    const now = clock();
    await client.query('UPDATE inbound SET processed_at = $2, outcome = $3, decision = $4 WHERE id = $1', [
      request.inboundId,
      now,
      request.outcome,
      JSON.stringify(request.decision),
    ]);
    const replyId = request.reply ? await planReply(client, request.inboundId, null, request.reply, request.replyLimits, now) : null;
    await audit(client, now, `inbound.${request.outcome}`, request.inboundId, null, request.decision);
    return { replyId, created: true };
  });
}

async function audit(client: Client, at: Date, action: string, inboundId: string, letterId: number | null, detail: object) {
  await client.query(`INSERT INTO audit_event (at, actor, action, inbound_id, letter_id, detail) VALUES ($1, 'system', $2, $3, $4, $5)`, [
    at,
    action,
    inboundId,
    letterId,
    JSON.stringify(detail),
  ]);
}

const letterColumns = `id, inbound_id, book, year, number, registered_at, message_id, from_address, from_name, subject, attachments,
  reference, reference_normalised, circular, letter_date_written, to_char(letter_date, 'YYYY-MM-DD') AS letter_date, title, title_guessed,
  addressee, urgency, urgency_deadline, secrecy, agency, agency_source, authenticity, suspect, restricted, flags, forwarded_by`;

/** A letter from its row: the columns of `letterColumns` by name. */
export function toLetter(r: Record<string, unknown>): Letter {
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
    reference: r.reference as string | null,
    referenceNormalised: r.reference_normalised as string | null,
    circular: r.circular as boolean,
    letterDateWritten: r.letter_date_written as string | null,
    letterDate: r.letter_date as string | null,
    title: r.title as string | null,
    titleGuessed: r.title_guessed as boolean,
    addressee: r.addressee as string | null,
    urgency: r.urgency as string | null,
    urgencyDeadline: r.urgency_deadline as string | null,
    secrecy: r.secrecy as string | null,
    agency: r.agency as string | null,
    agencySource: r.agency_source as string | null,
    authenticity: r.authenticity as object | null,
    suspect: r.suspect as boolean,
    restricted: r.restricted as boolean,
    flags: r.flags as string[],
    forwardedBy: r.forwarded_by as object | null,
  };
}

async function findLetterBy(client: Client | Pool, where: string, values: unknown[]): Promise<Letter | null> {
  const { rows } = await client.query(`SELECT ${letterColumns} FROM letter WHERE ${where} ORDER BY id LIMIT 1`, values);
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
