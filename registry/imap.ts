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

export async function listMailboxStatus(pool: Pool): Promise<MailboxStatus[]> {
  const { rows } = await pool.query(
    'SELECT mailbox, connected, last_sync_at, uidvalidity, last_uid, backlog, last_error FROM imap_status ORDER BY mailbox',
  );
  return rows.map((r) => ({
    mailbox: r.mailbox,
    connected: r.connected,
    lastSyncAt: r.last_sync_at,
    uidValidity: r.uidvalidity === null ? null : String(r.uidvalidity),
    lastUid: r.last_uid,
    backlog: r.backlog,
    lastError: r.last_error,
  }));
}
