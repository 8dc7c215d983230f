import type { UnitNode } from '../letter/access';
import type { LetterToRemind, Remindable, ReminderEntry, ReminderReason } from '../letter/reminders';
import type { LetterState } from '../letter/transitions';
import type { Slot } from '../letter/workday';
import { jsonb, type Pool } from './db';

// Reminders to officers (letter/reminders.ts decides them): what is open and whose it is, who
// can be reminded, and each reminder recorded once per slot and officer before it is sent.

// A deadline (or the end of a wait) is reminded the working day before it: never more than a
// run of closed days ahead, which is far shorter than this.
const LOOK_AHEAD_DAYS = 31;

/**
 * Letters still open that someone holds to act, received by the slot, that a reminder at this
 * slot could name: not yet taken, or with a deadline or the end of a wait within the look-ahead.
 */
export async function lettersToRemind(pool: Pool, slot: Slot): Promise<LetterToRemind[]> {
  const { rows } = await pool.query({
    name: 'letters-to-remind',
    text: `SELECT w.letter_id, w.state, w.received_at, w.deadline, w.wait_until::text AS wait_until, l.urgency, l.restricted,
                  a.unit_id, a.officer_id
             FROM letter_work w
             JOIN letter l ON l.id = w.letter_id
             JOIN assignment a ON a.letter_id = w.letter_id AND a.purpose = 'act' AND a.ended_at IS NULL
            WHERE w.state IN ('registered', 'assigned', 'in_progress', 'waiting')
              AND w.received_at <= $1
              AND (w.state IN ('registered', 'assigned')
                   OR (w.deadline > $1 AND w.deadline <= $1::timestamptz + make_interval(days => $3))
                   OR (w.state = 'waiting' AND w.wait_until > $2::date AND w.wait_until <= $2::date + $3::integer))
            ORDER BY w.received_at, w.letter_id`,
    values: [slot.at, slot.day, LOOK_AHEAD_DAYS],
  });
  return rows.map((r) => ({
    letterId: r.letter_id,
    state: r.state as LetterState,
    urgency: r.urgency,
    receivedAt: r.received_at,
    deadline: r.deadline,
    waitUntil: r.wait_until,
    restricted: r.restricted,
    holder: { unitId: r.unit_id, officerId: r.officer_id },
  }));
}

/** The officers who can be reminded (on duty, not disabled, with an address), and the units' tree. */
export async function remindablePeople(pool: Pool): Promise<{ people: Remindable[]; units: UnitNode[] }> {
  const [officers, units] = await Promise.all([
    pool.query(
      `SELECT id, username, name, role, unit_id, secret_clearance, email FROM officer
        WHERE email IS NOT NULL AND on_duty AND disabled_at IS NULL ORDER BY id`,
    ),
    pool.query('SELECT id, parent_id FROM unit'),
  ]);
  return {
    people: officers.rows.map((r) => ({
      id: r.id,
      username: r.username,
      name: r.name,
      role: r.role,
      unitId: r.unit_id,
      secretClearance: r.secret_clearance,
      email: r.email,
    })),
    units: units.rows.map((r) => ({ id: r.id, parentId: r.parent_id })),
  };
}

/** The officers already reminded at this slot: a slot looked at again (the catch-up) passes them by. */
export async function remindedAt(pool: Pool, slot: Slot): Promise<Set<number>> {
  const { rows } = await pool.query('SELECT officer_id FROM reminder WHERE slot = $1', [slot.key]);
  return new Set(rows.map((r) => r.officer_id as number));
}

export interface NewReminder {
  slot: Slot;
  officerId: number;
  recipient: string;
  letters: Array<{ letterId: number; reasons: ReminderReason[] }>;
  messageId: string;
  at: Date;
}

/**
 * Records a reminder before it is sent. The officer's reminder of this slot was recorded already
 * (another worker, or an earlier run over the same slot): null, and nothing is to be sent.
 */
export async function recordReminder(pool: Pool, reminder: NewReminder): Promise<number | null> {
  const { rows } = await pool.query(
    `INSERT INTO reminder (slot, slot_at, officer_id, recipient, letters, message_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (slot, officer_id) DO NOTHING RETURNING id`,
    [reminder.slot.key, reminder.slot.at, reminder.officerId, reminder.recipient, jsonb(reminder.letters), reminder.messageId, reminder.at],
  );
  return rows[0]?.id ?? null;
}

export interface ReminderToSend {
  id: number;
  slot: string;
  status: 'pending' | 'sent' | 'failed';
  recipient: string;
  messageId: string;
  officerName: string;
  /** Each letter as the e-mail lists it (letter/reminders.ts ReminderEntry), its book by code, and why. */
  letters: Array<Omit<ReminderEntry, 'bookName'> & { book: string; reasons: ReminderReason[] }>;
}

/** A reminder with what the e-mail says of each letter it lists, in the order recorded. */
export async function findReminderToSend(pool: Pool, id: number): Promise<ReminderToSend | null> {
  const found = await pool.query(
    `SELECT r.id, r.slot, r.status, r.recipient, r.message_id, r.letters, o.name AS officer_name
       FROM reminder r JOIN officer o ON o.id = r.officer_id WHERE r.id = $1`,
    [id],
  );
  const r = found.rows[0];
  if (!r) return null;
  const listed = r.letters as Array<{ letterId: number; reasons: ReminderReason[] }>;
  const { rows } = await pool.query(
    `SELECT l.id, l.book, l.number, l.year, l.title, l.subject, l.registered_at, l.urgency, l.urgency_deadline, l.restricted,
            w.wait_until::text AS wait_until
       FROM letter l JOIN letter_work w ON w.letter_id = l.id WHERE l.id = ANY($1::bigint[])`,
    [listed.map((l) => l.letterId)],
  );
  const byId = new Map(rows.map((l) => [Number(l.id), l]));
  return {
    id: r.id,
    slot: r.slot,
    status: r.status,
    recipient: r.recipient,
    messageId: r.message_id,
    officerName: r.officer_name,
    letters: listed.flatMap(({ letterId, reasons }) => {
      const l = byId.get(letterId);
      if (!l) return [];
      return [
        {
          letterId,
          reasons,
          book: l.book,
          number: l.number,
          year: l.year,
          title: l.title,
          subject: l.subject,
          registeredAt: l.registered_at,
          urgency: l.urgency,
          urgencyDeadline: l.urgency_deadline,
          waitUntil: l.wait_until,
          restricted: l.restricted,
        },
      ];
    }),
  };
}

export async function markReminderSent(pool: Pool, id: number, at: Date, attempts: number): Promise<void> {
  await pool.query(`UPDATE reminder SET status = 'sent', sent_at = $2, attempts = $3, last_error = NULL WHERE id = $1`, [id, at, attempts]);
}

/** A failed send: counted, with its error; marked failed when no attempt is left. */
export async function recordReminderFailure(pool: Pool, id: number, attempt: number, error: string, final: boolean): Promise<void> {
  await pool.query(
    `UPDATE reminder SET attempts = $2, last_error = $3, status = CASE WHEN $4 THEN 'failed' ELSE status END
      WHERE id = $1 AND status = 'pending'`,
    [id, attempt, error, final],
  );
}

/** Reminders recorded but not sent, oldest first: each must have a live mail job (worker/reconciler.ts). */
export async function listPendingReminders(pool: Pool, limit: number): Promise<number[]> {
  const { rows } = await pool.query(`SELECT id FROM reminder WHERE status = 'pending' ORDER BY id LIMIT $1`, [limit]);
  return rows.map((r) => Number(r.id));
}
