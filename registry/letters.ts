import { buddhistYear } from '../letter/calendar';
import type { AttachmentReceived } from '../letter/acknowledgement';
import { appendAudit } from './audit';
import { jsonb, transaction, type Pool } from './db';
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
 *
 * The work is the database function register_letter (registry/sql/000007.sql),
 * called once: the book's lock, which makes one registration wait for the next, is then
 * held for the server's time only, not for round trips to a worker busy reading other
 * letters. The clock is read before the lock; a letter that waited for it takes the
 * book's last registration time when that is later, so numbers and times rise together.
 */
export async function registerLetter(pool: Pool, request: RegistrationRequest, clock: Clock): Promise<Registration> {
  const now = clock();
  const { rows } = await pool.query({
    name: 'register-letter-call',
    text: 'SELECT register_letter($1, $2, $3, $4, $5, $6, $7, $8) AS registration',
    values: [
      request.inboundId,
      request.book,
      buddhistYear(now),
      now,
      jsonb(letterRow(request.details)),
      request.reply ? jsonb(request.reply) : null,
      duplicateSearch(request.duplicate),
      jsonb(request.replyLimits),
    ],
  });
  const r = rows[0].registration as {
    decided?: string;
    outcome: 'registered' | 'duplicate';
    created: boolean;
    letter: Record<string, unknown>;
    replyId: number | null;
  };
  // Held or refused by a run that raced this one: that decision stands.
  if (r.decided) throw new AlreadyDecided(request.inboundId, r.decided);
  return { outcome: r.outcome, letter: letterFromJson(r.letter), replyId: r.replyId, created: r.created };
}

/**
 * What register_letter looks for before registering: the first letter of the book with the
 * same Message-ID from the same sender, or else with the same reference and one of the same
 * files. Null when there is nothing to compare.
 */
function duplicateSearch(duplicate: RegistrationRequest['duplicate']): string | null {
  if (!duplicate) return null;
  const { messageId, fromAddress, referenceNormalised, attachmentSha256s } = duplicate.keys;
  const sameMessage = messageId && fromAddress ? { messageId, fromAddress } : { messageId: null, fromAddress: null };
  const sameFiles = referenceNormalised ? attachmentSha256s.map((sha256) => [{ sha256 }]) : [];
  if (sameMessage.messageId === null && sameFiles.length === 0) return null;
  return jsonb({ ...sameMessage, referenceNormalised, sameFiles, reply: duplicate.reply, decision: duplicate.decision });
}

/** The details as the letter table's columns, every optional one at its default (see register_letter). */
function letterRow(d: LetterDetails): Record<string, unknown> {
  return {
    message_id: d.messageId,
    from_address: d.fromAddress,
    from_name: d.fromName,
    subject: d.subject,
    attachments: d.attachments,
    reference: d.reference ?? null,
    reference_normalised: d.referenceNormalised ?? null,
    circular: d.circular ?? false,
    letter_date_written: d.letterDateWritten ?? null,
    letter_date: d.letterDate ?? null,
    title: d.title ?? null,
    title_guessed: d.titleGuessed ?? false,
    addressee: d.addressee ?? null,
    urgency: d.urgency ?? null,
    urgency_deadline: d.urgencyDeadline ?? null,
    secrecy: d.secrecy ?? null,
    agency: d.agency ?? null,
    agency_source: d.agencySource ?? null,
    authenticity: d.authenticity ?? null,
    suspect: d.suspect ?? false,
    restricted: d.restricted ?? false,
    flags: d.flags ?? [],
    forwarded_by: d.forwardedBy ?? null,
  };
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
      jsonb(request.decision),
    ]);
    await appendAudit(client, {
      at: now,
      actor: 'system',
      action: `inbound.${request.outcome}`,
      inboundId: request.inboundId,
      letterId: null,
      detail: request.decision,
    });
    // Last before COMMIT: the reply caps' rows stay locked until then (see plan_reply).
    const replyId = request.reply ? await planReply(client, request.inboundId, null, request.reply, request.replyLimits, now) : null;
    return { replyId, created: true };
  });
}

const letterColumns = `id, inbound_id, book, year, number, registered_at, message_id, from_address, from_name, subject, attachments,
  reference, reference_normalised, circular, letter_date_written, to_char(letter_date, 'YYYY-MM-DD') AS letter_date, title, title_guessed,
  addressee, urgency, urgency_deadline, secrecy, agency, agency_source, authenticity, suspect, restricted, flags, forwarded_by`;

/** A letter from its row: the columns of `letterColumns` by name. */
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

/** A letter from its row as to_jsonb or row_to_json write it: timestamps as ISO 8601 text, dates as YYYY-MM-DD. */
export function letterFromJson(r: Record<string, unknown>): Letter {
  return toLetter({ ...r, registered_at: new Date(r.registered_at as string) });
}

/** The register of one year, optionally one book, in book and number order. */
export async function listLetters(pool: Pool, year: number, book?: string): Promise<Letter[]> {
  const { rows } = await pool.query(
    `SELECT ${letterColumns} FROM letter WHERE year = $1 AND ($2::text IS NULL OR book = $2) ORDER BY book, number`,
    [year, book ?? null],
  );
  return rows.map(toLetter);
}
