import { scopeOf, type Officer } from '../letter/access';
import type { Letter } from '../letter/letter';
import type { StampReason, StampState } from '../letter/stamp';
import { copyBinaryRows, storableText, type Pool } from './db';
import { letterFromJson } from './letters';
import { SqlParams, visibleTo } from './visibility';

// The receipt stamp's record (letter_stamp, registry/sql/000016.sql): one row per letter, written
// once by its stamp job (worker/stamps.ts), read by the desk. The stamped copy is kept as a
// bytea of its own, beside the kept message and never in place of it.

/** What the register says of a letter's stamp, without the copy's bytes. */
export interface StampRecord {
  state: StampState;
  reason: string | null;
  /** In English, for the operator: what went wrong. */
  detail: string | null;
  /** The file stamped: its place in the letter's attachments, from 1. */
  attachment: number | null;
  /** The stamped copy's SHA-256 and size. */
  sha256: string | null;
  size: number | null;
  stampedAt: Date;
}

export type StampToRecord =
  | { state: 'stamped'; attachment: number; sourceSha256: string; pdf: Buffer; sha256: string }
  | { state: 'failed'; reason: StampReason; detail: string; attachment: number | null; sourceSha256: string | null }
  | { state: 'skipped'; reason: StampReason };

/** The record as json_build_object writes it in the queries below. */
export const STAMP_JSON = (alias: string) =>
  `CASE WHEN ${alias}.letter_id IS NULL THEN NULL ELSE json_build_object('state', ${alias}.state, 'reason', ${alias}.reason,
     'detail', ${alias}.detail, 'attachment', ${alias}.attachment, 'sha256', ${alias}.sha256,
     'size', octet_length(${alias}.pdf), 'stampedAt', ${alias}.stamped_at) END`;

/** The record from STAMP_JSON's object: timestamps as ISO 8601 text. */
export function stampFromJson(r: Record<string, unknown> | null): StampRecord | null {
  return r && ({ ...r, stampedAt: new Date(r.stampedAt as string) } as StampRecord);
}

/**
 * Records the stamp job's result for the letter, once: a second run's result (two workers, or a
 * job run again after a crash) leaves the first in place. Returns whether this one was recorded.
 */
export async function recordStamp(pool: Pool, letterId: number, stamp: StampToRecord): Promise<boolean> {
  const copy = stamp.state === 'stamped' ? stamp : null;
  const failed = stamp.state === 'failed' ? stamp : null;
  const { rowCount } = await pool.query(
    `INSERT INTO letter_stamp (letter_id, state, reason, detail, attachment, source_sha256, pdf, sha256)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (letter_id) DO NOTHING`,
    [
      letterId,
      stamp.state,
      stamp.state === 'stamped' ? null : stamp.reason,
      failed ? storableText(failed.detail) : null,
      copy?.attachment ?? failed?.attachment ?? null,
      copy?.sourceSha256 ?? failed?.sourceSha256 ?? null,
      copy?.pdf ?? null,
      copy?.sha256 ?? null,
    ],
  );
  return rowCount === 1;
}

export interface LetterAndStamp {
  letter: Letter;
  /** null: its job has not recorded one yet. */
  stamp: StampRecord | null;
}

async function letterAndStamp(pool: Pool, letterId: number, officer?: Officer): Promise<LetterAndStamp | null> {
  const params = new SqlParams();
  const id = params.add(letterId);
  const { rows } = await pool.query(
    `SELECT row_to_json(l) AS letter, ${STAMP_JSON('s')} AS stamp
       FROM letter l LEFT JOIN letter_stamp s ON s.letter_id = l.id
      WHERE l.id = ${id} AND ${officer ? visibleTo(scopeOf(officer), 'l', params) : 'true'}`,
    params.values,
  );
  return rows[0] ? { letter: letterFromJson(rows[0].letter), stamp: stampFromJson(rows[0].stamp) } : null;
}

/** A registered letter and its stamp's record, for its stamp job; null when there is no such letter. */
export const findLetterToStamp = (pool: Pool, letterId: number) => letterAndStamp(pool, letterId);

/** The same, if this officer may see the letter (the desk's download of the stamped copy). */
export const findStampFor = (pool: Pool, officer: Officer, letterId: number) => letterAndStamp(pool, letterId, officer);

/**
 * The stamped copy's bytes; null when the letter has none. Read as binary COPY, as the kept
 * messages are (registry/db.ts copyBinaryRows): not encoded and decoded as text on the way.
 * Whether the caller may see the letter is the caller's to check first.
 */
export async function stampedPdfOf(pool: Pool, letterId: number): Promise<Buffer | null> {
  if (!Number.isSafeInteger(letterId)) return null;
  const rows = await copyBinaryRows(pool, `SELECT pdf FROM letter_stamp WHERE letter_id = ${letterId} AND pdf IS NOT NULL`);
  return rows[0]?.[0] ?? null;
}

/** Registered letters with no stamp recorded, oldest first: what the reconciler queues again. */
export async function listUnstampedLetters(pool: Pool, limit: number): Promise<number[]> {
  const { rows } = await pool.query(
    `SELECT l.id FROM letter l WHERE NOT EXISTS (SELECT 1 FROM letter_stamp s WHERE s.letter_id = l.id) ORDER BY l.id LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.id as number);
}
