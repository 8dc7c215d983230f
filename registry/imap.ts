import type { Pool } from './db';

// Per-mailbox progress of the IMAP edge. UIDs are only comparable within one UIDVALIDITY,
// so the watermark is kept per (mailbox, UIDVALIDITY).

export async function loadWatermark(pool: Pool, mailbox: string, uidValidity: bigint): Promise<number> {
  const { rows } = await pool.query('SELECT last_uid FROM imap_watermark WHERE mailbox = $1 AND uidvalidity = $2', [
    mailbox,
    uidValidity.toString(),
  ]);
  return rows[0]?.last_uid ?? 0;
}

/** Moves the watermark forward (never back: two fetchers of one mailbox cannot undo each other). */
export async function advanceWatermark(pool: Pool, mailbox: string, uidValidity: bigint, uid: number): Promise<void> {
  await pool.query(
    `INSERT INTO imap_watermark (mailbox, uidvalidity, last_uid) VALUES ($1, $2, $3)
     ON CONFLICT (mailbox, uidvalidity) DO UPDATE SET last_uid = GREATEST(imap_watermark.last_uid, EXCLUDED.last_uid), updated_at = now()`,
    [mailbox, uidValidity.toString(), uid],
  );
}

export interface MailboxStatus {
  mailbox: string;
  connected: boolean;
  lastSyncAt: Date | null;
  uidValidity: string | null;
  lastUid: number | null;
  backlog: number;
  lastError: string | null;
}

export async function saveMailboxStatus(pool: Pool, status: MailboxStatus): Promise<void> {
  await pool.query(
    `INSERT INTO imap_status (mailbox, connected, last_sync_at, uidvalidity, last_uid, backlog, last_error, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now())
     ON CONFLICT (mailbox) DO UPDATE SET connected = $2, last_sync_at = $3, uidvalidity = $4, last_uid = $5,
       backlog = $6, last_error = $7, updated_at = now()`,
    [status.mailbox, status.connected, status.lastSyncAt, status.uidValidity, status.lastUid, status.backlog, status.lastError],
  );
}

/** Each mailbox's status, with how many of its messages were given up (flagged $SarabanFailed). */
export async function listMailboxStatus(pool: Pool): Promise<Array<MailboxStatus & { failed: number }>> {
  const { rows } = await pool.query(
    `SELECT s.mailbox, connected, last_sync_at, s.uidvalidity, last_uid, backlog, s.last_error,
            (SELECT count(*)::int FROM imap_message_failure f WHERE f.mailbox = s.mailbox AND f.given_up_at IS NOT NULL) AS failed
       FROM imap_status s ORDER BY s.mailbox`,
  );
  return rows.map((r) => ({
    mailbox: r.mailbox,
    connected: r.connected,
    lastSyncAt: r.last_sync_at,
    uidValidity: r.uidvalidity === null ? null : String(r.uidvalidity),
    lastUid: r.last_uid,
    backlog: r.backlog,
    lastError: r.last_error,
    failed: r.failed,
  }));
}

// Messages that fail to be taken in, counted per (mailbox, UIDVALIDITY, UID) so that a restart
// does not start the count again (imap_message_failure, migration 15).

/** What the server told of a message before it failed: for the clerk to find it in the folder. */
export interface FailedMessageEnvelope {
  messageId: string | null;
  from: string | null;
  subject: string | null;
}

/** The failures counted so far for these UIDs (absent: none). */
export async function loadMessageFailures(pool: Pool, mailbox: string, uidValidity: bigint, uids: number[]): Promise<Map<number, number>> {
  const { rows } = await pool.query(
    'SELECT uid, attempts FROM imap_message_failure WHERE mailbox = $1 AND uidvalidity = $2 AND uid = ANY($3::bigint[])',
    [mailbox, uidValidity.toString(), uids],
  );
  return new Map(rows.map((r) => [Number(r.uid), r.attempts as number]));
}

/** Counts one more failure of a message; returns how many there have been. */
export async function countMessageFailure(
  pool: Pool,
  failure: { mailbox: string; uidValidity: bigint; uid: number; error: string; envelope: FailedMessageEnvelope },
): Promise<number> {
  const { mailbox, uidValidity, uid, error, envelope } = failure;
  const { rows } = await pool.query(
    `INSERT INTO imap_message_failure (mailbox, uidvalidity, uid, attempts, last_error, message_id, from_address, subject)
     VALUES ($1, $2, $3, 1, $4, $5, $6, $7)
     ON CONFLICT (mailbox, uidvalidity, uid) DO UPDATE SET attempts = imap_message_failure.attempts + 1,
       last_error = EXCLUDED.last_error, last_failed_at = now(),
       message_id = coalesce(EXCLUDED.message_id, imap_message_failure.message_id),
       from_address = coalesce(EXCLUDED.from_address, imap_message_failure.from_address),
       subject = coalesce(EXCLUDED.subject, imap_message_failure.subject)
     RETURNING attempts`,
    [mailbox, uidValidity.toString(), uid, error, envelope.messageId, envelope.from, envelope.subject],
  );
  return rows[0].attempts;
}

/** Records a message as passed over (flagged for a clerk, or not if the server refused the flag). */
export async function markMessageGivenUp(pool: Pool, mailbox: string, uidValidity: bigint, uid: number, flagged: boolean): Promise<void> {
  await pool.query(
    `UPDATE imap_message_failure SET given_up_at = coalesce(given_up_at, now()), flagged = $4
      WHERE mailbox = $1 AND uidvalidity = $2 AND uid = $3`,
    [mailbox, uidValidity.toString(), uid, flagged],
  );
}

/** A message that failed before and has now been taken in: its count no longer matters. */
export async function forgetMessageFailures(pool: Pool, mailbox: string, uidValidity: bigint, uid: number): Promise<void> {
  await pool.query('DELETE FROM imap_message_failure WHERE mailbox = $1 AND uidvalidity = $2 AND uid = $3 AND given_up_at IS NULL', [
    mailbox,
    uidValidity.toString(),
    uid,
  ]);
}

export interface FailedMessage extends FailedMessageEnvelope {
  mailbox: string;
  uidValidity: string;
  uid: number;
  attempts: number;
  lastError: string;
  firstFailedAt: Date;
  givenUpAt: Date;
  flagged: boolean;
}

/** The messages given up, newest first: what `saraban imap failed` prints. */
export async function listFailedMessages(pool: Pool, options: { mailbox?: string; limit: number }): Promise<FailedMessage[]> {
  const { rows } = await pool.query(
    `SELECT mailbox, uidvalidity, uid, attempts, last_error, first_failed_at, given_up_at, flagged, message_id, from_address, subject
       FROM imap_message_failure
      WHERE given_up_at IS NOT NULL AND ($1::text IS NULL OR mailbox = $1)
      ORDER BY given_up_at DESC, mailbox, uid
      LIMIT $2`,
    [options.mailbox ?? null, options.limit],
  );
  return rows.map((r) => ({
    mailbox: r.mailbox,
    uidValidity: String(r.uidvalidity),
    uid: Number(r.uid),
    attempts: r.attempts,
    lastError: r.last_error,
    firstFailedAt: r.first_failed_at,
    givenUpAt: r.given_up_at,
    flagged: r.flagged,
    messageId: r.message_id,
    from: r.from_address,
    subject: r.subject,
  }));
}
