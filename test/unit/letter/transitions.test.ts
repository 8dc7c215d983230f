import {
  assignmentChanges,
  completedEntry,
  judge,
  LETTER_STATES,
  MOVES,
  movesOf,
  movesOpen,
  problemsWith,
  type Action,
  type LetterState,
  type Standing,
} from '../../../letter/transitions';

const as = (...standings: Standing[]) => new Set(standings);
const assignee = as('assignee');
const supervisor = as('supervisor');
const reader = as('reader');

const take: Action = { kind: 'take' };
const forwardToUnit: Action = { kind: 'forward', to: { unitId: 7 }, purpose: 'act', note: 'โปรดดำเนินการ' };
const copyToUnit: Action = { kind: 'forward', to: { unitId: 8 }, purpose: 'know', note: null };
const annul: Action = { kind: 'annul', reason: 'ลงรับผิดเล่ม' };
const close: Action = { kind: 'close', note: null };
const acknowledge: Action = { kind: 'acknowledge' };
const complete: Action = { kind: 'complete', reference: 'ศธ 04002/ว 123', letterDate: '2027-01-05', title: null };

/** Applies actions in turn, as the registry would, and returns each state reached. */
function walk(start: LetterState, steps: Array<[Action, Set<Standing>]>): LetterState[] {
  const reached: LetterState[] = [];
  let state = start;
  for (const [action, standings] of steps) {
    const verdict = judge(state, action, standings);
    if (verdict.kind !== 'allowed') throw new Error(`${action.kind} from ${state}: ${verdict.kind}`);
    state = verdict.next;
    reached.push(state);
  }
  return reached;
}

describe('the moves a letter makes at the desk', () => {
  it('goes from registered through assigned, in progress and waiting to done as an office works it', () => {
    expect(
      walk('registered', [
        [forwardToUnit, supervisor],
        [take, assignee],
        [{ kind: 'wait', until: '2026-12-01', note: 'รอเอกสารจากจังหวัด' }, assignee],
        [{ kind: 'record', text: 'ได้รับเอกสารแล้ว', replyNumber: null }, assignee],
        [take, assignee],
        [{ kind: 'record', text: null, replyNumber: 'ศธ 0201/123' }, assignee],
        [close, assignee],
      ]),
    ).toEqual(['assigned', 'in_progress', 'waiting', 'waiting', 'in_progress', 'in_progress', 'done']);
  });

  it('never lets an officer without a supervisor standing annul, in any state', () => {
    for (const state of LETTER_STATES) {
      expect(judge(state, annul, as('assignee', 'reader'))).toEqual({ kind: 'forbidden', move: 'annul' });
    }
  });

  it('lets a supervisor annul a letter in every state but annulled, and an annulled letter moves no more', () => {
    for (const state of LETTER_STATES.filter((s) => s !== 'annulled')) {
      expect(judge(state, annul, supervisor)).toEqual({ kind: 'allowed', next: 'annulled' });
    }
    const everyone = as('assignee', 'reader', 'supervisor');
    for (const move of Object.keys(MOVES) as Array<keyof typeof MOVES>) expect(MOVES[move].annulled).toBeUndefined();
    expect(judge('annulled', { kind: 'reopen', reason: 'ผิดพลาด' }, everyone)).toEqual({ kind: 'conflict', move: 'reopen' });
  });

  it('answers conflict, not forbidden, when the action is theirs but the state does not allow it', () => {
    expect(judge('done', close, assignee)).toEqual({ kind: 'conflict', move: 'close' });
    expect(judge('registered', { kind: 'wait', until: '2026-12-01', note: null }, assignee)).toEqual({ kind: 'conflict', move: 'wait' });
  });

  it('answers forbidden when the state allows the action but not to them', () => {
    // Closing an unrouted letter (filing it) is a supervisor's call.
    expect(judge('registered', close, assignee)).toEqual({ kind: 'forbidden', move: 'close' });
    expect(judge('returned', { kind: 'reopen', reason: 'ผู้ส่งส่งเอกสารครบแล้ว' }, assignee)).toEqual({ kind: 'forbidden', move: 'reopen' });
    expect(judge('returned', { kind: 'reopen', reason: 'ผู้ส่งส่งเอกสารครบแล้ว' }, supervisor)).toEqual({
      kind: 'allowed',
      next: 'in_progress',
    });
  });

  it('lets a reader of a to-know assignment acknowledge it and do nothing else', () => {
    expect(judge('in_progress', acknowledge, reader)).toEqual({ kind: 'allowed', next: 'in_progress' });
    expect(judge('done', acknowledge, reader)).toEqual({ kind: 'allowed', next: 'done' });
    for (const action of [take, forwardToUnit, close, annul]) expect(judge('assigned', action, reader).kind).toBe('forbidden');
    expect(judge('assigned', acknowledge, assignee).kind).toBe('forbidden');
  });

  it('sends a copy to know without moving the letter from whoever acts on it', () => {
    expect(movesOf(copyToUnit)).toEqual(['inform']);
    expect(judge('in_progress', copyToUnit, assignee)).toEqual({ kind: 'allowed', next: 'in_progress' });
    expect(judge('in_progress', forwardToUnit, assignee)).toEqual({ kind: 'allowed', next: 'assigned' });
  });

  it("takes a supervisor's order with its assignments as one order and a move per assignment", () => {
    const order: Action = {
      kind: 'order',
      text: 'มอบ กองคลัง ดำเนินการ แจ้ง กองแผน ทราบ',
      assign: [
        { to: { unitId: 7 }, purpose: 'act' },
        { to: { unitId: 8 }, purpose: 'know' },
      ],
    };
    expect(movesOf(order)).toEqual(['order', 'forward', 'inform']);
    expect(judge('registered', order, supervisor)).toEqual({ kind: 'allowed', next: 'assigned' });
    expect(judge('registered', order, assignee)).toEqual({ kind: 'forbidden', move: 'order' });
    expect(judge('in_progress', { kind: 'order', text: 'เร่งรัดด้วย', assign: [] }, supervisor)).toEqual({
      kind: 'allowed',
      next: 'in_progress',
    });
  });

  it('reopens a done letter for the one who closed it, not a returned one', () => {
    expect(judge('done', { kind: 'reopen', reason: 'ต้องแก้ไขหนังสือตอบ' }, assignee)).toEqual({ kind: 'allowed', next: 'in_progress' });
  });
});

describe('completing an entry the reading left to a clerk (ลงรายละเอียด)', () => {
  it('is for whoever acts on the letter and supervisors, while it lives, and leaves its state as it is', () => {
    for (const state of ['registered', 'assigned', 'in_progress', 'waiting', 'done'] as const) {
      expect(judge(state, complete, assignee)).toEqual({ kind: 'allowed', next: state });
      expect(judge(state, complete, supervisor)).toEqual({ kind: 'allowed', next: state });
    }
    expect(judge('returned', complete, assignee)).toEqual({ kind: 'conflict', move: 'complete' });
    expect(judge('annulled', complete, supervisor)).toEqual({ kind: 'conflict', move: 'complete' });
    expect(judge('assigned', complete, reader)).toEqual({ kind: 'forbidden', move: 'complete' });
  });

  it('wants at least one field, and a real date no later than today', () => {
    const today = '2027-01-10';
    const blank: Action = { kind: 'complete', reference: ' ', letterDate: null, title: '' };
    expect(problemsWith(blank, today)).toEqual(['write the reference (ที่), the date (ลงวันที่) or the title (เรื่อง) of the letter']);
    expect(problemsWith(complete, today)).toEqual([]);
    expect(problemsWith({ kind: 'complete', reference: null, letterDate: '2027-01-11', title: null }, today)).toEqual([
      "the letter's date (2027-01-11) cannot be after today (2027-01-10)",
    ]);
    expect(problemsWith({ kind: 'complete', reference: null, letterDate: '2027-02-30', title: null }, today)).toEqual([
      'give the letter\'s date as YYYY-MM-DD, not "2027-02-30"',
    ]);
  });

  it('writes what the clerk gave over the register, keeps the rest, and is complete with both ที่ and ลงวันที่', () => {
    const current = { reference: null, referenceNormalised: null, circular: false, letterDate: null, title: 'หัวข้ออีเมล' };
    expect(completedEntry(current, { kind: 'complete', reference: ' ที่ ศธ ๐๔๐๐๒/ว ๑๒๓ ', letterDate: null, title: null })).toEqual({
      entry: {
        reference: 'ศธ ๐๔๐๐๒/ว ๑๒๓',
        referenceNormalised: 'ศธ 04002/ว 123',
        circular: true,
        letterDate: null,
        title: 'หัวข้ออีเมล',
      },
      complete: false,
    });
    const withDate = { ...current, reference: 'ศธ 04002/123', referenceNormalised: 'ศธ 04002/123' };
    expect(completedEntry(withDate, { kind: 'complete', reference: null, letterDate: '2027-01-05', title: 'ขอเชิญประชุม' })).toEqual({
      entry: { ...withDate, letterDate: '2027-01-05', title: 'ขอเชิญประชุม' },
      complete: true,
    });
  });
});

describe("the moves a letter's page offers", () => {
  it('offers an assignee of a letter in progress its work, and a supervisor the order and annulment besides', () => {
    expect([...movesOpen('in_progress', assignee)].sort()).toEqual(['close', 'complete', 'forward', 'inform', 'record', 'return', 'wait']);
    expect([...movesOpen('in_progress', as('assignee', 'supervisor'))].sort()).toEqual([
      'annul',
      'close',
      'complete',
      'forward',
      'inform',
      'order',
      'record',
      'return',
      'wait',
    ]);
  });

  it('offers a reader only the acknowledgement, and nothing at all on an annulled letter', () => {
    expect([...movesOpen('assigned', reader)]).toEqual(['acknowledge']);
    expect(movesOpen('annulled', as('assignee', 'reader', 'supervisor')).size).toBe(0);
    expect(movesOpen('assigned', as()).size).toBe(0);
  });

  it('offers exactly the moves judge() allows, in every state and standing', () => {
    const samples: Record<string, Action> = {
      take,
      forward: forwardToUnit,
      inform: copyToUnit,
      order: { kind: 'order', text: 'ดำเนินการ', assign: [] },
      record: { kind: 'record', text: 'ตอบแล้ว', replyNumber: null },
      wait: { kind: 'wait', until: '2026-12-01', note: null },
      return: { kind: 'return', reason: 'ผิดหน่วย' },
      annul,
      close,
      reopen: { kind: 'reopen', reason: 'แก้ไข' },
      acknowledge,
      complete,
    };
    for (const state of LETTER_STATES) {
      for (const standings of [assignee, reader, supervisor, as('assignee', 'reader')]) {
        const open = movesOpen(state, standings);
        for (const [move, action] of Object.entries(samples)) {
          expect([state, move, open.has(move as keyof typeof MOVES)]).toEqual([
            state,
            move,
            judge(state, action, standings).kind === 'allowed',
          ]);
        }
      }
    }
  });
});

describe('what an action must say', () => {
  const today = '2026-11-20';

  it('wants a date after today to wait until, written as YYYY-MM-DD', () => {
    expect(problemsWith({ kind: 'wait', until: '2026-11-21', note: null }, today)).toEqual([]);
    expect(problemsWith({ kind: 'wait', until: '2026-11-20', note: null }, today)).toEqual([
      'the date to wait until (2026-11-20) must be after today (2026-11-20)',
    ]);
    expect(problemsWith({ kind: 'wait', until: '2026-02-30', note: null }, today)).toEqual([
      'give the date to wait until as YYYY-MM-DD, not "2026-02-30"',
    ]);
    expect(problemsWith({ kind: 'wait', until: '20 ธ.ค. 2569', note: null }, today)).toHaveLength(1);
  });

  it('wants what was done or the number of the reply letter, at least one', () => {
    expect(problemsWith({ kind: 'record', text: ' ', replyNumber: null }, today)).toEqual([
      'write what was done (การปฏิบัติ) or the number of the reply letter',
    ]);
    expect(problemsWith({ kind: 'record', text: null, replyNumber: 'ศธ 0201/77' }, today)).toEqual([]);
  });

  it('wants a reason to return, annul or reopen', () => {
    expect(problemsWith({ kind: 'return', reason: '' }, today)).toEqual(['give the reason for returning the letter']);
    expect(problemsWith({ kind: 'annul', reason: '  ' }, today)).toEqual(['give the reason for annulling the letter']);
    expect(problemsWith({ kind: 'reopen', reason: '' }, today)).toEqual(['give the reason for reopening the letter']);
  });

  it('wants an order written, and at most one unit or officer to act on it', () => {
    expect(problemsWith({ kind: 'order', text: '', assign: [] }, today)).toEqual(['write the order (คำสั่งการ)']);
    const two = problemsWith(
      {
        kind: 'order',
        text: 'มอบ กองคลัง และ กองแผน ดำเนินการ',
        assign: [
          { to: { unitId: 7 }, purpose: 'act' },
          { to: { unitId: 8 }, purpose: 'act' },
        ],
      },
      today,
    );
    expect(two).toHaveLength(1);
    expect(two[0]).toMatch(/one assignee to act/);
  });
});

describe("what an action does to a letter's assignments", () => {
  const actor = { officerId: 5 };

  it('makes the act assignment the taker’s own, and changes nothing when it already is', () => {
    expect(assignmentChanges(take, actor, { open: { unitId: 7 }, last: { unitId: 7 } })).toEqual({
      endAct: 'taken',
      endKnow: false,
      acknowledge: false,
      open: [{ to: { officerId: 5 }, purpose: 'act' }],
    });
    expect(assignmentChanges(take, actor, { open: { officerId: 5 }, last: { officerId: 5 } }).open).toEqual([]);
    expect(assignmentChanges(take, actor, { open: { officerId: 5 }, last: { officerId: 5 } }).endAct).toBeNull();
  });

  it('moves the act assignment on a forward to act, and only adds a reader on a forward to know', () => {
    expect(assignmentChanges(forwardToUnit, actor, { open: { officerId: 5 }, last: { officerId: 5 } })).toMatchObject({
      endAct: 'forwarded',
      open: [{ to: { unitId: 7 }, purpose: 'act' }],
    });
    expect(assignmentChanges(copyToUnit, actor, { open: { officerId: 5 }, last: { officerId: 5 } })).toMatchObject({
      endAct: null,
      open: [{ to: { unitId: 8 }, purpose: 'know' }],
    });
  });

  it('gives a reopened letter back to whoever held it last, and ends every reader’s assignment on annulment', () => {
    expect(assignmentChanges({ kind: 'reopen', reason: 'แก้ไข' }, { officerId: 9 }, { open: null, last: { officerId: 5 } }).open).toEqual([
      { to: { officerId: 5 }, purpose: 'act' },
    ]);
    expect(assignmentChanges(annul, actor, { open: { unitId: 7 }, last: { unitId: 7 } })).toMatchObject({
      endAct: 'annulled',
      endKnow: true,
    });
    expect(assignmentChanges(close, actor, { open: { unitId: 7 }, last: { unitId: 7 } })).toMatchObject({ endAct: 'done', endKnow: false });
    expect(assignmentChanges(acknowledge, actor, { open: null, last: null })).toMatchObject({ acknowledge: true, open: [] });
  });
});
