import { buddhistYear } from '../letter/calendar';
import { DETAIL_FIELDS, LETTER_FIELDS, withDefaults, type Letter, type LetterDetails } from '../letter/letter';
import { appendAudit } from './audit';
import { jsonb, transaction, type Pool } from './db';
import { pendingReplyOf, planReply, type ReplyLimits, type ReplyPlan } from './replies';

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

/** The details as the letter table's columns, every one the letter did not show at its default (see register_letter). */
function letterRow(details: LetterDetails): Record<string, unknown> {
  const complete = withDefaults(details);
  return Object.fromEntries(DETAIL_FIELDS.map((name) => [LETTER_FIELDS[name].column, complete[name]]));
}

export interface NotRegistered {
  inboundId: string;
  outcome: 'automatic' | 'held' | 'refused' | 'correspondence';
  /** Why, and what the message said: kept for the notice and for the supervisor. */
  decision: { reason: string } & Record<string, unknown>;
  /** Correspondence: the letter it is about (its officers see it, and its history has it). */
  aboutLetterId?: number | null;
  reply: ReplyPlan | null;
  replyLimits: ReplyLimits;
}

/** Records that the message was read and not registered (automatic, held, refused, correspondence), with its notice. */
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
    await client.query('UPDATE inbound SET processed_at = $2, outcome = $3, decision = $4, about_letter_id = $5 WHERE id = $1', [
      request.inboundId,
      now,
      request.outcome,
      jsonb(request.decision),
      request.aboutLetterId ?? null,
    ]);
    await appendAudit(client, {
      at: now,
      actor: 'system',
      action: `inbound.${request.outcome}`,
      inboundId: request.inboundId,
      letterId: request.aboutLetterId ?? null,
      detail: request.decision,
    });
    // Last before COMMIT: the reply caps' rows stay locked until then (see plan_reply).
    const replyId = request.reply ? await planReply(client, request.inboundId, null, request.reply, request.replyLimits, now) : null;
    return { replyId, created: true };
  });
}

const fields = Object.entries(LETTER_FIELDS) as Array<[keyof Letter, { column: string; select?: string }]>;

/** Every column of a letter, each as the letter holds it (a query's select list, on the table itself). */
export const letterColumns = fields.map(([, f]) => (f.select ? `${f.select} AS ${f.column}` : f.column)).join(', ');

/** A letter from its row: the columns of `letterColumns` by name. */
export function toLetter(row: Record<string, unknown>): Letter {
  return Object.fromEntries(fields.map(([name, f]) => [name, row[f.column]])) as Letter;
}

/** A letter from its row as to_jsonb or row_to_json write it: timestamps as ISO 8601 text, dates as YYYY-MM-DD. */
export function letterFromJson(r: Record<string, unknown>): Letter {
  return toLetter({ ...r, registered_at: new Date(r.registered_at as string) });
}
