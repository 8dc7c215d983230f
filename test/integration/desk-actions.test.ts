import { maySee, type AssignmentSeen, type Officer, type UnitNode } from '../../letter/access';
import { TO_COMPLETE } from '../../letter/letter';
import type { Action } from '../../letter/transitions';
import { findLetterFor } from '../../registry/queue';
import { registerTotals } from '../../registry/stats';
import { performAction, type WorkDeps } from '../../registry/work';
import { addOfficer, addUnit, registerTestLetter, useDeskDatabase } from '../support/letters';
import { replyRules } from '../support/services';

// Officers' actions on letters against a real PostgreSQL: each move of the state table, who
// may make it, and what it leaves in the assignments, the work row and the audit trail.
describe("an officer's action on a letter", () => {
  const env = useDeskDatabase();
  let now = new Date('2026-11-20T03:00:00Z');
  let deps: WorkDeps;
  const unit: Record<string, number> = {};
  const o: Record<string, Officer> = {};

  beforeAll(async () => {
    const pool = env.db.pool;
    deps = { pool, clock: () => now, replies: { limits: replyRules(), host: 'example.go.th' } };
    unit.DIV = await addUnit(pool, 'DIV', 'กองคลัง');
    unit.FIN = await addUnit(pool, 'FIN', 'ฝ่ายการเงิน', 'DIV');
    unit.PLAN = await addUnit(pool, 'PLAN', 'กองแผน');
    o.fin1 = await addOfficer(pool, { username: 'fin1', unit: 'FIN' });
    o.fin2 = await addOfficer(pool, { username: 'fin2', unit: 'FIN' });
    o.finSecret = await addOfficer(pool, { username: 'finsecret', unit: 'FIN', secretClearance: true });
    o.plan1 = await addOfficer(pool, { username: 'plan1', unit: 'PLAN' });
    o.divHead = await addOfficer(pool, { username: 'divhead', unit: 'DIV', role: 'supervisor' });
    o.planHead = await addOfficer(pool, { username: 'planhead', unit: 'PLAN', role: 'supervisor' });
    // The admin who hands letters out in these tests is named for secret mail; the other is not.
    o.admin = await addOfficer(pool, { username: 'admin', role: 'admin', secretClearance: true });
    o.operator = await addOfficer(pool, { username: 'operator', role: 'admin' });
  });

  const act = (officer: Officer, letterId: number, action: Action) => performAction(deps, officer, letterId, action);
  const forward = (unitId: number): Action => ({ kind: 'forward', to: { unitId }, purpose: 'act', note: null });

  /** A registered letter given by the admin to a unit as a whole, to act. */
  async function letterFor(unitCode: string, details: Parameters<typeof registerTestLetter>[1] = {}) {
    const letter = await registerTestLetter(env.db.pool, details);
    expect(await act(o.admin, letter.id, forward(unit[unitCode]))).toMatchObject({ kind: 'done', state: 'assigned' });
    return letter.id;
  }

  const work = async (letterId: number) =>
    (
      await env.db.pool.query(`SELECT state, to_char(wait_until, 'YYYY-MM-DD') AS wait_until FROM letter_work WHERE letter_id = $1`, [
        letterId,
      ])
    ).rows[0];
  const assignments = async (letterId: number) =>
    (
      await env.db.pool.query(
        'SELECT unit_id, officer_id, purpose, source, assigned_by, note, ended_how, ended_by FROM assignment WHERE letter_id = $1 ORDER BY id',
        [letterId],
      )
    ).rows;
  const events = async (letterId: number) =>
    (
      await env.db.pool.query(
        `SELECT actor, action, detail FROM audit_event WHERE letter_id = $1 AND action <> 'letter.registered' ORDER BY id`,
        [letterId],
      )
    ).rows;

  it("makes a letter given to a unit the taker's own, in progress, with one audit event in their name", async () => {
    const id = await letterFor('FIN');
    expect(await act(o.fin1, id, { kind: 'take' })).toMatchObject({ kind: 'done', state: 'in_progress', replyId: null });
    expect(await assignments(id)).toMatchObject([
      { unit_id: unit.FIN, officer_id: null, ended_how: 'taken', ended_by: o.fin1.id },
      { unit_id: unit.FIN, officer_id: o.fin1.id, purpose: 'act', source: 'officer', assigned_by: o.fin1.id, ended_how: null },
    ]);
    const trail = await events(id);
    expect(trail.map((e) => [e.actor, e.action])).toEqual([
      ['officer:admin', 'letter.forward'],
      ['officer:fin1', 'letter.take'],
    ]);
    expect(trail[1].detail).toMatchObject({ from: 'assigned', to: 'in_progress', request: { kind: 'take' }, officerId: o.fin1.id });
  });

  it('lets a colleague of the unit see a letter the unit was given, but not take it from the officer who took it', async () => {
    const id = await letterFor('FIN');
    await act(o.fin1, id, { kind: 'take' });
    expect(await findLetterFor(env.db.pool, o.fin2, id)).not.toBeNull();
    expect(await act(o.fin2, id, { kind: 'take' })).toEqual({
      kind: 'forbidden',
      move: 'take',
      message: 'you may not take the letter (รับเรื่อง) on this letter',
    });
  });

  it('moves a letter forwarded to act to the other unit, and leaves the one who forwarded it seeing it without a say', async () => {
    const id = await letterFor('FIN');
    await act(o.fin1, id, { kind: 'take' });
    expect(await act(o.fin1, id, { kind: 'forward', to: { unitId: unit.PLAN }, purpose: 'act', note: 'เป็นงานของกองแผน' })).toMatchObject({
      kind: 'done',
      state: 'assigned',
    });
    expect((await assignments(id)).slice(-2)).toMatchObject([
      { officer_id: o.fin1.id, ended_how: 'forwarded' },
      { unit_id: unit.PLAN, officer_id: null, purpose: 'act', note: 'เป็นงานของกองแผน', ended_how: null },
    ]);
    expect(await act(o.plan1, id, { kind: 'take' })).toMatchObject({ kind: 'done', state: 'in_progress' });
    expect(await findLetterFor(env.db.pool, o.fin1, id)).not.toBeNull();
    expect(await act(o.fin1, id, { kind: 'close', note: null })).toMatchObject({ kind: 'forbidden' });
  });

  it('sends a copy to know that its reader acknowledges once, without taking the letter from whoever acts on it', async () => {
    const id = await letterFor('FIN');
    await act(o.fin1, id, { kind: 'take' });
    expect(await act(o.fin1, id, { kind: 'forward', to: { officerId: o.plan1.id }, purpose: 'know', note: 'เพื่อทราบ' })).toMatchObject({
      state: 'in_progress',
    });
    expect(await act(o.plan1, id, { kind: 'close', note: null })).toMatchObject({ kind: 'forbidden' });
    expect(await act(o.plan1, id, { kind: 'acknowledge' })).toMatchObject({ kind: 'done', state: 'in_progress' });
    expect((await assignments(id)).at(-1)).toMatchObject({
      officer_id: o.plan1.id,
      unit_id: unit.PLAN,
      purpose: 'know',
      ended_how: 'acknowledged',
    });
    expect(await act(o.plan1, id, { kind: 'acknowledge' })).toEqual({
      kind: 'conflict',
      move: 'acknowledge',
      state: 'in_progress',
      message: 'nothing to acknowledge: your copy of this letter is acknowledged already',
    });
  });

  it("takes a supervisor's order with the assignments it makes, and refuses an order from an officer", async () => {
    const id = await letterFor('FIN');
    const order: Action = {
      kind: 'order',
      text: 'มอบ ฝ่ายการเงิน ดำเนินการ แจ้ง กองแผน ทราบ',
      assign: [
        { to: { officerId: o.fin2.id }, purpose: 'act' },
        { to: { unitId: unit.PLAN }, purpose: 'know' },
      ],
    };
    expect(await act(o.fin1, id, order)).toMatchObject({ kind: 'forbidden', message: 'you may not give an order (สั่งการ) on this letter' });
    expect(await act(o.divHead, id, order)).toMatchObject({ kind: 'done', state: 'assigned' });
    expect((await assignments(id)).slice(-3)).toMatchObject([
      { unit_id: unit.FIN, officer_id: null, ended_how: 'forwarded', ended_by: o.divHead.id },
      { unit_id: unit.FIN, officer_id: o.fin2.id, purpose: 'act', assigned_by: o.divHead.id, note: order.text },
      { unit_id: unit.PLAN, officer_id: null, purpose: 'know', note: order.text },
    ]);
    const [, ordered] = await events(id);
    expect(ordered).toMatchObject({ actor: 'officer:divhead', action: 'letter.order', detail: { request: { text: order.text } } });
    // The head of the unit told to know reads it for the unit, and does not direct it.
    expect(await findLetterFor(env.db.pool, o.planHead, id)).not.toBeNull();
    expect(await act(o.planHead, id, { kind: 'annul', reason: 'ไม่เกี่ยวข้อง' })).toMatchObject({ kind: 'forbidden' });
    expect(await act(o.planHead, id, { kind: 'acknowledge' })).toMatchObject({ kind: 'done', state: 'assigned' });
  });

  it('works a letter through waiting and done, and gives it back to its officer on reopening', async () => {
    const id = await letterFor('FIN');
    await act(o.fin1, id, { kind: 'take' });
    expect(await act(o.fin1, id, { kind: 'record', text: 'โทรประสานจังหวัดแล้ว', replyNumber: null })).toMatchObject({ state: 'in_progress' });
    expect(await act(o.fin1, id, { kind: 'wait', until: '2026-11-20', note: null })).toEqual({
      kind: 'invalid',
      problems: ['the date to wait until (2026-11-20) must be after today (2026-11-20)'],
    });
    expect(await act(o.fin1, id, { kind: 'wait', until: '2026-12-01', note: 'รอเอกสารจากจังหวัด' })).toMatchObject({ state: 'waiting' });
    expect(await work(id)).toEqual({ state: 'waiting', wait_until: '2026-12-01' });
    expect(await act(o.fin1, id, { kind: 'take' })).toMatchObject({ state: 'in_progress' });
    expect(await work(id)).toEqual({ state: 'in_progress', wait_until: null });
    expect(await act(o.fin1, id, { kind: 'record', text: null, replyNumber: 'ศธ 0206/77' })).toMatchObject({ state: 'in_progress' });
    expect(await act(o.fin1, id, { kind: 'close', note: 'ตอบแล้ว' })).toMatchObject({ state: 'done' });
    expect((await assignments(id)).at(-1)).toMatchObject({ officer_id: o.fin1.id, ended_how: 'done' });
    expect(await act(o.fin1, id, { kind: 'close', note: null })).toEqual({
      kind: 'conflict',
      move: 'close',
      state: 'done',
      message: 'cannot close the letter (เสร็จ): the letter is done (เสร็จ)',
    });
    expect(await act(o.fin1, id, { kind: 'reopen', reason: 'ต้องแก้หนังสือตอบ' })).toMatchObject({ state: 'in_progress' });
    expect((await assignments(id)).at(-1)).toMatchObject({ officer_id: o.fin1.id, purpose: 'act', ended_how: null });
    expect((await events(id)).map((e) => e.action)).toEqual([
      'letter.forward',
      'letter.take',
      'letter.record',
      'letter.wait',
      'letter.take',
      'letter.record',
      'letter.close',
      'letter.reopen',
    ]);
  });

  it('plans a notice to the sender of a returned letter with the reason, and none to a sender shown forged', async () => {
    const id = await letterFor('FIN');
    const result = await act(o.fin1, id, { kind: 'return', reason: 'ไม่ใช่หนังสือของหน่วยงานนี้ โปรดส่งถึงกรมบัญชีกลาง' });
    expect(result).toMatchObject({ kind: 'done', state: 'returned' });
    const replyId = result.kind === 'done' ? result.replyId : null;
    expect(replyId).not.toBeNull();
    const { rows } = await env.db.pool.query(
      'SELECT letter_id, kind, reason, status, recipient, message_id, detail FROM reply WHERE id = $1',
      [replyId],
    );
    expect(rows[0]).toMatchObject({
      letter_id: id,
      kind: 'notice',
      reason: 'returned',
      status: 'pending',
      recipient: 'saraban@moe.go.th',
      detail: { returnedBecause: 'ไม่ใช่หนังสือของหน่วยงานนี้ โปรดส่งถึงกรมบัญชีกลาง' },
    });
    expect(rows[0].message_id).toMatch(/^<returned\.[0-9a-f-]+@example\.go\.th>$/);

    const forged = await letterFor('FIN', { suspect: true });
    expect(await act(o.fin1, forged, { kind: 'return', reason: 'ผู้ส่งปลอม' })).toMatchObject({
      kind: 'done',
      state: 'returned',
      replyId: null,
    });
  });

  it('lets no officer annul a letter, even their own, and a supervisor annul it with every assignment ended', async () => {
    const id = await letterFor('FIN');
    await act(o.fin1, id, { kind: 'forward', to: { unitId: unit.PLAN }, purpose: 'know', note: null });
    expect(await act(o.fin1, id, { kind: 'annul', reason: 'ลงรับซ้ำ' })).toEqual({
      kind: 'forbidden',
      move: 'annul',
      message: 'you may not annul the letter (ยกเลิก) on this letter',
    });
    expect(await act(o.divHead, id, { kind: 'annul', reason: '' })).toEqual({
      kind: 'invalid',
      problems: ['give the reason for annulling the letter'],
    });
    expect(await act(o.divHead, id, { kind: 'annul', reason: 'ลงรับซ้ำกับเลขรับ 12' })).toMatchObject({ kind: 'done', state: 'annulled' });
    expect((await assignments(id)).map((a) => a.ended_how)).toEqual(['annulled', 'annulled']);
    expect(await act(o.fin1, id, { kind: 'take' })).toMatchObject({ kind: 'conflict' });
    // The number stays in the register.
    expect((await env.db.pool.query('SELECT count(*)::int AS n FROM letter WHERE id = $1', [id])).rows[0].n).toBe(1);
  });

  it('answers not found, whatever the action, for a letter the officer may not see', async () => {
    const id = await letterFor('PLAN');
    for (const action of [{ kind: 'take' }, { kind: 'annul', reason: 'x' }, { kind: 'acknowledge' }] as Action[]) {
      expect(await act(o.fin1, id, action)).toEqual({ kind: 'not-found' });
    }
    expect(await act(o.fin1, 987_654, { kind: 'take' })).toEqual({ kind: 'not-found' });
    expect((await events(id)).map((e) => e.action)).toEqual(['letter.forward']);
  });

  it('hides a ลับ letter from officers of its unit without secret clearance, and lets those with it work it', async () => {
    const id = await letterFor('FIN', { secrecy: 'ลับ', restricted: true });
    expect(await act(o.fin1, id, { kind: 'take' })).toEqual({ kind: 'not-found' });
    expect(await findLetterFor(env.db.pool, o.fin1, id)).toBeNull();
    expect(await findLetterFor(env.db.pool, o.divHead, id)).toBeNull();
    expect(await act(o.finSecret, id, { kind: 'take' })).toMatchObject({ kind: 'done', state: 'in_progress' });
  });

  it('changes nothing and writes no audit event when an action is refused', async () => {
    const id = await letterFor('FIN');
    const before = { work: await work(id), assignments: await assignments(id), events: await events(id) };
    expect(await act(o.fin1, id, { kind: 'forward', to: { unitId: 99_999 }, purpose: 'act', note: null })).toEqual({
      kind: 'invalid',
      problems: ['there is no unit 99999: choose one from the list of units'],
    });
    expect(await act(o.fin1, id, { kind: 'record', text: '', replyNumber: null })).toMatchObject({ kind: 'invalid' });
    expect(await act(o.fin1, id, { kind: 'wait', until: '2027-01-01', note: null })).toMatchObject({ kind: 'conflict' });
    expect({ work: await work(id), assignments: await assignments(id), events: await events(id) }).toEqual(before);
  });

  it('leaves the letter as it was when its audit event cannot be written: the change and its record commit together', async () => {
    const id = await letterFor('FIN');
    await act(o.fin1, id, { kind: 'take' });
    const before = { work: await work(id), assignments: await assignments(id) };
    await env.db.pool.query("ALTER TABLE audit_event ADD CONSTRAINT no_close CHECK (action <> 'letter.close') NOT VALID");
    try {
      await expect(act(o.fin1, id, { kind: 'close', note: null })).rejects.toThrow(/no_close/);
    } finally {
      await env.db.pool.query('ALTER TABLE audit_event DROP CONSTRAINT no_close');
    }
    expect({ work: await work(id), assignments: await assignments(id) }).toEqual(before);
    expect(await act(o.fin1, id, { kind: 'close', note: null })).toMatchObject({ kind: 'done', state: 'done' });
  });

  describe('completing an entry the reading left to a clerk (ลงรายละเอียด)', () => {
    const toComplete = {
      reference: null,
      referenceNormalised: null,
      letterDate: null,
      title: 'หัวข้ออีเมล',
      titleGuessed: true,
      flags: ['pdf-no-text-layer', TO_COMPLETE],
    };
    const entry = async (letterId: number) =>
      (
        await env.db.pool.query(
          `SELECT reference, reference_normalised, circular, to_char(letter_date, 'YYYY-MM-DD') AS letter_date, title, title_guessed, flags
             FROM letter WHERE id = $1`,
          [letterId],
        )
      ).rows[0];
    const complete = (fields: { reference?: string; letterDate?: string; title?: string }): Action => ({
      kind: 'complete',
      reference: fields.reference ?? null,
      letterDate: fields.letterDate ?? null,
      title: fields.title ?? null,
    });

    it("writes the clerk's ที่, ลงวันที่ and เรื่อง into the register and takes the flag off once both are there, each with its audit event", async () => {
      const id = await letterFor('FIN', toComplete);
      await act(o.fin1, id, { kind: 'take' });
      const counted = async () => (await registerTotals(env.db.pool)).toComplete;
      const before = await counted();

      expect(await act(o.fin1, id, complete({ reference: 'ที่ ศธ ๐๔๐๐๒/ว ๑๒๓' }))).toMatchObject({ kind: 'done', state: 'in_progress' });
      expect(await entry(id)).toEqual({
        reference: 'ศธ ๐๔๐๐๒/ว ๑๒๓',
        reference_normalised: 'ศธ 04002/ว 123',
        circular: true,
        letter_date: null,
        title: 'หัวข้ออีเมล',
        title_guessed: true,
        flags: ['pdf-no-text-layer', TO_COMPLETE],
      });
      expect(await counted()).toBe(before);

      // The supervisor of the unit above writes the rest.
      expect(await act(o.divHead, id, complete({ letterDate: '2026-11-18', title: 'ขอเชิญประชุม' }))).toMatchObject({
        kind: 'done',
        state: 'in_progress',
      });
      expect(await entry(id)).toMatchObject({
        reference: 'ศธ ๐๔๐๐๒/ว ๑๒๓',
        letter_date: '2026-11-18',
        title: 'ขอเชิญประชุม',
        title_guessed: false,
        flags: ['pdf-no-text-layer'],
      });
      expect(await counted()).toBe(before - 1);

      const trail = (await events(id)).filter((e) => e.action === 'letter.complete');
      expect(trail.map((e) => e.actor)).toEqual(['officer:fin1', 'officer:divhead']);
      expect(trail[1].detail).toMatchObject({
        from: 'in_progress',
        to: 'in_progress',
        request: { kind: 'complete', reference: null, letterDate: '2026-11-18', title: 'ขอเชิญประชุม' },
        before: { reference: 'ศธ ๐๔๐๐๒/ว ๑๒๓', letterDate: null, title: 'หัวข้ออีเมล' },
        complete: true,
      });
      // Complete now: the entry as it stands is not rewritten at the desk.
      expect(await act(o.fin1, id, complete({ reference: 'ศธ 9999/1' }))).toMatchObject({ kind: 'conflict', move: 'complete' });
    });

    it('refuses a letter whose ที่ and ลงวันที่ were read, a reader, a date to come, and changes nothing then', async () => {
      const read = await letterFor('FIN', { reference: 'ศธ 0206/1', referenceNormalised: 'ศธ 0206/1', letterDate: '2026-11-01' });
      expect(await act(o.fin1, read, complete({ title: 'อื่น' }))).toMatchObject({
        kind: 'conflict',
        move: 'complete',
        message: expect.stringContaining('nothing to complete'),
      });
      const id = await letterFor('FIN', toComplete);
      await act(o.fin1, id, { kind: 'forward', to: { officerId: o.plan1.id }, purpose: 'know', note: null });
      const unchanged = { entry: await entry(id), events: await events(id) };
      expect(await act(o.plan1, id, complete({ reference: 'ศธ 0206/2' }))).toMatchObject({ kind: 'forbidden', move: 'complete' });
      expect(await act(o.fin1, id, complete({ letterDate: '2026-11-21' }))).toEqual({
        kind: 'invalid',
        problems: ["the letter's date (2026-11-21) cannot be after today (2026-11-20)"],
      });
      expect(await act(o.fin1, id, complete({}))).toMatchObject({ kind: 'invalid' });
      expect({ entry: await entry(id), events: await events(id) }).toEqual(unchanged);
    });

    it('leaves the entry as it was when its audit event cannot be written', async () => {
      const id = await letterFor('FIN', toComplete);
      const before = await entry(id);
      await env.db.pool.query("ALTER TABLE audit_event ADD CONSTRAINT no_complete CHECK (action <> 'letter.complete') NOT VALID");
      try {
        await expect(act(o.fin1, id, complete({ reference: 'ศธ 0206/3', letterDate: '2026-11-02' }))).rejects.toThrow(/no_complete/);
      } finally {
        await env.db.pool.query('ALTER TABLE audit_event DROP CONSTRAINT no_complete');
      }
      expect(await entry(id)).toEqual(before);
    });
  });

  it('finds in SQL exactly the letters the rule of letter/access.ts lets each officer see', async () => {
    now = new Date('2026-11-21T03:00:00Z');
    const letters = [
      await letterFor('FIN'),
      await letterFor('PLAN'),
      await letterFor('DIV'),
      await letterFor('FIN', { restricted: true, secrecy: 'ลับมาก' }),
      (await registerTestLetter(env.db.pool)).id,
    ];
    await act(o.admin, letters[1], { kind: 'forward', to: { officerId: o.fin2.id }, purpose: 'know', note: null });
    const units: UnitNode[] = (await env.db.pool.query('SELECT id, parent_id FROM unit')).rows.map((r) => ({
      id: r.id,
      parentId: r.parent_id,
    }));
    for (const officer of Object.values(o)) {
      for (const id of letters) {
        const { rows } = await env.db.pool.query(
          'SELECT l.restricted, a.unit_id, a.officer_id, a.purpose, a.ended_at IS NULL AS open FROM letter l LEFT JOIN assignment a ON a.letter_id = l.id WHERE l.id = $1',
          [id],
        );
        const seen = {
          restricted: rows[0].restricted as boolean,
          assignments: rows
            .filter((r) => r.purpose !== null)
            .map((r): AssignmentSeen => ({ unitId: r.unit_id, officerId: r.officer_id, purpose: r.purpose, open: r.open })),
        };
        const found = (await findLetterFor(env.db.pool, officer, id)) !== null;
        expect([officer.username, id, found]).toEqual([officer.username, id, maySee(officer, seen, units)]);
      }
    }
  });
});
