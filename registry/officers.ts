import type { Officer, Role } from '../letter/access';
import { transaction, type Client, type Pool } from './db';

/** A unit of the office (กอง / ฝ่าย / งาน), placed under its parent. */
export interface Unit {
  id: number;
  code: string;
  name: string;
  parentId: number | null;
}

/** A refusal the operator can act on: the message says what to change. */
export class PeopleError extends Error {
  override name = 'PeopleError';
}

export interface NewUnit {
  code: string;
  name: string;
  parentCode?: string;
}

export async function addUnit(pool: Pool | Client, unit: NewUnit): Promise<Unit> {
  const parent = unit.parentCode === undefined ? null : await findUnit(pool, unit.parentCode);
  if (unit.parentCode !== undefined && !parent)
    throw new PeopleError(`no unit "${unit.parentCode}" to put "${unit.code}" under; add the parent first`);
  const { rows } = await pool.query(
    `INSERT INTO unit (code, name, parent_id) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING RETURNING id, code, name, parent_id`,
    [unit.code, unit.name, parent?.id ?? null],
  );
  if (!rows.length) throw new PeopleError(`there is already a unit "${unit.code}"`);
  return toUnit(rows[0]);
}

export async function findUnit(pool: Pool | Client, code: string): Promise<Unit | null> {
  const { rows } = await pool.query(`SELECT id, code, name, parent_id FROM unit WHERE code = $1`, [code]);
  return rows.length ? toUnit(rows[0]) : null;
}

function toUnit(r: Record<string, unknown>): Unit {
  return { id: r.id as number, code: r.code as string, name: r.name as string, parentId: (r.parent_id as number | null) ?? null };
}

export interface NewOfficer {
  username: string;
  name: string;
  role: Role;
  unitCode?: string;
  position?: string;
  phone?: string;
  secretClearance?: boolean;
  /** An scrypt hash (desk/auth/password.ts); none: the officer signs in with tokens only. */
  passwordHash?: string;
}

/** Usernames are kept in lower case, so "Somchai" and "somchai" are one officer. */
export const normalUsername = (username: string) => username.trim().toLowerCase();

export async function addOfficer(pool: Pool | Client, officer: NewOfficer): Promise<Officer> {
  const username = normalUsername(officer.username);
  if (!/^[a-z0-9_.-]{1,64}$/.test(username)) {
    throw new PeopleError(`username "${officer.username}" is not usable; use 1 to 64 letters a-z, digits, ".", "_" or "-"`);
  }
  const unit = officer.unitCode === undefined ? null : await findUnit(pool, officer.unitCode);
  if (officer.unitCode !== undefined && !unit) throw new PeopleError(`no unit "${officer.unitCode}"; add it with saraban unit add first`);
  const { rows } = await pool.query(
    `INSERT INTO officer (username, name, position, phone, role, unit_id, secret_clearance, password_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (username) DO NOTHING
     RETURNING ${OFFICER_COLUMNS}`,
    [
      username,
      officer.name,
      officer.position ?? null,
      officer.phone ?? null,
      officer.role,
      unit?.id ?? null,
      officer.secretClearance ?? false,
      officer.passwordHash ?? null,
    ],
  );
  if (!rows.length) throw new PeopleError(`there is already an officer "${username}"`);
  return toOfficer(rows[0]);
}

const OFFICER_COLUMNS = 'officer.id, officer.username, officer.name, officer.role, officer.unit_id, officer.secret_clearance';

function toOfficer(r: Record<string, unknown>): Officer {
  return {
    id: r.id as number,
    username: r.username as string,
    name: r.name as string,
    role: r.role as Role,
    unitId: (r.unit_id as number | null) ?? null,
    secretClearance: r.secret_clearance as boolean,
  };
}

/** An officer as the operator's commands show them, with what the desk's rules do not need. */
export interface OfficerRecord extends Officer {
  position: string | null;
  phone: string | null;
  unitCode: string | null;
  onDuty: boolean;
  disabledAt: Date | null;
}

const RECORD_QUERY = `SELECT ${OFFICER_COLUMNS}, officer.position, officer.phone, unit.code AS unit_code, officer.on_duty, officer.disabled_at
                        FROM officer LEFT JOIN unit ON unit.id = officer.unit_id`;

function toRecord(r: Record<string, unknown>): OfficerRecord {
  return {
    ...toOfficer(r),
    position: (r.position as string | null) ?? null,
    phone: (r.phone as string | null) ?? null,
    unitCode: (r.unit_code as string | null) ?? null,
    onDuty: r.on_duty as boolean,
    disabledAt: (r.disabled_at as Date | null) ?? null,
  };
}

export async function findOfficer(pool: Pool | Client, username: string): Promise<OfficerRecord | null> {
  const { rows } = await pool.query(`${RECORD_QUERY} WHERE officer.username = $1`, [normalUsername(username)]);
  return rows.length ? toRecord(rows[0]) : null;
}

export async function listOfficers(pool: Pool): Promise<OfficerRecord[]> {
  const { rows } = await pool.query(`${RECORD_QUERY} ORDER BY officer.username`);
  return rows.map(toRecord);
}

async function officerId(client: Pool | Client, username: string): Promise<number> {
  const { rows } = await client.query(`SELECT id FROM officer WHERE username = $1`, [normalUsername(username)]);
  if (!rows.length) throw new PeopleError(`no officer "${username}"`);
  return rows[0].id;
}

/**
 * Disables an officer: from this commit on, none of their sessions or tokens is accepted
 * (the sessions are deleted, the tokens revoked, and every request checks disabled_at too).
 */
export async function disableOfficer(pool: Pool, username: string, now: Date): Promise<void> {
  await transaction(pool, async (client) => {
    const id = await officerId(client, username);
    await client.query(`UPDATE officer SET disabled_at = coalesce(disabled_at, $2) WHERE id = $1`, [id, now]);
    await client.query(`DELETE FROM desk_session WHERE officer_id = $1`, [id]);
    await client.query(`UPDATE api_token SET revoked_at = $2 WHERE officer_id = $1 AND revoked_at IS NULL`, [id, now]);
  });
}

/**
 * Sets a new password hash, lifts a lockout and ends the officer's sessions (whoever knew the
 * old password is signed out). API tokens are separate credentials and stay.
 */
export async function setPassword(pool: Pool, username: string, passwordHash: string): Promise<void> {
  await transaction(pool, async (client) => {
    const id = await officerId(client, username);
    await client.query(`UPDATE officer SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE id = $1`, [id, passwordHash]);
    await client.query(`DELETE FROM desk_session WHERE officer_id = $1`, [id]);
  });
}

/** What a sign-in needs to know about the officer named. */
export interface LoginRecord {
  officer: Officer;
  passwordHash: string | null;
  disabled: boolean;
  lockedUntil: Date | null;
}

export async function findLogin(pool: Pool, username: string): Promise<LoginRecord | null> {
  const { rows } = await pool.query(
    `SELECT ${OFFICER_COLUMNS}, password_hash, disabled_at, locked_until FROM officer WHERE username = $1`,
    [normalUsername(username)],
  );
  if (!rows.length) return null;
  const r = rows[0];
  return { officer: toOfficer(r), passwordHash: r.password_hash, disabled: r.disabled_at !== null, lockedUntil: r.locked_until };
}

/**
 * Counts a wrong password; the maxFailures-th in a row locks the officer out until
 * lockUntil. Returns the time the lock ends, if this failure locked them.
 */
export async function recordLoginFailure(pool: Pool, officerId: number, maxFailures: number, lockUntil: Date): Promise<Date | null> {
  const { rows } = await pool.query(
    `UPDATE officer
        SET failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
            locked_until  = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END
      WHERE id = $1
      RETURNING failed_logins = 0 AS locked`,
    [officerId, maxFailures, lockUntil],
  );
  return rows[0]?.locked ? lockUntil : null;
}

export async function recordLoginSuccess(pool: Pool | Client, officerId: number): Promise<void> {
  await pool.query(
    `UPDATE officer SET failed_logins = 0, locked_until = NULL WHERE id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)`,
    [officerId],
  );
}

// Sessions and tokens: the officer is read with the credential in one query, and a
// disabled officer's credential reads as none.

export interface NewSession {
  idHash: Buffer;
  officerId: number;
  csrfSecret: string;
  createdAt: Date;
  expiresAt: Date;
}

export async function createSession(pool: Pool | Client, session: NewSession): Promise<void> {
  await pool.query(`INSERT INTO desk_session (id_hash, officer_id, csrf_secret, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`, [
    session.idHash,
    session.officerId,
    session.csrfSecret,
    session.createdAt,
    session.expiresAt,
  ]);
}

export async function officerBySession(pool: Pool, idHash: Buffer, now: Date): Promise<{ officer: Officer; csrfSecret: string } | null> {
  const { rows } = await pool.query({
    name: 'officer-by-session',
    text: `SELECT ${OFFICER_COLUMNS}, desk_session.csrf_secret
             FROM desk_session JOIN officer ON officer.id = desk_session.officer_id
            WHERE desk_session.id_hash = $1 AND desk_session.expires_at > $2 AND officer.disabled_at IS NULL`,
    values: [idHash, now],
  });
  return rows.length ? { officer: toOfficer(rows[0]), csrfSecret: rows[0].csrf_secret } : null;
}

export async function deleteSession(pool: Pool, idHash: Buffer): Promise<void> {
  await pool.query(`DELETE FROM desk_session WHERE id_hash = $1`, [idHash]);
}

/** Sessions past their end are refused anyway; this only keeps the table small. */
export async function deleteExpiredSessions(pool: Pool, now: Date): Promise<number> {
  const { rowCount } = await pool.query(`DELETE FROM desk_session WHERE expires_at <= $1`, [now]);
  return rowCount ?? 0;
}

export interface TokenRecord {
  id: number;
  username: string;
  label: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function createToken(pool: Pool, username: string, tokenHash: Buffer, label: string | null, now: Date): Promise<number> {
  return transaction(pool, async (client) => {
    const { rows } = await client.query(`SELECT id, disabled_at FROM officer WHERE username = $1 FOR SHARE`, [normalUsername(username)]);
    if (!rows.length) throw new PeopleError(`no officer "${username}"`);
    if (rows[0].disabled_at) throw new PeopleError(`officer "${username}" is disabled; a token for them would not be accepted`);
    const created = await client.query(
      `INSERT INTO api_token (officer_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
      [rows[0].id, tokenHash, label, now],
    );
    return created.rows[0].id as number;
  });
}

export async function officerByToken(pool: Pool, tokenHash: Buffer, now: Date): Promise<{ officer: Officer; tokenId: number } | null> {
  const { rows } = await pool.query({
    name: 'officer-by-token',
    // last_used_at is written at most once a minute: a script's every call need not be a write.
    text: `WITH used AS (
             UPDATE api_token SET last_used_at = $2
              WHERE token_hash = $1 AND revoked_at IS NULL AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')
           )
           SELECT ${OFFICER_COLUMNS}, api_token.id AS token_id
             FROM api_token JOIN officer ON officer.id = api_token.officer_id
            WHERE api_token.token_hash = $1 AND api_token.revoked_at IS NULL AND officer.disabled_at IS NULL`,
    values: [tokenHash, now],
  });
  return rows.length ? { officer: toOfficer(rows[0]), tokenId: rows[0].token_id } : null;
}

export async function revokeToken(pool: Pool, id: number, now: Date): Promise<boolean> {
  const { rowCount } = await pool.query(`UPDATE api_token SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, [id, now]);
  return (rowCount ?? 0) > 0;
}

export async function listTokens(pool: Pool, username: string): Promise<TokenRecord[]> {
  const { rows } = await pool.query(
    `SELECT api_token.id, officer.username, api_token.label, api_token.created_at, api_token.last_used_at, api_token.revoked_at
       FROM api_token JOIN officer ON officer.id = api_token.officer_id
      WHERE officer.username = $1 ORDER BY api_token.id`,
    [normalUsername(username)],
  );
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    label: r.label,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  }));
}

/** Units and officers from the settings, for a first start: those already in the register are left as they are. */
export async function seedPeople(pool: Pool, units: NewUnit[], officers: NewOfficer[]): Promise<{ units: string[]; officers: string[] }> {
  return transaction(pool, async (client) => {
    const added = { units: [] as string[], officers: [] as string[] };
    for (const unit of units) {
      if (await findUnit(client, unit.code)) continue;
      await addUnit(client, unit);
      added.units.push(unit.code);
    }
    for (const officer of officers) {
      if (await findOfficer(client, officer.username)) continue;
      await addOfficer(client, officer);
      added.officers.push(normalUsername(officer.username));
    }
    return added;
  });
}
