// The audit trail: append-only, hash-chained events (registry/sql/000007.sql). Each event carries
// its place in the chain (seq, 1, 2, 3 ... with no gap), the hash of the event before it and its
// own hash over a canonical form of its fields, so an event changed or removed behind the
// database's back (an administrator with the trigger disabled) shows when the chain is walked.
import { createHash } from 'node:crypto';
import { isLosslessNumber, parse as parseLossless } from 'lossless-json';
import { jsonb, type Client, type Pool } from './db';

export interface AuditEvent {
  at: Date;
  /** Who did it: 'system' for the gateway's own decisions. */
  actor: string;
  /** What was done, as `<subject>.<verb>`: letter.registered, inbound.held, ... */
  action: string;
  inboundId: string | null;
  letterId: number | null;
  detail: object;
}

/**
 * Appends the event to the chain inside the caller's transaction, through the database
 * function audit_append (the one writer of audit rows). Returns its seq. The chain stays
 * locked until the transaction ends: append as late as the work allows, and before planning a
 * reply (the reply caps' rows are always locked after the chain).
 */
export async function appendAudit(client: Client, event: AuditEvent): Promise<number> {
  const { rows } = await client.query({
    name: 'audit-append',
    text: 'SELECT audit_append($1, $2, $3, $4, $5, $6) AS seq',
    values: [event.at, event.actor, event.action, event.inboundId, event.letterId, jsonb(event.detail)],
  });
  return rows[0].seq as number;
}

/** An event as stored, with what its hash covers in the form the hash takes it. */
export interface StoredAuditEvent {
  seq: number;
  /** Microseconds since 1970-01-01 UTC: PostgreSQL keeps microseconds, a Date only milliseconds. */
  atMicros: number;
  actor: string;
  action: string;
  inboundId: string | null;
  letterId: number | null;
  /** The detail as PostgreSQL prints the jsonb (numbers as stored: 1.50 stays 1.50). */
  detailJson: string;
  prevHash: string;
}

/** The previous hash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The text an event's hash is taken over: the JSON array [seq, at, actor, action, inbound_id,
 * letter_id, detail, prev_hash] without white space, `at` in UTC with microseconds, detail in
 * canonicalJson() form. audit_hash() in registry/sql/000007.sql writes the same.
 */
export function canonicalAuditEvent(e: StoredAuditEvent): string {
  const fields = [
    String(e.seq),
    JSON.stringify(isoMicros(e.atMicros)),
    JSON.stringify(e.actor),
    JSON.stringify(e.action),
    e.inboundId === null ? 'null' : JSON.stringify(e.inboundId),
    e.letterId === null ? 'null' : String(e.letterId),
    canonicalJson(parseLossless(e.detailJson)),
    JSON.stringify(e.prevHash),
  ];
  return `[${fields.join(',')}]`;
}

/** SHA-256 of the canonical form's UTF-8 bytes, in lower-case hex. */
export function auditHash(e: StoredAuditEvent): string {
  return createHash('sha256').update(canonicalAuditEvent(e), 'utf8').digest('hex');
}

/**
 * A JSON value in canonical form: object keys in the order of their UTF-8 bytes, no white
 * space, numbers as written in the input (lossless-json keeps their text). JSON.stringify
 * escapes strings as PostgreSQL does (", \, \b \f \n \r \t, other controls as \u00xx).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (isLosslessNumber(value)) return value.value;
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`not a JSON value: ${typeof value}`);
}

/** 2026-02-02T03:00:00.123456Z from microseconds since the epoch. */
function isoMicros(micros: number): string {
  const millis = Math.floor(micros / 1000);
  const rest = micros - millis * 1000;
  return `${new Date(millis).toISOString().slice(0, 23)}${String(rest).padStart(3, '0')}Z`;
}

export type AuditChainProblem = 'sequence gap' | 'hash mismatch' | 'previous hash mismatch';

export type AuditChainCheck =
  { ok: true; events: number; lastHash: string | null } | { ok: false; seq: number; problem: AuditChainProblem };

const PAGE = 5_000;

/**
 * Walks the chain from its first event: each seq is the one after the last, each previous
 * hash is the last event's hash, each hash is what the event's fields give. Stops at the first
 * event that is not (for a gap: the seq that is missing). Events appended meanwhile are
 * walked too. What the chain cannot show: events removed from its end; compare the last hash
 * with one written down earlier.
 */
export async function verifyAuditChain(pool: Pool): Promise<AuditChainCheck> {
  let previous = GENESIS_HASH;
  let lastSeq = 0;
  // The first page starts below any seq, so that a row put before 1 is seen as out of place too.
  let after = '-9223372036854775808';
  for (;;) {
    const { rows } = await pool.query(
      `SELECT seq, (extract(epoch FROM at) * 1000000)::bigint AS at_micros, actor, action, inbound_id, letter_id,
              detail::text AS detail_json, prev_hash, hash
         FROM audit_event WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [after, PAGE],
    );
    for (const r of rows) {
      const event: StoredAuditEvent = {
        seq: r.seq,
        atMicros: r.at_micros,
        actor: r.actor,
        action: r.action,
        inboundId: r.inbound_id,
        letterId: r.letter_id,
        detailJson: r.detail_json,
        prevHash: r.prev_hash,
      };
      if (event.seq !== lastSeq + 1) return { ok: false, seq: lastSeq + 1, problem: 'sequence gap' };
      if (event.prevHash !== previous) return { ok: false, seq: event.seq, problem: 'previous hash mismatch' };
      if (auditHash(event) !== r.hash) return { ok: false, seq: event.seq, problem: 'hash mismatch' };
      previous = r.hash;
      lastSeq = event.seq;
    }
    after = String(lastSeq);
    if (rows.length < PAGE) return { ok: true, events: lastSeq, lastHash: lastSeq === 0 ? null : previous };
  }
}
