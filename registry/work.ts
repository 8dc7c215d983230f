import { randomUUID } from 'node:crypto';
import { scopeOf, standingsOf, type AssignmentSeen, type Officer, type UnitNode } from '../letter/access';
import { bangkokDate } from '../letter/calendar';
import type { RoutingSettings } from '../config/load';
import { deadlineOf, nextInTurn, routeLetter, type RouteTarget } from '../letter/routing';
import { TO_COMPLETE } from '../letter/letter';
import {
  assignmentChanges,
  completedEntry,
  judge,
  MOVE_NAMES,
  problemsWith,
  STATE_NAMES,
  waitUntilAfter,
  type Action,
  type Assignee,
  type Entry,
  type LetterState,
  type Move,
} from '../letter/transitions';
import { appendAudit } from './audit';
import { jsonb, transaction, type Client, type Pool } from './db';
import type { Clock } from './letters';
import { planReply, type ReplyLimits } from './replies';
import { SqlParams, visibleTo } from './visibility';

// The desk's work on registered letters: routing a new letter to whoever must act on it, and
// the actions officers take, each checked against letter/transitions.ts and written with its
// audit event in one transaction.

export type RouteResult =
  /** Assigned to act: to an officer (round robin, or named by the rule) or to a unit as a whole. */
  | { kind: 'routed'; rule: string | null; unitId: number | null; officerId: number | null; problem: string | null }
  /** Routed before (a job run again): nothing written. */
  | { kind: 'routed-before' }
  /** Neither the rule's target nor the central unit exists: the letter stays registered, for an admin. */
  | { kind: 'unroutable'; problem: string }
  /** The office has no units: it does not use the desk (the gateway alone); the letter stays registered. */
  | { kind: 'no-desk' };

/**
 * Routes a newly registered letter, in its own transaction: the first routing rule it meets (or
 * the central unit) gives one assignment to act, to an officer in turn among a unit's officers
 * on duty, else to the unit as a whole; the rule is recorded with it. Safe to run again: a
 * letter already routed (or acted on) is left as it is. A rule naming a unit or officer that
 * does not exist (or an officer disabled) sends the letter to the central unit instead, and
 * says so in the result.
 */
export async function routeNewLetter(pool: Pool, letterId: number, routing: RoutingSettings, clock: Clock): Promise<RouteResult> {
  return transaction(pool, async (client) => {
    const { rows } = await client.query(
      `SELECT w.state, l.inbound_id, l.book, l.from_address, l.agency, l.title, l.subject, l.urgency, l.urgency_deadline
         FROM letter_work w JOIN letter l ON l.id = w.letter_id WHERE w.letter_id = $1 FOR UPDATE OF w`,
      [letterId],
    );
    const letter = rows[0];
    if (!letter) throw new Error(`letter ${letterId} is not in the register`);
    const routedBefore = await client.query('SELECT 1 FROM assignment WHERE letter_id = $1 LIMIT 1', [letterId]);
    if (letter.state !== 'registered' || routedBefore.rowCount) return { kind: 'routed-before' };
    if (!(await client.query('SELECT 1 FROM unit LIMIT 1')).rowCount) return { kind: 'no-desk' };

    const route = routeLetter(
      routing.rules,
      {
        book: letter.book,
        fromAddress: letter.from_address,
        agency: letter.agency,
        title: letter.title,
        subject: letter.subject,
        urgency: letter.urgency,
      },
      routing.centralUnit,
    );
    let target = await findTarget(client, route.to);
    let problem: string | null = null;
    if (!target) {
      problem = `routing rule "${route.rule ?? '(central unit)'}" names ${named(route.to)}, which is not at the desk`;
      target = route.rule !== null ? await findTarget(client, { unit: routing.centralUnit }) : null;
      if (!target) {
        return {
          kind: 'unroutable',
          problem:
            `${problem}; nor is the central unit ${routing.centralUnit}: add it (saraban unit add ${routing.centralUnit}) ` +
            'or set routing.centralUnit to an existing unit code',
        };
      }
    }
    const now = clock();
    const assignee = target.officerId !== null ? target : await inTurn(client, target.unitId!, now);
    await client.query(
      `INSERT INTO assignment (letter_id, unit_id, officer_id, purpose, source, rule, created_at) VALUES ($1, $2, $3, 'act', 'routing', $4, $5)`,
      [letterId, assignee.unitId, assignee.officerId, route.rule, now],
    );
    await client.query(`UPDATE letter_work SET state = 'assigned', deadline = $2, updated_at = $3 WHERE letter_id = $1`, [
      letterId,
      deadlineOf(letter.urgency_deadline),
      now,
    ]);
    await appendAudit(client, {
      at: now,
      actor: 'system',
      action: 'letter.routed',
      inboundId: letter.inbound_id,
      letterId,
      detail: { rule: route.rule, unitId: assignee.unitId, officerId: assignee.officerId, ...(problem ? { problem } : {}) },
    });
    return { kind: 'routed', rule: route.rule, unitId: assignee.unitId, officerId: assignee.officerId, problem };
  });
}

/**
 * Letters registered since the desk began (migration 9) that routing has not reached: a letters
 * job that stopped between registering and routing (it is not run again for a decided message).
 * Letters older than `graceMs` only, so a job about to route its letter is left to do so. Each
 * is routed as routeNewLetter() would; returns what became of them.
 */
export async function routeUnroutedLetters(
  pool: Pool,
  routing: RoutingSettings,
  clock: Clock,
  graceMs = 60_000,
  limit = 1_000,
): Promise<{ routed: number; unroutable: string[] }> {
  if (!(await pool.query('SELECT 1 FROM unit LIMIT 1')).rowCount) return { routed: 0, unroutable: [] };
  const { rows } = await pool.query(
    `SELECT w.letter_id FROM letter_work w
      WHERE w.state = 'registered' AND w.received_at < $1
        AND w.received_at >= (SELECT applied_at FROM schema_migration WHERE version = 9)
        AND NOT EXISTS (SELECT 1 FROM assignment a WHERE a.letter_id = w.letter_id)
      ORDER BY w.received_at LIMIT $2`,
    [new Date(clock().getTime() - graceMs), limit],
  );
  let routed = 0;
  const unroutable = new Set<string>();
  for (const { letter_id } of rows) {
    const result = await routeNewLetter(pool, letter_id, routing, clock);
    if (result.kind === 'routed') routed++;
    if (result.kind === 'unroutable') unroutable.add(result.problem);
  }
  return { routed, unroutable: [...unroutable] };
}

const named = (to: RouteTarget) => ('unit' in to ? `unit ${to.unit}` : `officer ${to.officer}`);

interface Target {
  unitId: number | null;
  officerId: number | null;
}

async function findTarget(client: Client, to: RouteTarget): Promise<Target | null> {
  if ('unit' in to) {
    const { rows } = await client.query('SELECT id FROM unit WHERE code = $1', [to.unit]);
    return rows[0] ? { unitId: rows[0].id, officerId: null } : null;
  }
  const { rows } = await client.query('SELECT id, unit_id FROM officer WHERE username = $1 AND disabled_at IS NULL', [to.officer]);
  return rows[0] ? { unitId: rows[0].unit_id, officerId: rows[0].id } : null;
}

/**
 * The unit's next officer on duty (role officer, not disabled, not on leave) in turn; the unit
 * as a whole when nobody is. The unit's turn row stays locked until COMMIT, so letters routed
 * at the same moment go to different officers.
 */
async function inTurn(client: Client, unitId: number, now: Date): Promise<Target> {
  const { rows } = await client.query(
    `INSERT INTO unit_turn AS t (unit_id, updated_at) VALUES ($1, $2)
     ON CONFLICT (unit_id) DO UPDATE SET updated_at = t.updated_at RETURNING last_officer_id`,
    [unitId, now],
  );
  const onDuty = await client.query(`SELECT id FROM officer WHERE unit_id = $1 AND role = 'officer' AND on_duty AND disabled_at IS NULL`, [
    unitId,
  ]);
  const chosen = nextInTurn(
    onDuty.rows.map((r) => r.id as number),
    rows[0].last_officer_id,
  );
  if (chosen === null) return { unitId, officerId: null };
  await client.query('UPDATE unit_turn SET last_officer_id = $2, updated_at = $3 WHERE unit_id = $1', [unitId, chosen, now]);
  return { unitId, officerId: chosen };
}

// ---- Actions ----

/** How an officer is named as the actor of an audit event. */
export const officerActor = (username: string) => `officer:${username}`;

export interface WorkDeps {
  pool: Pool;
  clock: Clock;
  /** For the notice a returned letter mails its sender: the reply caps, and our host for its Message-ID. */
  replies: { limits: ReplyLimits; host: string };
}

export type ActionResult =
  | {
      kind: 'done';
      state: LetterState;
      auditId: number;
      /** A notice to the sender to queue (a returned letter). */
      replyId: number | null;
    }
  /** Not a letter this officer may see (HTTP 404: whether it exists is not theirs to know either). */
  | { kind: 'not-found' }
  /** The action is not theirs to take (HTTP 403). */
  | { kind: 'forbidden'; move: Move; message: string }
  /** Theirs, but not in the letter's state (HTTP 409). */
  | { kind: 'conflict'; move: Move; state: LetterState; message: string }
  /** What the action says will not do (HTTP 400): what to change. */
  | { kind: 'invalid'; problems: string[] };

/**
 * One action of an officer on a letter, in one transaction: the letter's work row locked (found
 * only if the officer may see the letter), the move checked against the table, the assignments
 * and state changed, the audit event written; for a return, the notice to the sender planned
 * (queue its replyId after this returns).
 */
export async function performAction(deps: WorkDeps, officer: Officer, letterId: number, action: Action): Promise<ActionResult> {
  return transaction(deps.pool, async (client) => {
    const params = new SqlParams();
    const id = params.add(letterId);
    const { rows } = await client.query(
      `SELECT w.state, to_char(w.wait_until, 'YYYY-MM-DD') AS wait_until, l.inbound_id, l.restricted, l.suspect, l.urgency_deadline, i.mail_from,
              l.flags, l.reference, l.reference_normalised, l.circular, to_char(l.letter_date, 'YYYY-MM-DD') AS letter_date, l.title
         FROM letter_work w JOIN letter l ON l.id = w.letter_id JOIN inbound i ON i.id = l.inbound_id
        WHERE w.letter_id = ${id} AND ${visibleTo(scopeOf(officer), 'l', params)}
          FOR UPDATE OF w`,
      params.values,
    );
    const letter = rows[0];
    if (!letter) return { kind: 'not-found' };
    const state = letter.state as LetterState;
    const now = deps.clock();

    const problems = problemsWith(action, bangkokDate(now));
    if (problems.length) return { kind: 'invalid', problems };

    const assignments = (
      await client.query(
        `SELECT id, unit_id, officer_id, purpose, ended_at IS NULL AS open FROM assignment WHERE letter_id = $1 ORDER BY id`,
        [letterId],
      )
    ).rows.map(
      (r) =>
        ({ id: r.id as number, unitId: r.unit_id, officerId: r.officer_id, purpose: r.purpose, open: r.open }) as AssignmentSeen & {
          id: number;
        },
    );
    const units = (await client.query('SELECT id, parent_id FROM unit')).rows.map((r): UnitNode => ({ id: r.id, parentId: r.parent_id }));
    const standings = standingsOf(officer, { restricted: letter.restricted, assignments }, units);
    const verdict = judge(state, action, standings);
    if (verdict.kind === 'forbidden')
      return { kind: 'forbidden', move: verdict.move, message: `you may not ${MOVE_NAMES[verdict.move].en} on this letter` };
    if (verdict.kind === 'conflict') {
      return {
        kind: 'conflict',
        move: verdict.move,
        state,
        message: `cannot ${MOVE_NAMES[verdict.move].en}: the letter is ${state} (${STATE_NAMES[state]})`,
      };
    }

    // Only a letter whose ที่ or ลงวันที่ could not be read is completed: the register's entry
    // as read is not rewritten at the desk.
    if (action.kind === 'complete' && !(letter.flags as string[]).includes(TO_COMPLETE)) {
      return {
        kind: 'conflict',
        move: 'complete',
        state,
        message: 'nothing to complete: the reference (ที่) and date (ลงวันที่) of this letter were read, or written in already',
      };
    }

    const targets = await resolveAssignees(client, action);
    if ('problems' in targets) return { kind: 'invalid', problems: targets.problems };

    let acknowledged: number | null = null;
    if (action.kind === 'acknowledge') {
      // Their own copy first, then their unit's.
      const mine = assignments
        .filter(
          (a) => a.purpose === 'know' && a.open && (a.officerId === officer.id || (a.officerId === null && a.unitId === officer.unitId)),
        )
        .sort((a, b) => Number(b.officerId === officer.id) - Number(a.officerId === officer.id));
      if (!mine.length) {
        return {
          kind: 'conflict',
          move: 'acknowledge',
          state,
          message: 'nothing to acknowledge: your copy of this letter is acknowledged already',
        };
      }
      acknowledged = mine[0].id;
    }

    const acts = assignments.filter((a) => a.purpose === 'act');
    const openAct = acts.find((a) => a.open) ?? null;
    const lastAct = openAct ?? acts.at(-1) ?? null;
    const changes = assignmentChanges(
      action,
      { officerId: officer.id },
      { open: openAct && assigneeOf(openAct), last: lastAct && assigneeOf(lastAct) },
    );
    const ended = { at: now, by: officer.id };
    if (changes.endAct) {
      await client.query(
        `UPDATE assignment SET ended_at = $2, ended_how = $3, ended_by = $4 WHERE letter_id = $1 AND purpose = 'act' AND ended_at IS NULL`,
        [letterId, ended.at, changes.endAct, ended.by],
      );
    }
    if (changes.endKnow) {
      await client.query(
        `UPDATE assignment SET ended_at = $2, ended_how = 'annulled', ended_by = $3 WHERE letter_id = $1 AND purpose = 'know' AND ended_at IS NULL`,
        [letterId, ended.at, ended.by],
      );
    }
    if (acknowledged !== null) {
      await client.query(`UPDATE assignment SET ended_at = $2, ended_how = 'acknowledged', ended_by = $3 WHERE id = $1`, [
        acknowledged,
        ended.at,
        ended.by,
      ]);
    }
    // The assignments an order makes carry the order's words.
    const note = action.kind === 'order' ? action.text : 'note' in action ? action.note : null;
    const opened: number[] = [];
    for (const a of changes.open) {
      const to = targets.get(a.to) ?? (await unitOfOfficer(client, a.to));
      const { rows: made } = await client.query(
        `INSERT INTO assignment (letter_id, unit_id, officer_id, purpose, source, assigned_by, note, created_at)
         VALUES ($1, $2, $3, $4, 'officer', $5, $6, $7) RETURNING id`,
        [letterId, to.unitId, to.officerId, a.purpose, officer.id, note, now],
      );
      opened.push(made[0].id);
    }

    const completed = action.kind === 'complete' ? await completeEntry(client, letterId, letter, action) : null;

    const next = verdict.next;
    // The deadline is set by routing; a letter routing could not place gets it from the first hand it passes through.
    await client.query(
      'UPDATE letter_work SET state = $2, wait_until = $3, updated_at = $4, deadline = coalesce(deadline, $5) WHERE letter_id = $1',
      [letterId, next, waitUntilAfter(action, next, letter.wait_until), now, deadlineOf(letter.urgency_deadline)],
    );
    const auditId = await appendAudit(client, {
      at: now,
      actor: officerActor(officer.username),
      action: `letter.${action.kind}`,
      inboundId: letter.inbound_id,
      letterId,
      detail: {
        from: state,
        to: next,
        request: action,
        officerId: officer.id,
        assignments: opened,
        ...(acknowledged ? { acknowledged } : {}),
        ...(completed ?? {}),
      },
    });

    // Last before COMMIT: plan_reply holds the reply caps' rows until then.
    const replyId = action.kind === 'return' ? await planReturnedNotice(client, deps, letter, letterId, action.reason, now) : null;
    return { kind: 'done', state: next, auditId, replyId };
  });
}

/**
 * Writes a complete action's fields into the letter (letter/transitions.ts completedEntry), the
 * to-complete flag taken off once ที่ and ลงวันที่ are both there. Returns what the audit event
 * keeps of it: the entry before, and whether the letter is complete now.
 */
async function completeEntry(
  client: Client,
  letterId: number,
  letter: {
    reference: string | null;
    reference_normalised: string | null;
    circular: boolean;
    letter_date: string | null;
    title: string | null;
  },
  action: Extract<Action, { kind: 'complete' }>,
): Promise<{ before: Omit<Entry, 'referenceNormalised' | 'circular'>; complete: boolean }> {
  const before = { reference: letter.reference, letterDate: letter.letter_date, title: letter.title };
  const { entry, complete } = completedEntry(
    { ...before, referenceNormalised: letter.reference_normalised, circular: letter.circular },
    action,
  );
  // A title the clerk wrote is no longer one guessed from the subject.
  const titleWritten = action.title !== null && action.title.trim() !== '';
  await client.query(
    `UPDATE letter SET reference = $2, reference_normalised = $3, circular = $4, letter_date = $5, title = $6,
            title_guessed = title_guessed AND NOT $7, flags = CASE WHEN $8 THEN flags - $9::text ELSE flags END
      WHERE id = $1`,
    [
      letterId,
      entry.reference,
      entry.referenceNormalised,
      entry.circular,
      entry.letterDate,
      entry.title,
      titleWritten,
      complete,
      TO_COMPLETE,
    ],
  );
  return { before, complete };
}

const assigneeOf = (a: { unitId: number | null; officerId: number | null }): Assignee =>
  a.officerId !== null ? { officerId: a.officerId } : { unitId: a.unitId! };

/** The units and officers an action names, as assignment rows take them; problems for any not at the desk. */
async function resolveAssignees(
  client: Client,
  action: Action,
): Promise<{ get(to: Assignee): Target | undefined } | { problems: string[] }> {
  const named = action.kind === 'forward' ? [action.to] : action.kind === 'order' ? action.assign.map((a) => a.to) : [];
  const unitIds = named.flatMap((t) => ('unitId' in t ? [t.unitId] : []));
  const officerIds = named.flatMap((t) => ('officerId' in t ? [t.officerId] : []));
  const units = new Set((await client.query('SELECT id FROM unit WHERE id = ANY($1)', [unitIds])).rows.map((r) => r.id as number));
  const officers = new Map(
    (await client.query('SELECT id, unit_id FROM officer WHERE id = ANY($1) AND disabled_at IS NULL', [officerIds])).rows.map((r) => [
      r.id as number,
      r.unit_id as number | null,
    ]),
  );
  const problems = [
    ...unitIds.filter((u) => !units.has(u)).map((u) => `there is no unit ${u}: choose one from the list of units`),
    ...officerIds.filter((o) => !officers.has(o)).map((o) => `there is no officer ${o} at the desk (or their account is disabled)`),
  ];
  if (problems.length) return { problems };
  return {
    get: (to) =>
      'unitId' in to
        ? { unitId: to.unitId, officerId: null }
        : officers.has(to.officerId)
          ? { unitId: officers.get(to.officerId)!, officerId: to.officerId }
          : undefined,
  };
}

/** For assignments an action makes without naming them (take, reopen): the officer and their unit now. */
async function unitOfOfficer(client: Client, to: Assignee): Promise<Target> {
  if ('unitId' in to) return { unitId: to.unitId, officerId: null };
  const { rows } = await client.query('SELECT unit_id FROM officer WHERE id = $1', [to.officerId]);
  return { unitId: rows[0]?.unit_id ?? null, officerId: to.officerId };
}

/**
 * The notice a returned letter mails its sender, with the officer's reason: never to a sender
 * shown forged (the letter is suspect: no backscatter), nor to the null sender or one too long
 * to be an address. The mail job writes it from the reply row and its detail.
 */
async function planReturnedNotice(
  client: Client,
  deps: WorkDeps,
  letter: { inbound_id: string; suspect: boolean; mail_from: string | null },
  letterId: number,
  reason: string,
  now: Date,
): Promise<number | null> {
  if (letter.suspect || !letter.mail_from || Buffer.byteLength(letter.mail_from) > 254) return null;
  const messageId = `<returned.${randomUUID()}@${deps.replies.host}>`;
  const replyId = await planReply(
    client,
    letter.inbound_id,
    letterId,
    { kind: 'notice', reason: 'returned', recipient: letter.mail_from, messageId },
    deps.replies.limits,
    now,
  );
  await client.query('UPDATE reply SET detail = $2 WHERE message_id = $1', [messageId, jsonb({ returnedBecause: reason })]);
  return replyId;
}
