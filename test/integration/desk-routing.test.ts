import { runPeopleCommand } from '../../bin/people';
import { createPool } from '../../registry/db';
import { routeNewLetter, routeUnroutedLetters } from '../../registry/work';
import { addOfficer, addUnit, registerTestLetter, useDeskDatabase } from '../support/letters';
import { testConfig } from '../support/services';

// Routing a registered letter against a real PostgreSQL: rules, the central unit, round robin
// among officers on duty, and running it twice or many at once.
describe('routing a newly registered letter', () => {
  const env = useDeskDatabase();
  const clock = () => new Date('2026-11-20T03:00:00Z');
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    const pool = env.db.pool;
    ids.SARABAN = await addUnit(pool, 'SARABAN', 'งานสารบรรณกลาง');
    ids.FIN = await addUnit(pool, 'FIN', 'กองคลัง');
    ids.PLAN = await addUnit(pool, 'PLAN', 'กองแผน');
    ids.EMPTY = await addUnit(pool, 'EMPTY', 'งานที่ไม่มีคน');
    for (const o of [
      { username: 'fin1', unit: 'FIN' },
      { username: 'fin2', unit: 'FIN' },
      { username: 'fin3', unit: 'FIN', onDuty: false },
      { username: 'finhead', unit: 'FIN', role: 'supervisor' as const },
      { username: 'plan1', unit: 'PLAN' },
      { username: 'plan2', unit: 'PLAN' },
      { username: 'somchai', unit: 'PLAN' },
    ]) {
      ids[o.username] = (await addOfficer(pool, o)).id;
    }
  });

  const routing = {
    centralUnit: 'SARABAN',
    rules: [
      { name: 'งบประมาณ', when: { titleWords: ['งบประมาณ'] }, to: { unit: 'FIN' } },
      { name: 'ด่วนที่สุดถึงสมชาย', when: { urgencies: ['ด่วนที่สุด' as const] }, to: { officer: 'somchai' } },
      { name: 'หน่วยที่ยุบแล้ว', when: { titleWords: ['ยุบ'] }, to: { unit: 'GONE' } },
      { name: 'คนว่าง', when: { titleWords: ['ว่าง'] }, to: { unit: 'EMPTY' } },
    ],
  };

  const assignmentsOf = async (letterId: number) =>
    (
      await env.db.pool.query(
        'SELECT unit_id, officer_id, purpose, source, rule, ended_at FROM assignment WHERE letter_id = $1 ORDER BY id',
        [letterId],
      )
    ).rows;
  const stateOf = async (letterId: number) =>
    (await env.db.pool.query('SELECT state, deadline FROM letter_work WHERE letter_id = $1', [letterId])).rows[0];

  it('is on record as registered (ลงรับแล้ว) from the moment it is registered, before routing reaches it', async () => {
    const letter = await registerTestLetter(env.db.pool);
    expect((await stateOf(letter.id)).state).toBe('registered');
    expect(await assignmentsOf(letter.id)).toEqual([]);
  });

  it("gives a letter to the rule's unit, to its officers on duty in turn, with the rule recorded", async () => {
    const officers = [];
    for (let i = 0; i < 3; i++) {
      const letter = await registerTestLetter(env.db.pool, { title: `ขออนุมัติงบประมาณ ครั้งที่ ${i}` });
      const result = await routeNewLetter(env.db.pool, letter.id, routing, clock);
      expect(result).toMatchObject({ kind: 'routed', rule: 'งบประมาณ', unitId: ids.FIN, problem: null });
      const [assignment] = await assignmentsOf(letter.id);
      expect(assignment).toMatchObject({ unit_id: ids.FIN, purpose: 'act', source: 'routing', rule: 'งบประมาณ', ended_at: null });
      expect((await stateOf(letter.id)).state).toBe('assigned');
      officers.push(assignment.officer_id);
    }
    // fin3 is on leave and finhead is a supervisor: neither is given letters in turn.
    expect(officers).toEqual([ids.fin1, ids.fin2, ids.fin1]);
  });

  it('sends a letter no rule takes to the central unit, with no rule recorded, to the unit as a whole when nobody there is on duty', async () => {
    const letter = await registerTestLetter(env.db.pool, { title: 'ขอเชิญประชุม' });
    expect(await routeNewLetter(env.db.pool, letter.id, routing, clock)).toEqual({
      kind: 'routed',
      rule: null,
      unitId: ids.SARABAN,
      officerId: null,
      problem: null,
    });
    expect(await assignmentsOf(letter.id)).toMatchObject([{ unit_id: ids.SARABAN, officer_id: null, rule: null }]);
  });

  it('gives a letter to the officer a rule names, under the unit they are in', async () => {
    const letter = await registerTestLetter(env.db.pool, { urgency: 'ด่วนที่สุด', urgencyDeadline: '2026-11-25' });
    expect(await routeNewLetter(env.db.pool, letter.id, routing, clock)).toMatchObject({ rule: 'ด่วนที่สุดถึงสมชาย', officerId: ids.somchai });
    expect(await assignmentsOf(letter.id)).toMatchObject([{ unit_id: ids.PLAN, officer_id: ids.somchai }]);
    // ด่วนภายใน's deadline read from the letter: the end of that day in Bangkok.
    expect((await stateOf(letter.id)).deadline).toEqual(new Date('2026-11-25T17:00:00Z'));
  });

  it('leaves a letter to the unit as a whole when none of its officers is on duty', async () => {
    const letter = await registerTestLetter(env.db.pool, { title: 'ผู้รับว่าง' });
    expect(await routeNewLetter(env.db.pool, letter.id, routing, clock)).toMatchObject({
      rule: 'คนว่าง',
      unitId: ids.EMPTY,
      officerId: null,
    });
  });

  it('sends a letter to the central unit, saying why, when its rule names a unit that is not at the desk', async () => {
    const letter = await registerTestLetter(env.db.pool, { title: 'งานของกองที่ยุบแล้ว' });
    const result = await routeNewLetter(env.db.pool, letter.id, routing, clock);
    expect(result).toMatchObject({ kind: 'routed', rule: 'หน่วยที่ยุบแล้ว', unitId: ids.SARABAN });
    expect(result.kind === 'routed' && result.problem).toMatch(/unit GONE, which is not at the desk/);
    const { rows } = await env.db.pool.query(`SELECT actor, detail FROM audit_event WHERE letter_id = $1 AND action = 'letter.routed'`, [
      letter.id,
    ]);
    expect(rows).toEqual([{ actor: 'system', detail: expect.objectContaining({ rule: 'หน่วยที่ยุบแล้ว', unitId: ids.SARABAN }) }]);
  });

  it('leaves the letter registered, naming what to change, when the central unit is not at the desk either', async () => {
    const letter = await registerTestLetter(env.db.pool, { title: 'ไม่มีที่ไป' });
    const result = await routeNewLetter(env.db.pool, letter.id, { centralUnit: 'NOWHERE', rules: [] }, clock);
    expect(result.kind).toBe('unroutable');
    expect(result.kind === 'unroutable' && result.problem).toMatch(/saraban unit add NOWHERE/);
    expect((await stateOf(letter.id)).state).toBe('registered');
    expect(await assignmentsOf(letter.id)).toEqual([]);
  });

  it('routes a letter once however often it is asked, and writes one audit event', async () => {
    const letter = await registerTestLetter(env.db.pool, { title: 'งบประมาณ' });
    const results = await Promise.all([1, 2, 3].map(() => routeNewLetter(env.db.pool, letter.id, routing, clock)));
    expect(results.filter((r) => r.kind === 'routed')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'routed-before')).toHaveLength(2);
    expect(await assignmentsOf(letter.id)).toHaveLength(1);
    const { rows } = await env.db.pool.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE letter_id = $1 AND action = 'letter.routed'`,
      [letter.id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('shares letters routed at the same moment evenly among the officers on duty', async () => {
    const letters = [];
    for (let i = 0; i < 10; i++) letters.push(await registerTestLetter(env.db.pool, { title: `แผนงาน ${i}` }));
    const planRouting = { centralUnit: 'PLAN', rules: [] };
    const pools = [createPool(env.db.url, 3), createPool(env.db.url, 3)];
    try {
      await Promise.all(letters.map((l, i) => routeNewLetter(pools[i % 2], l.id, planRouting, clock)));
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
    const { rows } = await env.db.pool.query(
      'SELECT officer_id, count(*)::int AS n FROM assignment WHERE letter_id = ANY($1) GROUP BY officer_id ORDER BY officer_id',
      [letters.map((l) => l.id)],
    );
    expect(rows.map((r) => r.n)).toEqual([4, 3, 3]);
    expect(rows.map((r) => r.officer_id)).toEqual([ids.plan1, ids.plan2, ids.somchai]);
  });

  it('passes by an officer the operator sets on leave, and gives them letters in turn again once they are back', async () => {
    const config = testConfig(env.db.url);
    const said: string[] = [];
    const io = { out: (t: string) => said.push(t), err: (t: string) => said.push(t), readInput: async () => '' };
    const planRouting = { centralUnit: 'PLAN', rules: [] };
    const routeFour = async () => {
      const chosen = [];
      for (let i = 0; i < 4; i++) {
        const letter = await registerTestLetter(env.db.pool, { title: `แผนงานช่วงลา ${i}` });
        const result = await routeNewLetter(env.db.pool, letter.id, planRouting, clock);
        chosen.push(result.kind === 'routed' ? result.officerId : null);
      }
      return chosen;
    };
    expect(await runPeopleCommand(config, 'officer', ['leave', '--username', 'plan2'], io)).toBe(0);
    expect(said.join('')).toContain('plan2 is on leave');
    const duringLeave = await routeFour();
    expect(new Set(duringLeave)).toEqual(new Set([ids.plan1, ids.somchai]));
    expect(await runPeopleCommand(config, 'officer', ['back', '--username', 'plan2'], io)).toBe(0);
    const afterwards = await routeFour();
    expect(new Set(afterwards.slice(0, 3))).toEqual(new Set([ids.plan1, ids.plan2, ids.somchai]));
  });
});

describe('routing in an office that does not use the desk', () => {
  const env = useDeskDatabase();

  it('leaves a letter registered, with nothing to say, when there are no units at all', async () => {
    const letter = await registerTestLetter(env.db.pool);
    expect(await routeNewLetter(env.db.pool, letter.id, { centralUnit: 'SARABAN', rules: [] }, () => new Date())).toEqual({
      kind: 'no-desk',
    });
    const { rows } = await env.db.pool.query('SELECT state FROM letter_work WHERE letter_id = $1', [letter.id]);
    expect(rows).toEqual([{ state: 'registered' }]);
  });
});

describe("the reconciler's round of letters left unrouted", () => {
  const env = useDeskDatabase();
  const routing = { centralUnit: 'SARABAN', rules: [] };

  it('routes a letter its job registered but did not route, once a minute has passed, and leaves letters from before the desk alone', async () => {
    await addUnit(env.db.pool, 'SARABAN', 'งานสารบรรณกลาง');
    const beforeTheDesk = await registerTestLetter(env.db.pool, {}, { at: new Date('2020-01-06T03:00:00Z') });
    const stranded = await registerTestLetter(env.db.pool);
    const now = Date.now();
    expect(await routeUnroutedLetters(env.db.pool, routing, () => new Date(now))).toEqual({ routed: 0, unroutable: [] });
    expect(await routeUnroutedLetters(env.db.pool, routing, () => new Date(now + 2 * 60_000))).toEqual({ routed: 1, unroutable: [] });
    const { rows } = await env.db.pool.query('SELECT letter_id, state FROM letter_work ORDER BY letter_id');
    expect(rows).toEqual([
      { letter_id: beforeTheDesk.id, state: 'registered' },
      { letter_id: stranded.id, state: 'assigned' },
    ]);
    expect(await routeUnroutedLetters(env.db.pool, routing, () => new Date(now + 3 * 60_000))).toEqual({ routed: 0, unroutable: [] });
  });
});
