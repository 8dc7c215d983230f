import { z } from 'zod';
import type { Officer, Role } from '../letter/access';
import { appendAudit } from './audit';
import { transaction, type Client, type Pool } from './db';

/**
 * Who made a change to the desk's people and when: each change writes its audit event in the
 * same transaction. actor: 'operator:<login>' at the command line, 'settings' for what the
 * settings seed, 'officer:<username>' at the desk, 'desk' for what the desk does by itself.
 */
export interface Change {
  actor: string;
  at: Date;
}

function audit(client: Client, change: Change, action: string, detail: object): Promise<number> {
  return appendAudit(client, { at: change.at, actor: change.actor, action, inboundId: null, letterId: null, detail });
}

/** A unit of the office (กอง / ฝ่าย / งาน), placed under its parent. */
export interface Unit {
  id: number;
  code: string;
  name: string;
  parentId: number | null;
}

/** Why the register refused a change to its people, for an edge to say in its own words. */
export type PeopleRefusal =
  | 'no-parent-unit'
  | 'unit-exists'
  | 'unusable-unit-code'
  | 'unusable-username'
  | 'no-unit'
  | 'officer-exists'
  | 'no-officer'
  | 'officer-disabled'
  | 'no-token'
  | 'bad-email';

/** A refusal the operator can act on: the message says what to change (in English, for the CLI). */
export class PeopleError extends Error {
  override name = 'PeopleError';
  constructor(
    readonly reason: PeopleRefusal,
    message: string,
  ) {
    super(message);
  }
}

export interface NewUnit {
  code: string;
  name: string;
  parentCode?: string;
}

export function addUnit(pool: Pool, unit: NewUnit, change: Change): Promise<Unit> {
  return transaction(pool, (client) => addUnitIn(client, unit, change));
}

/** What the unit table's CHECK allows as a code: said before the insert, in words the caller can act on. */
const UNIT_CODE = /^[A-Za-z0-9_.-]{1,32}$/;

async function addUnitIn(pool: Client, unit: NewUnit, change: Change): Promise<Unit> {
  if (!UNIT_CODE.test(unit.code)) {
    throw new PeopleError(
      'unusable-unit-code',
      `unit code "${unit.code}" is not usable; use 1 to 32 letters A-Z or a-z, digits, ".", "_" or "-"`,
    );
  }
  const parent = unit.parentCode === undefined ? null : await findUnit(pool, unit.parentCode);
  if (unit.parentCode !== undefined && !parent)
    throw new PeopleError('no-parent-unit', `no unit "${unit.parentCode}" to put "${unit.code}" under; add the parent first`);
  const { rows } = await pool.query(
    `INSERT INTO unit (code, name, parent_id) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING RETURNING id, code, name, parent_id`,
    [unit.code, unit.name, parent?.id ?? null],
  );
  if (!rows.length) throw new PeopleError('unit-exists', `there is already a unit "${unit.code}"`);
  await audit(pool, change, 'unit.added', { code: unit.code, name: unit.name, parent: unit.parentCode ?? null });
  return toUnit(rows[0]);
}

/** Every unit, by code; the tree is drawn from parentId. */
export async function listUnits(pool: Pool | Client): Promise<Unit[]> {
  const { rows } = await pool.query(`SELECT id, code, name, parent_id FROM unit ORDER BY code`);
  return rows.map(toUnit);
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
  /** Where their reminders go (worker/reminders.ts); none: they get none. */
  email?: string;
  secretClearance?: boolean;
  /** Named to check the central mailbox: published on /contact and in the central-address report. */
  checksMailbox?: boolean;
  /** An scrypt hash (desk/auth/password.ts); none: the officer signs in with tokens only. */
  passwordHash?: string;
}

/** Usernames are kept in lower case, so "Somchai" and "somchai" are one officer. */
export const normalUsername = (username: string) => username.trim().toLowerCase();

export function addOfficer(pool: Pool, officer: NewOfficer, change: Change): Promise<Officer> {
  return transaction(pool, (client) => addOfficerIn(client, officer, change));
}

async function addOfficerIn(pool: Client, officer: NewOfficer, change: Change): Promise<Officer> {
  const username = normalUsername(officer.username);
  if (!/^[a-z0-9_.-]{1,64}$/.test(username)) {
    throw new PeopleError(
      'unusable-username',
      `username "${officer.username}" is not usable; use 1 to 64 letters a-z, digits, ".", "_" or "-"`,
    );
  }
  const unit = officer.unitCode === undefined ? null : await findUnit(pool, officer.unitCode);
  if (officer.unitCode !== undefined && !unit)
    throw new PeopleError('no-unit', `no unit "${officer.unitCode}"; add it with saraban unit add first`);
  const email = officer.email === undefined ? null : emailAddress(officer.email);
  const { rows } = await pool.query(
    `INSERT INTO officer (username, name, position, phone, role, unit_id, secret_clearance, checks_mailbox, password_hash, email)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
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
      officer.checksMailbox ?? false,
      officer.passwordHash ?? null,
      email,
    ],
  );
  if (!rows.length) throw new PeopleError('officer-exists', `there is already an officer "${username}"`);
  await audit(pool, change, 'officer.added', {
    username,
    role: officer.role,
    unit: officer.unitCode ?? null,
    secretClearance: officer.secretClearance ?? false,
    ...(officer.checksMailbox ? { checksMailbox: true } : {}),
    ...(email === null ? {} : { email }),
  });
  return toOfficer(rows[0]);
}

/** An address reminders can be sent to, kept in lower case; a PeopleError says what is wrong. */
function emailAddress(given: string): string {
  const address = given.trim().toLowerCase();
  if (!z.email().safeParse(address).success) throw new PeopleError('bad-email', `"${given}" is not an e-mail address (write name@domain)`);
  return address;
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
  email: string | null;
  unitCode: string | null;
  unitName: string | null;
  onDuty: boolean;
  checksMailbox: boolean;
  disabledAt: Date | null;
  /** Signing in is refused until then (too many wrong passwords); a past time: no longer locked. */
  lockedUntil: Date | null;
}

const RECORD_QUERY = `SELECT ${OFFICER_COLUMNS}, officer.position, officer.phone, officer.email, unit.code AS unit_code, unit.name AS unit_name,
                             officer.on_duty, officer.checks_mailbox, officer.disabled_at, officer.locked_until
                        FROM officer LEFT JOIN unit ON unit.id = officer.unit_id`;

function toRecord(r: Record<string, unknown>): OfficerRecord {
  return {
    ...toOfficer(r),
    position: (r.position as string | null) ?? null,
    phone: (r.phone as string | null) ?? null,
    email: (r.email as string | null) ?? null,
    unitCode: (r.unit_code as string | null) ?? null,
    unitName: (r.unit_name as string | null) ?? null,
    onDuty: r.on_duty as boolean,
    checksMailbox: r.checks_mailbox as boolean,
    disabledAt: (r.disabled_at as Date | null) ?? null,
    lockedUntil: (r.locked_until as Date | null) ?? null,
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

/** An officer as the desk names them to other officers: to send a letter to, or to say who acted. */
export interface Colleague {
  id: number;
  username: string;
  name: string;
  unitId: number | null;
  onDuty: boolean;
  /** false: disabled; still named in the history of what they did. */
  active: boolean;
}

/**
 * The office as the desk shows it: every unit (the tree, by code) and every officer by name.
 * Few rows (tens of units, hundreds of officers): read whole for a letter's page.
 */
export async function listDirectory(pool: Pool): Promise<{ units: Unit[]; officers: Colleague[] }> {
  const [units, officers] = await Promise.all([
    pool.query('SELECT id, code, name, parent_id FROM unit ORDER BY code'),
    pool.query('SELECT id, username, name, unit_id, on_duty, disabled_at IS NULL AS active FROM officer ORDER BY name, id'),
  ]);
  return {
    units: units.rows.map(toUnit),
    officers: officers.rows.map((r) => ({
      id: r.id,
      username: r.username,
      name: r.name,
      unitId: r.unit_id,
      onDuty: r.on_duty,
      active: r.active,
    })),
  };
}

async function officerId(client: Pool | Client, username: string): Promise<number> {
  const { rows } = await client.query(`SELECT id FROM officer WHERE username = $1`, [normalUsername(username)]);
  if (!rows.length) throw new PeopleError('no-officer', `no officer "${username}"`);
  return rows[0].id;
}

/**
 * Sets an officer on leave (ลา) or back on duty: routing gives letters in turn only to officers
 * on duty; what they already hold stays theirs.
 */
export function setOnDuty(pool: Pool, username: string, onDuty: boolean, change: Change): Promise<void> {
  return setSwitch(pool, username, 'on_duty', onDuty, onDuty ? 'officer.on-duty' : 'officer.on-leave', change);
}

/**
 * Names an officer as one who checks the central mailbox, or no longer: the circular มท
 * ๐๒๐๑.๒/ว ๕๙๕๑ asks the agency to publish and report who they are.
 */
export function setChecksMailbox(pool: Pool, username: string, checks: boolean, change: Change): Promise<void> {
  return setSwitch(pool, username, 'checks_mailbox', checks, checks ? 'officer.mailbox-assigned' : 'officer.mailbox-unassigned', change);
}

async function setSwitch(
  pool: Pool,
  username: string,
  column: 'on_duty' | 'checks_mailbox' | 'secret_clearance',
  value: boolean,
  action: string,
  change: Change,
): Promise<void> {
  await transaction(pool, async (client) => {
    const id = await officerId(client, username);
    await client.query(`UPDATE officer SET ${column} = $2 WHERE id = $1`, [id, value]);
    await audit(client, change, action, { username: normalUsername(username) });
  });
}

/** Names an officer for secret mail (ลับ, ลับมาก), or withdraws it: their next request sees the register accordingly. */
export function setSecretClearance(pool: Pool, username: string, cleared: boolean, change: Change): Promise<void> {
  return setSwitch(pool, username, 'secret_clearance', cleared, cleared ? 'officer.clearance-granted' : 'officer.clearance-withdrawn', change);
}

/**
 * Gives an officer another role or unit (null: none). What they already hold stays theirs;
 * what they may see and do follows the new role and unit from their next request.
 */
export async function setRoleAndUnit(
  pool: Pool,
  username: string,
  to: { role: Role; unitCode: string | null },
  change: Change,
): Promise<void> {
  await transaction(pool, async (client) => {
    const before = await findOfficer(client, username);
    if (!before) throw new PeopleError('no-officer', `no officer "${username}"`);
    const unit = to.unitCode === null ? null : await findUnit(client, to.unitCode);
    if (to.unitCode !== null && !unit) throw new PeopleError('no-unit', `no unit "${to.unitCode}"; add it with saraban unit add first`);
    await client.query('UPDATE officer SET role = $2, unit_id = $3 WHERE id = $1', [before.id, to.role, unit?.id ?? null]);
    await audit(client, change, 'officer.changed', {
      username: before.username,
      role: to.role,
      unit: to.unitCode,
      was: { role: before.role, unit: before.unitCode },
    });
  });
}

/** Sets (or, with null, removes) the address an officer's reminders go to. */
export async function setEmail(pool: Pool, username: string, email: string | null, change: Change): Promise<void> {
  const address = email === null ? null : emailAddress(email);
  await transaction(pool, async (client) => {
    const id = await officerId(client, username);
    await client.query('UPDATE officer SET email = $2 WHERE id = $1', [id, address]);
    await audit(client, change, 'officer.email-set', { username: normalUsername(username), email: address });
  });
}

/**
 * Disables an officer: from this commit on, none of their sessions or tokens is accepted
 * (the sessions are deleted, the tokens revoked, and every request checks disabled_at too).
 */
export async function disableOfficer(pool: Pool, username: string, change: Change): Promise<void> {
  await transaction(pool, async (client) => {
    const id = await officerId(client, username);
    await client.query(`UPDATE officer SET disabled_at = coalesce(disabled_at, $2) WHERE id = $1`, [id, change.at]);
    const sessions = await client.query(`DELETE FROM desk_session WHERE officer_id = $1`, [id]);
    const tokens = await client.query(`UPDATE api_token SET revoked_at = $2 WHERE officer_id = $1 AND revoked_at IS NULL`, [id, change.at]);
    await audit(client, change, 'officer.disabled', {
      username: normalUsername(username),
      sessionsEnded: sessions.rowCount ?? 0,
      tokensRevoked: tokens.rowCount ?? 0,
    });
  });
}

/**
 * Sets a new password hash, lifts a lockout and ends the officer's sessions (whoever knew the
 * old password is signed out). API tokens are separate credentials and stay.
 */
export async function setPassword(pool: Pool, username: string, passwordHash: string, change: Change): Promise<void> {
  await transaction(pool, async (client) => {
    const id = await officerId(client, username);
    await client.query(`UPDATE officer SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE id = $1`, [id, passwordHash]);
    const sessions = await client.query(`DELETE FROM desk_session WHERE officer_id = $1`, [id]);
    await audit(client, change, 'officer.password-set', { username: normalUsername(username), sessionsEnded: sessions.rowCount ?? 0 });
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
 * lockUntil, which the audit trail records. Returns the time the lock ends, if this failure
 * locked them.
 */
export async function recordLoginFailure(
  pool: Pool,
  officer: Officer,
  limits: { maxFailures: number; lockUntil: Date; address: string },
  change: Change,
): Promise<Date | null> {
  return transaction(pool, async (client) => {
    const { rows } = await client.query(
      `UPDATE officer
          SET failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
              locked_until  = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END
        WHERE id = $1
        RETURNING failed_logins = 0 AS locked`,
      [officer.id, limits.maxFailures, limits.lockUntil],
    );
    if (!rows[0]?.locked) return null;
    await audit(client, change, 'officer.locked', {
      username: officer.username,
      until: limits.lockUntil.toISOString(),
      failures: limits.maxFailures,
      address: limits.address,
    });
    return limits.lockUntil;
  });
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

/**
 * A sign-in: the failure count cleared, the session the browser came with (if any) and the
 * officer's expired ones deleted, the new one written, and the sign-in on the audit trail.
 */
export async function openSession(
  pool: Pool,
  session: NewSession,
  previousIdHash: Buffer | null,
  change: Change & { address: string },
): Promise<void> {
  await transaction(pool, async (client) => {
    await client.query(
      `UPDATE officer SET failed_logins = 0, locked_until = NULL WHERE id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)`,
      [session.officerId],
    );
    await client.query(`DELETE FROM desk_session WHERE id_hash = $1 OR (officer_id = $2 AND expires_at <= $3)`, [
      previousIdHash ?? Buffer.alloc(0),
      session.officerId,
      session.createdAt,
    ]);
    await client.query(`INSERT INTO desk_session (id_hash, officer_id, csrf_secret, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`, [
      session.idHash,
      session.officerId,
      session.csrfSecret,
      session.createdAt,
      session.expiresAt,
    ]);
    await audit(client, change, 'officer.signed-in', { address: change.address });
  });
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

export interface TokenRecord {
  id: number;
  username: string;
  /** The officer's name, as the desk shows whose token it is. */
  name: string;
  label: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function createToken(pool: Pool, username: string, tokenHash: Buffer, label: string | null, change: Change): Promise<number> {
  return transaction(pool, async (client) => {
    const { rows } = await client.query(`SELECT id, disabled_at FROM officer WHERE username = $1 FOR SHARE`, [normalUsername(username)]);
    if (!rows.length) throw new PeopleError('no-officer', `no officer "${username}"`);
    if (rows[0].disabled_at)
      throw new PeopleError('officer-disabled', `officer "${username}" is disabled; a token for them would not be accepted`);
    const created = await client.query(
      `INSERT INTO api_token (officer_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
      [rows[0].id, tokenHash, label, change.at],
    );
    const id = created.rows[0].id as number;
    await audit(client, change, 'token.created', { username: normalUsername(username), token: id, label });
    return id;
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

export async function revokeToken(pool: Pool, id: number, change: Change): Promise<boolean> {
  return transaction(pool, async (client) => {
    const { rows } = await client.query(
      `UPDATE api_token SET revoked_at = $2 FROM officer
        WHERE api_token.id = $1 AND api_token.revoked_at IS NULL AND officer.id = api_token.officer_id
        RETURNING officer.username`,
      [id, change.at],
    );
    if (!rows.length) return false;
    await audit(client, change, 'token.revoked', { username: rows[0].username, token: id });
    return true;
  });
}

/** The tokens of one officer, or (no username) of everyone; revoked ones too. */
export async function listTokens(pool: Pool, username?: string): Promise<TokenRecord[]> {
  const { rows } = await pool.query(
    `SELECT api_token.id, officer.username, officer.name, api_token.label, api_token.created_at, api_token.last_used_at, api_token.revoked_at
       FROM api_token JOIN officer ON officer.id = api_token.officer_id
      WHERE $1::text IS NULL OR officer.username = $1 ORDER BY api_token.id`,
    [username === undefined ? null : normalUsername(username)],
  );
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    name: r.name,
    label: r.label,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  }));
}

/** Units and officers from the settings, for a first start: those already in the register are left as they are. */
export async function seedPeople(
  pool: Pool,
  units: NewUnit[],
  officers: NewOfficer[],
  change: Change,
): Promise<{ units: string[]; officers: string[] }> {
  return transaction(pool, async (client) => {
    const added = { units: [] as string[], officers: [] as string[] };
    for (const unit of units) {
      if (await findUnit(client, unit.code)) continue;
      await addUnitIn(client, unit, change);
      added.units.push(unit.code);
    }
    for (const officer of officers) {
      if (await findOfficer(client, officer.username)) continue;
      await addOfficerIn(client, officer, change);
      added.officers.push(normalUsername(officer.username));
    }
    return added;
  });
}
