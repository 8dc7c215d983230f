import { normaliseReference } from './thai';

// A registered letter's life at the desk, as a registry office works it: the states, the
// actions officers take, and one table of the moves each state allows and who may make them.
// Pure: the registry looks a move up here before it writes anything.

/** The desk's states of a letter (สถานะ), in the order a letter usually passes them. */
export const LETTER_STATES = ['registered', 'assigned', 'in_progress', 'waiting', 'done', 'returned', 'annulled'] as const;
export type LetterState = (typeof LETTER_STATES)[number];

/** What officers read for each state. */
export const STATE_NAMES: Record<LetterState, string> = {
  registered: 'ลงรับแล้ว',
  assigned: 'มอบหมาย',
  in_progress: 'ดำเนินการ',
  waiting: 'รอ',
  done: 'เสร็จ',
  returned: 'ส่งคืน',
  annulled: 'ยกเลิก',
};

/** States in which someone still has to act: the queue shows these. */
export const OPEN_STATES: readonly LetterState[] = ['registered', 'assigned', 'in_progress', 'waiting'];

/**
 * Why an assignment was made: to act (เพื่อดำเนินการ: the one assignment that works the letter
 * to done; at most one is open at a time) or to know (เพื่อทราบ: done when its reader
 * acknowledges, รับทราบ). A circular goes to many units to know.
 */
export type Purpose = 'act' | 'know';

/** Whom a letter is assigned to: a unit (กอง/ฝ่าย/งาน) or one officer. */
export type Assignee = { unitId: number } | { officerId: number };

/** What an officer does to a letter; each is one audit event. */
export type Action =
  /** รับเรื่อง: the act assignment becomes the taker's own. */
  | { kind: 'take' }
  /** ส่งต่อ: to act (the act assignment moves) or to know (a reader is added). */
  | { kind: 'forward'; to: Assignee; purpose: Purpose; note: string | null }
  /** เกษียณหนังสือ / สั่งการ: the supervisor's order, free text, with the assignments it makes. */
  | { kind: 'order'; text: string; assign: Array<{ to: Assignee; purpose: Purpose }> }
  /** การปฏิบัติ: what was done, and/or the number of our reply letter. */
  | { kind: 'record'; text: string | null; replyNumber: string | null }
  /** รอ: waiting on something outside the office until a date (YYYY-MM-DD, CE). */
  | { kind: 'wait'; until: string; note: string | null }
  /** ส่งคืน: back to the sender, who is mailed the reason. */
  | { kind: 'return'; reason: string }
  /** ยกเลิก: the registration stands void; its number is never reused. */
  | { kind: 'annul'; reason: string }
  /** เสร็จ */
  | { kind: 'close'; note: string | null }
  | { kind: 'reopen'; reason: string }
  /** รับทราบ: the reader of a to-know assignment has read it. */
  | { kind: 'acknowledge' }
  /**
   * ลงรายละเอียด: a clerk writes in what the reading could not find on a letter flagged
   * to-complete (letter/letter.ts TO_COMPLETE): its reference (ที่), its date (ลงวันที่, YYYY-MM-DD,
   * CE), its title (เรื่อง). A field left null keeps what the register has.
   */
  | { kind: 'complete'; reference: string | null; letterDate: string | null; title: string | null };

export type ActionKind = Action['kind'];
export const ACTION_KINDS: readonly ActionKind[] = [
  'take',
  'forward',
  'order',
  'record',
  'wait',
  'return',
  'annul',
  'close',
  'reopen',
  'acknowledge',
  'complete',
];

/**
 * A row of the table. Actions map onto moves: a forward to know is `inform`, since it moves
 * nothing (the letter stays with whoever acts on it), and an order is `order` followed by a
 * `forward` or `inform` for each assignment it makes.
 */
export type Move = Exclude<ActionKind, 'forward'> | 'forward' | 'inform';

/** What each move is called, for officers (th) and in the API's English. */
export const MOVE_NAMES: Readonly<Record<Move, { th: string; en: string }>> = {
  take: { th: 'รับเรื่อง', en: 'take the letter (รับเรื่อง)' },
  forward: { th: 'ส่งต่อเพื่อดำเนินการ', en: 'forward the letter to act (ส่งต่อเพื่อดำเนินการ)' },
  inform: { th: 'แจ้งเพื่อทราบ', en: 'send a copy to know (แจ้งเพื่อทราบ)' },
  order: { th: 'สั่งการ', en: 'give an order (สั่งการ)' },
  record: { th: 'บันทึกการปฏิบัติ', en: 'record what was done (บันทึกการปฏิบัติ)' },
  wait: { th: 'พักเรื่องรอ', en: 'set the letter waiting (รอ)' },
  return: { th: 'ส่งคืน', en: 'return the letter (ส่งคืน)' },
  annul: { th: 'ยกเลิก', en: 'annul the letter (ยกเลิก)' },
  close: { th: 'ปิดเรื่อง', en: 'close the letter (เสร็จ)' },
  reopen: { th: 'เปิดเรื่องอีกครั้ง', en: 'reopen the letter' },
  acknowledge: { th: 'รับทราบ', en: 'acknowledge the letter (รับทราบ)' },
  complete: { th: 'ลงรายละเอียด', en: 'complete the entry (ลงรายละเอียด)' },
};

/**
 * How an officer stands to a letter:
 * - assignee: holds the act assignment (to them, or to their unit), or held the last one
 *   when none is open (so the one who closed a letter may reopen it);
 * - reader: holds a to-know assignment (to them, or to their unit);
 * - supervisor: a supervisor over a unit the letter was given to act in (now or before), or an admin.
 */
export type Standing = 'assignee' | 'reader' | 'supervisor';

interface Rule {
  /** 'same': the move records something and leaves the state as it is. */
  next: LetterState | 'same';
  who: readonly Standing[];
}

const A: readonly Standing[] = ['assignee', 'supervisor'];
const S: readonly Standing[] = ['supervisor'];
const R: readonly Standing[] = ['reader'];

/** The allowed moves: state × move -> next state and who may make it. Anything not here is refused. */
export const MOVES: Readonly<Record<Move, Partial<Record<LetterState, Rule>>>> = {
  take: {
    registered: { next: 'in_progress', who: A },
    assigned: { next: 'in_progress', who: A },
    // Back to work on it before the date waited for.
    waiting: { next: 'in_progress', who: A },
  },
  forward: {
    registered: { next: 'assigned', who: A },
    assigned: { next: 'assigned', who: A },
    in_progress: { next: 'assigned', who: A },
    waiting: { next: 'assigned', who: A },
  },
  inform: {
    registered: { next: 'same', who: A },
    assigned: { next: 'same', who: A },
    in_progress: { next: 'same', who: A },
    waiting: { next: 'same', who: A },
    // A letter done may still be sent round to be known (a circular filed, then shared).
    done: { next: 'same', who: A },
  },
  order: {
    registered: { next: 'same', who: S },
    assigned: { next: 'same', who: S },
    in_progress: { next: 'same', who: S },
    waiting: { next: 'same', who: S },
  },
  record: {
    in_progress: { next: 'same', who: A },
    waiting: { next: 'same', who: A },
  },
  wait: {
    in_progress: { next: 'waiting', who: A },
    // A new date.
    waiting: { next: 'waiting', who: A },
  },
  return: {
    registered: { next: 'returned', who: A },
    assigned: { next: 'returned', who: A },
    in_progress: { next: 'returned', who: A },
    waiting: { next: 'returned', who: A },
  },
  annul: {
    registered: { next: 'annulled', who: S },
    assigned: { next: 'annulled', who: S },
    in_progress: { next: 'annulled', who: S },
    waiting: { next: 'annulled', who: S },
    done: { next: 'annulled', who: S },
    returned: { next: 'annulled', who: S },
  },
  close: {
    registered: { next: 'done', who: S },
    assigned: { next: 'done', who: A },
    in_progress: { next: 'done', who: A },
    waiting: { next: 'done', who: A },
  },
  reopen: {
    done: { next: 'in_progress', who: A },
    // The sender was told it went back: only a supervisor takes that back.
    returned: { next: 'in_progress', who: S },
  },
  // The register's entry, not the work: whoever acts on the letter, while it lives (a letter
  // closed too: the register must still show its ที่ and ลงวันที่).
  complete: {
    registered: { next: 'same', who: A },
    assigned: { next: 'same', who: A },
    in_progress: { next: 'same', who: A },
    waiting: { next: 'same', who: A },
    done: { next: 'same', who: A },
  },
  acknowledge: {
    registered: { next: 'same', who: R },
    assigned: { next: 'same', who: R },
    in_progress: { next: 'same', who: R },
    waiting: { next: 'same', who: R },
    done: { next: 'same', who: R },
    returned: { next: 'same', who: R },
  },
};

/** The moves an action makes, in order. */
export function movesOf(action: Action): Move[] {
  switch (action.kind) {
    case 'forward':
      return [action.purpose === 'act' ? 'forward' : 'inform'];
    case 'order':
      return ['order', ...action.assign.map((a): Move => (a.purpose === 'act' ? 'forward' : 'inform'))];
    default:
      return [action.kind];
  }
}

/**
 * Whether this officer may take this action on a letter in this state:
 * - `forbidden` (HTTP 403): not theirs to take, in this state or any other;
 * - `conflict` (HTTP 409): theirs in some state, but the letter's state does not allow it now;
 * - `allowed` with the state the letter ends in.
 */
export type Verdict = { kind: 'allowed'; next: LetterState } | { kind: 'forbidden'; move: Move } | { kind: 'conflict'; move: Move };

export function judge(state: LetterState, action: Action, standings: ReadonlySet<Standing>): Verdict {
  let current = state;
  for (const move of movesOf(action)) {
    const rule = MOVES[move][current];
    const mayEver = Object.values(MOVES[move]).some((r) => r.who.some((s) => standings.has(s)));
    if (!mayEver) return { kind: 'forbidden', move };
    if (!rule) return { kind: 'conflict', move };
    if (!rule.who.some((s) => standings.has(s))) return { kind: 'forbidden', move };
    if (rule.next !== 'same') current = rule.next;
  }
  return { kind: 'allowed', next: current };
}

/**
 * The moves an officer of these standings may make on a letter in this state: what the letter's
 * page offers as forms (each move one row of MOVES, as judge() reads it).
 */
export function movesOpen(state: LetterState, standings: ReadonlySet<Standing>): Set<Move> {
  return new Set((Object.keys(MOVES) as Move[]).filter((move) => MOVES[move][state]?.who.some((s) => standings.has(s))));
}

/** What an action's words must hold; a list of what to change, empty when it may go ahead. */
export function problemsWith(action: Action, today: string): string[] {
  const problems: string[] = [];
  const blank = (s: string | null) => s === null || s.trim() === '';
  switch (action.kind) {
    case 'order':
      if (blank(action.text)) problems.push('write the order (คำสั่งการ)');
      if (action.assign.filter((a) => a.purpose === 'act').length > 1)
        problems.push('an order gives the letter to one assignee to act (เพื่อดำเนินการ); send the others a copy to know (เพื่อทราบ)');
      break;
    case 'record':
      if (blank(action.text) && blank(action.replyNumber)) problems.push('write what was done (การปฏิบัติ) or the number of the reply letter');
      break;
    case 'wait':
      if (!isIsoDate(action.until)) problems.push(`give the date to wait until as YYYY-MM-DD, not "${action.until}"`);
      else if (action.until <= today) problems.push(`the date to wait until (${action.until}) must be after today (${today})`);
      break;
    case 'return':
    case 'annul':
    case 'reopen':
      if (blank(action.reason))
        problems.push(
          `give the reason for ${action.kind === 'return' ? 'returning' : action.kind === 'annul' ? 'annulling' : 'reopening'} the letter`,
        );
      break;
    case 'complete':
      if (blank(action.reference) && blank(action.letterDate) && blank(action.title))
        problems.push('write the reference (ที่), the date (ลงวันที่) or the title (เรื่อง) of the letter');
      if (!blank(action.letterDate)) {
        if (!isIsoDate(action.letterDate!)) problems.push(`give the letter's date as YYYY-MM-DD, not "${action.letterDate}"`);
        else if (action.letterDate! > today) problems.push(`the letter's date (${action.letterDate}) cannot be after today (${today})`);
      }
      break;
  }
  return problems;
}

/** The register's fields a complete action writes (ลงรายละเอียด). */
export interface Entry {
  /** ที่, as written. */
  reference: string | null;
  /** For search and duplicate checks (letter/thai.ts normaliseReference). */
  referenceNormalised: string | null;
  /** หนังสือเวียน: a reference with ว before its number. */
  circular: boolean;
  /** ลงวันที่, YYYY-MM-DD, CE. */
  letterDate: string | null;
  title: string | null;
}

/**
 * The entry as a complete action leaves it: each field the clerk wrote replaces the register's,
 * one left blank keeps it. `complete`: the letter now has its ที่ and ลงวันที่, and loses its
 * to-complete flag; otherwise it keeps it until both are written.
 */
export function completedEntry(current: Entry, action: Extract<Action, { kind: 'complete' }>): { entry: Entry; complete: boolean } {
  const written = (v: string | null) => (v === null || v.trim() === '' ? null : v.replace(/\s+/g, ' ').trim());
  // As the reading keeps it: from the unit's code on, without the label ที่.
  const reference = written(action.reference?.replace(/^\s*ที่\s*[:：.]?\s*/, '') ?? null);
  const normalised = reference === null ? null : normaliseReference(reference);
  const entry: Entry = {
    reference: reference ?? current.reference,
    referenceNormalised: normalised ?? current.referenceNormalised,
    circular: normalised === null ? current.circular : /\/ว /.test(normalised),
    letterDate: written(action.letterDate) ?? current.letterDate,
    title: written(action.title) ?? current.title,
  };
  return { entry, complete: entry.reference !== null && entry.letterDate !== null };
}

function isIsoDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/**
 * What an action does to a letter's assignments: which open ones end, and how, and which new
 * ones open. `acts.open` is the assignee of the open act assignment, `acts.last` of the last
 * one whether open or not (what reopen gives the letter back to).
 */
export interface AssignmentChanges {
  /** The open act assignment ends so: taken over, forwarded, done, returned, annulled. */
  endAct: 'taken' | 'forwarded' | 'done' | 'returned' | 'annulled' | null;
  /** Every open to-know assignment ends too (annul only: nobody need read a void letter). */
  endKnow: boolean;
  /** The actor's own open to-know assignment is acknowledged. */
  acknowledge: boolean;
  open: Array<{ to: Assignee; purpose: Purpose }>;
}

export function assignmentChanges(
  action: Action,
  actor: { officerId: number },
  acts: { open: Assignee | null; last: Assignee | null },
): AssignmentChanges {
  const none: AssignmentChanges = { endAct: null, endKnow: false, acknowledge: false, open: [] };
  switch (action.kind) {
    case 'take':
      // Already the taker's own (routed to them, or a letter waited on): nothing changes hands.
      if (acts.open && sameAssignee(acts.open, { officerId: actor.officerId })) return none;
      return { ...none, endAct: acts.open ? 'taken' : null, open: [{ to: { officerId: actor.officerId }, purpose: 'act' }] };
    case 'forward':
      return action.purpose === 'act'
        ? { ...none, endAct: acts.open ? 'forwarded' : null, open: [{ to: action.to, purpose: 'act' }] }
        : { ...none, open: [{ to: action.to, purpose: 'know' }] };
    case 'order': {
      const acting = action.assign.some((a) => a.purpose === 'act');
      return {
        ...none,
        endAct: acting && acts.open ? 'forwarded' : null,
        open: action.assign.map((a) => ({ to: a.to, purpose: a.purpose })),
      };
    }
    case 'close':
      return { ...none, endAct: acts.open ? 'done' : null };
    case 'return':
      return { ...none, endAct: acts.open ? 'returned' : null };
    case 'annul':
      return { ...none, endAct: acts.open ? 'annulled' : null, endKnow: true };
    case 'reopen':
      return { ...none, open: [{ to: acts.last ?? { officerId: actor.officerId }, purpose: 'act' }] };
    case 'acknowledge':
      return { ...none, acknowledge: true };
    default:
      return none;
  }
}

export function sameAssignee(a: Assignee, b: Assignee): boolean {
  return 'unitId' in a ? 'unitId' in b && a.unitId === b.unitId : 'officerId' in b && a.officerId === b.officerId;
}

/** Where a letter waits in the queue: state and, for waiting, the date. */
export function waitUntilAfter(action: Action, next: LetterState, previous: string | null): string | null {
  if (next !== 'waiting') return null;
  return action.kind === 'wait' ? action.until : previous;
}
