import { maySee, type LetterSeen, type Officer, type UnitNode } from '../../letter/access';
import { LETTER_STATES, OPEN_STATES, type LetterState } from '../../letter/transitions';
import { migrate, readMigrations } from '../../registry/db';
import { listQueue } from '../../registry/queue';
import { routeNewLetter } from '../../registry/work';
import { addOfficer, addUnit, registerTestLetter, useDeskDatabase } from '../support/letters';
import { schemaAsOf } from '../support/services';

// The queue's counts per state are kept by triggers (letter_key and view_count, migration 19), not
// counted from the assignments on each request (nor the letters an officer holds both by name and
// through their unit, migration 21), and its filters read copies the triggers keep (migration 20). Whatever happens to the letters, the counts, the filtered counts (still
// counted) and the lists must say what letter/access.ts maySee says of every letter, for every
// kind of officer: a scripted office, moved at random, checked after each step.
describe('the counts per state the desk keeps for each view', () => {
  const env = useDeskDatabase();
  const pool = () => env.db.pool;
  const unit: Record<string, number> = {};
  let officers: Officer[] = [];

  // A deterministic random source (mulberry32), so that a failure can be replayed.
  let seed = 18;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

  /** Every letter as maySee reads it, with its state, and the tree of units. */
  async function register(): Promise<{ letters: Array<LetterSeen & { id: number; state: LetterState }>; units: UnitNode[] }> {
    // In the queue's order: most urgent first, then the nearest deadline, then the longest waiting.
    const { rows: letters } = await pool().query(
      `SELECT l.id, l.restricted, w.state FROM letter l JOIN letter_work w ON w.letter_id = l.id
        ORDER BY w.urgency_rank DESC, w.deadline ASC NULLS LAST, w.received_at, l.id`,
    );
    const { rows: assignments } = await pool().query(
      'SELECT letter_id, unit_id, officer_id, purpose, ended_at IS NULL AS open FROM assignment ORDER BY id',
    );
    const { rows: units } = await pool().query('SELECT id, parent_id FROM unit');
    return {
      letters: letters.map((l) => ({
        id: Number(l.id),
        state: l.state,
        restricted: l.restricted,
        assignments: assignments
          .filter((a) => Number(a.letter_id) === Number(l.id))
          .map((a) => ({ unitId: a.unit_id, officerId: a.officer_id, purpose: a.purpose, open: a.open })),
      })),
      units: units.map((u) => ({ id: u.id, parentId: u.parent_id })),
    };
  }

  /**
   * The open letters' search rows (open_words, migration 24) are the open work rows' copies with
   * the letters' words, column by column: none missing, none left of a closed letter, none stale.
   */
  async function checkOpenWords(step: string): Promise<void> {
    const columns = 'letter_id, text, state, wait_until, deadline, urgency_rank, received_at, restricted, agency, book';
    const expected = `SELECT w.letter_id, s.text, w.state, w.wait_until, w.deadline, w.urgency_rank, w.received_at, w.restricted, w.agency, w.book
                        FROM letter_work w JOIN letter_words s ON s.letter_id = w.letter_id
                       WHERE w.state = ANY($1::text[])`;
    const { rows } = await pool().query(
      `(SELECT 'kept' AS side, ${columns} FROM (SELECT ${columns} FROM open_words EXCEPT ALL ${expected}) k)
       UNION ALL
       (SELECT 'missing', ${columns} FROM (${expected} EXCEPT ALL SELECT ${columns} FROM open_words) m)`,
      [OPEN_STATES],
    );
    expect({ step, differing: rows }).toEqual({ step, differing: [] });
  }

  async function checkEveryOfficer(step: string): Promise<void> {
    await checkOpenWords(step);
    const { letters, units } = await register();
    for (const officer of officers) {
      const seen = letters.filter((l) => maySee(officer, l, units));
      const counts = Object.fromEntries(LETTER_STATES.map((s) => [s, seen.filter((l) => l.state === s).length]));
      const everything = { states: LETTER_STATES, limit: 10_000, offset: 0 };
      const kept = await listQueue(pool(), officer, everything);
      // A filter that leaves every letter in: the counts are then counted, the other way.
      const counted = await listQueue(pool(), officer, { ...everything, receivedFrom: '2000-01-01' });
      const who = `${step}: ${officer.username}`;
      expect({ who, counts: kept.counts }).toEqual({ who, counts });
      expect({ who, counts: counted.counts }).toEqual({ who, counts });
      // The page found by walking the queue or sorting an officer's keys (no filter), and by
      // joining the keys (a filter): the letters seen, in the queue's order; and a page of three.
      for (const page of [kept, counted]) expect({ who, ids: page.items.map((i) => i.id) }).toEqual({ who, ids: seen.map((l) => l.id) });
      const third = await listQueue(pool(), officer, { states: LETTER_STATES, limit: 3, offset: 2 });
      expect({ who, ids: third.items.map((i) => i.id) }).toEqual({ who, ids: seen.slice(2, 5).map((l) => l.id) });

      // Filters that leave every letter in, each read where migration 20 keeps it (the dates, the
      // book on the work row, the words on the search row, the open ones indexed apart): as a
      // queue asks them, the open letters listed and counted, the closed states not counted; with
      // every state asked, each closed state counted up to the cap (2 here), and said to be capped.
      const open = seen.filter((l) => OPEN_STATES.includes(l.state));
      for (const filter of [{ receivedFrom: '2000-01-01' }, { book: 'RB' }, { search: 'หนังสือทดสอบ' }]) {
        const asked = `${who}, ${JSON.stringify(filter)}`;
        const queue = await listQueue(pool(), officer, { ...filter, limit: 10_000, offset: 0 });
        const notCounted = { done: null, returned: null, annulled: null };
        expect({ asked, counts: queue.counts, capped: queue.capped }).toEqual({ asked, counts: { ...counts, ...notCounted }, capped: [] });
        expect({ asked, ids: queue.items.map((i) => i.id) }).toEqual({ asked, ids: open.map((l) => l.id) });

        const capped = await listQueue(pool(), officer, { ...everything, ...filter, countCap: 2 });
        const closed = LETTER_STATES.filter((s) => !OPEN_STATES.includes(s));
        const atMostTwo = Object.fromEntries(closed.map((s) => [s, Math.min(counts[s], 2)]));
        expect({ asked, counts: capped.counts, capped: capped.capped.sort() }).toEqual({
          asked,
          counts: { ...counts, ...atMostTwo },
          capped: closed.filter((s) => counts[s] > 2).sort(),
        });
        expect({ asked, ids: capped.items.map((i) => i.id) }).toEqual({ asked, ids: seen.map((l) => l.id) });
      }
    }
  }

  /** A provincial office: three levels of units, officers, supervisors and admins of every kind. */
  async function office(): Promise<void> {
    const p = pool();
    officers = [];
    unit.OFFICE = await addUnit(p, 'OFFICE', 'สำนักงานจังหวัด');
    unit.DIV1 = await addUnit(p, 'DIV1', 'กองหนึ่ง', 'OFFICE');
    unit.DIV2 = await addUnit(p, 'DIV2', 'กองสอง', 'OFFICE');
    unit.U11 = await addUnit(p, 'U11', 'งานหนึ่งหนึ่ง', 'DIV1');
    unit.U12 = await addUnit(p, 'U12', 'งานหนึ่งสอง', 'DIV1');
    unit.U21 = await addUnit(p, 'U21', 'งานสองหนึ่ง', 'DIV2');
    for (const code of ['OFFICE', 'DIV1', 'DIV2', 'U11', 'U12', 'U21']) {
      officers.push(await addOfficer(p, { username: `${code.toLowerCase()}a`, unit: code }));
      officers.push(await addOfficer(p, { username: `${code.toLowerCase()}b`, unit: code, secretClearance: code === 'U11' }));
      officers.push(
        await addOfficer(p, { username: `${code.toLowerCase()}head`, unit: code, role: 'supervisor', secretClearance: code === 'DIV1' }),
      );
    }
    officers.push(await addOfficer(p, { username: 'nounit' }));
    officers.push(await addOfficer(p, { username: 'headnounit', role: 'supervisor' }));
    officers.push(await addOfficer(p, { username: 'admin', role: 'admin' }));
    officers.push(await addOfficer(p, { username: 'secretadmin', role: 'admin', secretClearance: true }));
  }

  /** 40 letters registered, most of them routed (some left registered: only the admins see them). */
  async function letters(): Promise<number[]> {
    const routing = { centralUnit: 'OFFICE', rules: [] };
    const at = new Date('2026-11-20T03:00:00Z');
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) {
      const secret = i % 7 === 0;
      const urgency = i % 5 === 0 ? { urgency: 'ด่วนมาก' } : i % 5 === 1 ? { urgency: 'ด่วนภายใน', urgencyDeadline: `2026-12-${10 + (i % 9)}` } : {};
      const letter = await registerTestLetter(pool(), { ...urgency, ...(secret ? { secrecy: 'ลับ', restricted: true } : {}) }, { at });
      if (i % 10 !== 9) await routeNewLetter(pool(), letter.id, routing, () => at);
      ids.push(letter.id);
    }
    return ids;
  }

  /**
   * 25 changes at random: an assignment (to an officer, with the unit they are in, or to a unit as a
   * whole; to act, ending the one before, or to know), a move to another state, a deadline set or
   * taken away (its place in the queue), secrecy turned, or (when the register has them) the counts folded.
   */
  async function changes(letterIds: number[], fold: boolean): Promise<void> {
    const p = pool();
    const states = LETTER_STATES.filter((s) => s !== 'registered');
    for (let change = 0; change < 25; change++) {
      const letterId = pick(letterIds);
      const what = random();
      if (what < 0.35) {
        const to = pick(officers.filter((o) => o.role !== 'admin'));
        const whole = random() < 0.4;
        const purpose = random() < 0.7 ? 'act' : 'know';
        // One act assignment open at a time: the one before is ended, as forwarding does.
        if (purpose === 'act') {
          await p.query(
            `UPDATE assignment SET ended_at = now(), ended_how = 'forwarded', ended_by = $2 WHERE letter_id = $1 AND purpose = 'act' AND ended_at IS NULL`,
            [letterId, officers[0].id],
          );
        }
        if (!whole && to.unitId === null && random() < 0.5) continue;
        await p.query(
          `INSERT INTO assignment (letter_id, unit_id, officer_id, purpose, source, assigned_by, created_at) VALUES ($1, $2, $3, $4, 'officer', $5, now())`,
          [letterId, whole ? pick(Object.values(unit)) : to.unitId, whole ? null : to.id, purpose, officers[0].id],
        );
      } else if (what < 0.7) {
        const state = pick(states);
        await p.query(`UPDATE letter_work SET state = $2, wait_until = $3, updated_at = now() WHERE letter_id = $1`, [
          letterId,
          state,
          state === 'waiting' ? '2026-12-31' : null,
        ]);
      } else if (what < 0.8) {
        await p.query('UPDATE letter_work SET deadline = $2 WHERE letter_id = $1', [
          letterId,
          random() < 0.3 ? null : new Date(Date.UTC(2026, 11, 1 + Math.floor(random() * 20))),
        ]);
      } else if (what < 0.9 || !fold) {
        await p.query('UPDATE letter SET restricted = NOT restricted WHERE id = $1', [letterId]);
      } else {
        await p.query('SELECT compact_view_counts()');
      }
    }
  }

  /**
   * The desk's commonest path: letters given to a unit as a whole (the central clerk forwards
   * them), then taken by one of its officers, who is named on them too: they see each once.
   */
  async function givenThenTaken(letterIds: number[]): Promise<void> {
    const taker = officers.find((o) => o.username === 'u11a')!;
    for (const letterId of letterIds) {
      for (const officerId of [null, taker.id]) {
        await pool().query(
          `INSERT INTO assignment (letter_id, unit_id, officer_id, purpose, source, assigned_by, created_at) VALUES ($1, $2, $3, 'know', 'officer', $4, now())`,
          [letterId, unit.U11, officerId, officers[0].id],
        );
      }
    }
  }

  it('match what maySee says after every kind of change', async () => {
    const p = pool();
    await office();
    const letterIds = await letters();
    await checkEveryOfficer('registered and routed');
    for (let step = 0; step < 6; step++) {
      await changes(letterIds, true);
      await checkEveryOfficer(`step ${step}`);
    }

    await givenThenTaken(letterIds.slice(3, 8));
    await checkEveryOfficer('letters given to a unit, then taken by one of its officers');
    await changes(letterIds, true);
    await checkEveryOfficer('changes after they were taken');

    // An officer moves to another unit: they see that unit's letters given to it as a whole, and
    // keep those named to them.
    const moving = officers.find((o) => o.username === 'u12a')!;
    await p.query('UPDATE officer SET unit_id = $2 WHERE id = $1', [moving.id, unit.U21]);
    officers = officers.map((o) => (o.id === moving.id ? { ...o, unitId: unit.U21 } : o));
    await checkEveryOfficer('an officer moved to another unit');

    // A supervisor named on letters while they were in another unit: outside their tree, still theirs.
    const head = officers.find((o) => o.username === 'u11head')!;
    for (const letterId of letterIds.slice(0, 3)) {
      await p.query(
        `INSERT INTO assignment (letter_id, unit_id, officer_id, purpose, source, assigned_by, created_at) VALUES ($1, $2, $3, 'know', 'officer', $4, now())`,
        [letterId, unit.U21, head.id, officers[0].id],
      );
    }
    await checkEveryOfficer('a supervisor named outside their tree');

    // A unit moves to another division: its letters leave one division head's view for the other's,
    // and what happens to them next is counted on the new tree.
    await p.query('UPDATE unit SET parent_id = $2 WHERE id = $1', [unit.U12, unit.DIV2]);
    await checkEveryOfficer('a unit moved under another division');
    await changes(letterIds, true);
    await checkEveryOfficer('changes after the unit moved');

    await p.query('SELECT compact_view_counts()');
    const { rows } = await p.query(
      'SELECT count(*)::integer AS n FROM view_count GROUP BY kind, key_id, state, restricted HAVING count(*) > 1',
    );
    expect(rows).toEqual([]);
    await checkEveryOfficer('after the counts were compacted');
  });

  // A register made before the keys (migration 18) with letters routed, assigned, moved and taken:
  // the migrations write their keys (with each letter's place in the queue, migration 22), counts,
  // copies and overlaps as the triggers would have made them.
  it('are made by the migrations from 19 on for the letters already registered', async () => {
    await schemaAsOf(pool(), 18);
    await office();
    const letterIds = await letters();
    for (let step = 0; step < 3; step++) await changes(letterIds, false);
    await givenThenTaken(letterIds.slice(3, 8));
    expect(await migrate(pool())).toEqual(readMigrations().flatMap((m) => (m.version >= 19 ? [m.version] : [])));
    await checkEveryOfficer('migrated');
    await changes(letterIds, true);
    await checkEveryOfficer('migrated, then changed');
  });
});
