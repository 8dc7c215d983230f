import type { Officer } from '../../letter/access';
import { TO_COMPLETE, type Letter } from '../../letter/letter';
import { recordNotRegistered } from '../../registry/letters';
import { findLetterDetail, listHeldAndSuspect, listQueue, queueStatements, type QueueQuery } from '../../registry/queue';
import { performAction, routeNewLetter, type WorkDeps } from '../../registry/work';
import { keepMessage, replyRules } from '../support/services';
import { addOfficer, addUnit, registerTestLetter, useDeskDatabase } from '../support/letters';

// The queue, one letter in full, and the supervisor's list, read from a real PostgreSQL.
describe("an officer's queue", () => {
  const env = useDeskDatabase();
  const o: Record<string, Officer> = {};
  let deps: WorkDeps;
  const routing = {
    centralUnit: 'Q',
    rules: [{ name: 'งานอื่น', when: { titleWords: ['งานอื่น'] }, to: { unit: 'OTHER' } }],
  };
  const page = (officer: Officer, query: Partial<QueueQuery> = {}) => listQueue(env.db.pool, officer, { limit: 50, offset: 0, ...query });
  const numbers = (letters: Array<{ number: number }>) => letters.map((l) => l.number);

  /** Registers a letter at this time and routes it as the letters job would. */
  async function arrives(at: string, details: Parameters<typeof registerTestLetter>[1] = {}, book = 'RB'): Promise<Letter> {
    const letter = await registerTestLetter(env.db.pool, details, { at: new Date(at), book });
    await routeNewLetter(env.db.pool, letter.id, routing, () => new Date(at));
    return letter;
  }

  const letters: Record<string, Letter> = {};

  beforeAll(async () => {
    const pool = env.db.pool;
    deps = {
      pool,
      clock: () => new Date('2026-11-20T05:00:00Z'),
      replies: { limits: replyRules(), host: 'example.go.th' },
    };
    await addUnit(pool, 'Q', 'งานสารบรรณกลาง');
    await addUnit(pool, 'OTHER', 'กองอื่น');
    o.q1 = await addOfficer(pool, { username: 'q1', unit: 'Q' });
    o.other1 = await addOfficer(pool, { username: 'other1', unit: 'OTHER' });
    o.head = await addOfficer(pool, { username: 'head', unit: 'Q', role: 'supervisor', secretClearance: true });
    o.admin = await addOfficer(pool, { username: 'admin', role: 'admin' });

    // In the order they arrive (a book's registration times only rise); the queue orders them by
    // urgency, deadline, then arrival.
    letters.done = await arrives('2026-11-16T01:00:00Z', { title: 'เรื่องที่เสร็จแล้ว' });
    letters.plain = await arrives('2026-11-18T02:00:00Z', {
      title: 'ขอเชิญประชุมคณะกรรมการ',
      referenceNormalised: 'มท 0201.2/ว 5951',
      reference: 'ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑',
      agency: 'กระทรวงมหาดไทย',
    });
    letters.urgent = await arrives('2026-11-18T03:00:00Z', { title: 'ขออนุมัติงบประมาณ', urgency: 'ด่วน', agency: 'กรมบัญชีกลาง' });
    letters.other = await arrives('2026-11-18T04:00:00Z', { title: 'งานอื่นของกองอื่น' });
    letters.secret = await arrives('2026-11-18T05:00:00Z', { title: 'เรื่องลับ', secrecy: 'ลับ', restricted: true });
    letters.suspect = await arrives('2026-11-18T06:00:00Z', {
      title: 'ขอให้โอนเงินด่วน',
      suspect: true,
      authenticity: { verdict: 'forged', dmarc: 'fail', spf: 'fail', dkim: 'none' },
    });
    letters.mostUrgent = await arrives('2026-11-19T01:00:00Z', {
      title: 'รายงานสถานการณ์อุทกภัย',
      urgency: 'ด่วนที่สุด',
      agency: 'กระทรวงมหาดไทย',
    });
    letters.dueLater = await arrives('2026-11-19T02:00:00Z', {
      title: 'ส่งแผนปฏิบัติราชการ',
      urgency: 'ด่วนภายใน',
      urgencyDeadline: '2026-11-30',
    });
    letters.dueSooner = await arrives('2026-11-19T03:00:00Z', {
      title: 'ส่งรายงานผลการเบิกจ่าย 50%',
      urgency: 'ด่วนภายใน',
      urgencyDeadline: '2026-11-25',
    });
    letters.older = await arrives('2026-11-17T23:00:00Z', { title: 'ประชุมครั้งที่ ๕/๒๕๖๙' }, 'HR');
    await performAction(deps, o.q1, letters.done.id, { kind: 'take' });
    await performAction(deps, o.q1, letters.done.id, { kind: 'close', note: null });
  });

  it('puts the most urgent first, then the nearest deadline, then the letter waiting longest', async () => {
    const { items } = await page(o.q1);
    expect(numbers(items)).toEqual(
      numbers([letters.mostUrgent, letters.dueSooner, letters.dueLater, letters.urgent, letters.older, letters.plain, letters.suspect]),
    );
    expect(items[0]).toMatchObject({
      state: 'assigned',
      stateName: 'มอบหมาย',
      urgency: 'ด่วนที่สุด',
      assignee: { unit: { code: 'Q', name: 'งานสารบรรณกลาง' }, officer: { username: 'q1', name: 'คุณ q1' } },
    });
    expect(items[1].deadline).toEqual(new Date('2026-11-25T17:00:00Z'));
  });

  it('counts the letters per state over every page, and lists the closed ones only when asked', async () => {
    const all = await page(o.q1, { limit: 2 });
    expect(all.items).toHaveLength(2);
    expect(all.total).toBe(7);
    expect(all.counts).toEqual({ registered: 0, assigned: 7, in_progress: 0, waiting: 0, done: 1, returned: 0, annulled: 0 });
    const second = await page(o.q1, { limit: 2, offset: 2 });
    expect(numbers(second.items)).toEqual(numbers([letters.dueLater, letters.urgent]));
    const done = await page(o.q1, { states: ['done'] });
    expect(numbers(done.items)).toEqual([letters.done.number]);
    expect(done.total).toBe(1);
  });

  it("counts a filter's open letters, and a closed state only when asked", async () => {
    // A filter's closed states would be years of letters to count: not counted unless asked.
    const rb = await page(o.q1, { book: 'RB' });
    expect(rb.counts).toEqual({ registered: 0, assigned: 6, in_progress: 0, waiting: 0, done: null, returned: null, annulled: null });
    expect(rb.capped).toEqual([]);
    expect(rb.total).toBe(6);
    // Its pages, in the queue's order, and an empty one past the end with the counts still there.
    const second = await page(o.q1, { book: 'RB', limit: 2, offset: 2 });
    expect(numbers(second.items)).toEqual(numbers(rb.items.slice(2, 4)));
    expect(second.counts).toEqual(rb.counts);
    const past = await page(o.q1, { book: 'RB', offset: 50 });
    expect(past).toMatchObject({ items: [], total: 6, counts: { assigned: 6, done: null } });
    const done = await page(o.q1, { book: 'RB', states: ['done'] });
    expect(numbers(done.items)).toEqual([letters.done.number]);
    expect(done.counts).toMatchObject({ assigned: 6, done: 1, returned: null });
    expect(done.total).toBe(1);
    // Under the cap, or over it (a cap of none: the one done letter is more).
    expect((await page(o.q1, { book: 'RB', states: ['done'], countCap: 0 })).capped).toEqual(['done']);
    expect((await page(o.q1, { book: 'RB', states: ['done'], countCap: 1 })).capped).toEqual([]);
    // The register's page asks them exact: every state, however many.
    const register = await page(o.q1, { book: 'RB', states: ['done'], exactCounts: true, countCap: 0 });
    expect(register.counts).toEqual({ registered: 0, assigned: 6, in_progress: 0, waiting: 0, done: 1, returned: 0, annulled: 0 });
    expect(register.capped).toEqual([]);
  });

  it("shows an officer only their own letters, and counts none of anyone else's", async () => {
    const theirs = await page(o.other1);
    expect(numbers(theirs.items)).toEqual([letters.other.number]);
    expect(theirs.counts.assigned).toBe(1);
  });

  it('shows a ลับ letter only to those named for secret mail, and everything else to an admin', async () => {
    expect(numbers((await page(o.head)).items)).toContain(letters.secret.number);
    expect(numbers((await page(o.q1)).items)).not.toContain(letters.secret.number);
    const admin = await page(o.admin);
    expect(admin.total).toBe(8);
    expect(numbers(admin.items)).not.toContain(letters.secret.number);
  });

  it('hides a letter from those not named for secret mail as soon as the register marks it ลับ', async () => {
    // The queue reads the mark on the letter's work row (migration 17): it must follow the register's.
    const mark = (restricted: boolean) =>
      env.db.pool.query('UPDATE letter SET restricted = $2 WHERE id = $1', [letters.urgent.id, restricted]);
    await mark(true);
    try {
      expect(numbers((await page(o.q1)).items)).not.toContain(letters.urgent.number);
      expect((await page(o.q1)).counts.assigned).toBe(6);
      expect((await page(o.admin)).total).toBe(7);
      expect(numbers((await page(o.head)).items)).toContain(letters.urgent.number);
    } finally {
      await mark(false);
    }
    expect(numbers((await page(o.q1)).items)).toContain(letters.urgent.number);
  });

  it('filters by urgency, book, agency and the dates received in Bangkok', async () => {
    expect(numbers((await page(o.q1, { urgencies: ['ด่วนภายใน'] })).items)).toEqual(numbers([letters.dueSooner, letters.dueLater]));
    expect(numbers((await page(o.q1, { book: 'HR' })).items)).toEqual([letters.older.number]);
    expect(numbers((await page(o.q1, { agency: 'กระทรวงมหาดไทย' })).items)).toEqual(numbers([letters.mostUrgent, letters.plain]));
    // 2026-11-17T23:00Z is already 18 November in Bangkok.
    const on18th = await page(o.q1, { receivedFrom: '2026-11-18', receivedTo: '2026-11-18' });
    expect(numbers(on18th.items)).toEqual(numbers([letters.urgent, letters.older, letters.plain, letters.suspect]));
  });

  it('finds Thai words inside titles written without spaces, and Thai and Arabic digits alike', async () => {
    const search = async (words: string) => numbers((await page(o.q1, { search: words })).items);
    expect(await search('ประชุม')).toEqual(numbers([letters.older, letters.plain]));
    expect(await search('งบประมาณ')).toEqual([letters.urgent.number]);
    expect(await search('๐๒๐๑')).toEqual([letters.plain.number]);
    expect(await search('มท 0201.2')).toEqual([letters.plain.number]);
    expect(await search('5/2569')).toEqual([letters.older.number]);
    expect(await search('มหาดไทย')).toEqual(numbers([letters.mostUrgent, letters.plain]));
    expect(await search('ประชุม กรรมการ')).toEqual([letters.plain.number]);
    // LIKE's own characters are taken as written.
    expect(await search('50%')).toEqual([letters.dueSooner.number]);
    expect(await search('%')).toEqual([letters.dueSooner.number]);
    expect(await search('ไม่มีคำนี้')).toEqual([]);
  });

  it('finds a letter by the ที่ and เรื่อง a clerk completed, and no longer by the words it had', async () => {
    const search = async (words: string) => numbers((await page(o.q1, { search: words })).items);
    const letter = await arrives('2026-11-19T04:00:00Z', {
      reference: null,
      referenceNormalised: null,
      title: 'แจ้งกำหนดการอบรม',
      titleGuessed: true,
      flags: [TO_COMPLETE],
    });
    expect(await search('อบรม')).toEqual([letter.number]);
    expect(await search('04002')).toEqual([]);
    const completed = await performAction(deps, o.q1, letter.id, {
      kind: 'complete',
      reference: 'ที่ ศธ ๐๔๐๐๒/ว ๑๒๓',
      letterDate: '2026-11-18',
      title: 'ขอเชิญสัมมนาวิชาการ',
    });
    expect(completed).toMatchObject({ kind: 'done' });
    // The search reads its own copy of the letter's text (migration 18): it must follow the register's.
    expect(await search('สัมมนา')).toEqual([letter.number]);
    expect(await search('๐๔๐๐๒/ว ๑๒๓')).toEqual([letter.number]);
    expect(await search('อบรม')).toEqual([]);
    // And the agency, should anything change it.
    await env.db.pool.query('UPDATE letter SET agency = $2 WHERE id = $1', [letter.id, 'สำนักงานเขตพื้นที่การศึกษา']);
    expect(await search('เขตพื้นที่ สัมมนา')).toEqual([letter.number]);
  });

  it('finds an open letter by its words, a closed one when its state is asked, and one reopened in the queue again', async () => {
    // The open letters' words are a table of their own (open_words): closing and reopening a
    // letter moves it out of it and back.
    const letter = await arrives('2026-11-19T04:00:00Z', { title: 'ประกาศรับสมัครลูกจ้างชั่วคราว' });
    const search = (states?: QueueQuery['states']) => page(o.q1, { search: 'ลูกจ้างชั่วคราว', states }).then((p) => numbers(p.items));
    expect(await search()).toEqual([letter.number]);
    await performAction(deps, o.q1, letter.id, { kind: 'take' });
    await performAction(deps, o.q1, letter.id, { kind: 'close', note: null });
    expect(await search()).toEqual([]);
    expect(await search(['done'])).toEqual([letter.number]);
    await performAction(deps, o.q1, letter.id, { kind: 'reopen', reason: 'ส่งเอกสารเพิ่ม' });
    expect(await search()).toEqual([letter.number]);
    // Back as it was for the tests after this one: done, with the letter they know as done.
    await performAction(deps, o.q1, letter.id, { kind: 'close', note: null });
  });

  it('shows a letter found by its words as the queue shows it, whatever moves it', async () => {
    // A search of the queue reads the open letters' own rows (open_words), with copies of their
    // work rows: each move must reach those copies, or a search would show a state, a wait date
    // or a deadline the queue no longer does, or a letter made secret.
    const letter = await arrives('2026-11-19T05:00:00Z', {
      title: 'ขอความอนุเคราะห์ตรวจสุขภาพประจำปี',
      urgency: 'ด่วนภายใน',
      urgencyDeadline: '2026-11-28',
    });
    // Found as the queue asks (page and counts in one statement, from open_words alone), and as
    // the register's order and exact counts ask (open_words looked up by id).
    const inBoth = async (officer: Officer, filter: Partial<QueueQuery> = {}) => {
      const search = { ...filter, search: 'ตรวจสุขภาพ' };
      const [queue, found, inOrder] = await Promise.all([
        page(officer, filter),
        page(officer, search),
        page(officer, { ...search, order: 'number', exactCounts: true }),
      ]);
      const inQueue = queue.items.filter((i) => i.id === letter.id);
      for (const way of [found, inOrder]) {
        expect(way.items).toEqual(inQueue);
        expect(way.total).toBe(inQueue.length);
      }
      return inQueue[0];
    };
    expect(await inBoth(o.q1)).toMatchObject({ state: 'assigned', deadline: expect.any(Date) });
    await performAction(deps, o.q1, letter.id, { kind: 'take' });
    expect(await inBoth(o.q1)).toMatchObject({ state: 'in_progress' });
    await performAction(deps, o.q1, letter.id, { kind: 'wait', until: '2026-11-27', note: null });
    expect(await inBoth(o.q1)).toMatchObject({ state: 'waiting', waitUntil: '2026-11-27' });
    await performAction(deps, o.q1, letter.id, { kind: 'wait', until: '2026-12-04', note: 'รอผลตรวจ' });
    expect(await inBoth(o.q1)).toMatchObject({ state: 'waiting', waitUntil: '2026-12-04' });
    await env.db.pool.query('UPDATE letter_work SET deadline = NULL WHERE letter_id = $1', [letter.id]);
    expect(await inBoth(o.q1)).toMatchObject({ deadline: null });
    // The agency filter reads the copy of the agency (and the words, the new agency's).
    await env.db.pool.query('UPDATE letter SET agency = $2 WHERE id = $1', [letter.id, 'โรงพยาบาลส่งเสริมสุขภาพตำบล']);
    expect(await inBoth(o.q1, { agency: 'โรงพยาบาลส่งเสริมสุขภาพตำบล' })).toMatchObject({ agency: 'โรงพยาบาลส่งเสริมสุขภาพตำบล' });
    expect(await page(o.q1, { search: 'ส่งเสริมสุขภาพ' }).then((p) => p.items.map((i) => i.id))).toEqual([letter.id]);
    // Made secret: gone for an officer without clearance, there for one with it.
    await env.db.pool.query(`UPDATE letter SET restricted = true, secrecy = 'ลับ' WHERE id = $1`, [letter.id]);
    expect(await inBoth(o.q1)).toBeUndefined();
    expect(await inBoth(o.head)).toMatchObject({ restricted: true, state: 'waiting' });
    await env.db.pool.query(`UPDATE letter SET restricted = false, secrecy = NULL WHERE id = $1`, [letter.id]);
    // Closed: in neither (and so as it was for the tests after this one).
    await performAction(deps, o.q1, letter.id, { kind: 'close', note: null });
    expect(await inBoth(o.q1)).toBeUndefined();
    expect(await inBoth(o.head)).toBeUndefined();
  });

  it('counts a search from the search rows and the work rows, without reading the register', async () => {
    // With a handful of letters the planner rightly reads them all; told not to, it must have the indexes to turn to.
    const { counts } = queueStatements(o.admin, { search: 'ประชุม ๐๒๐๑', states: ['assigned', 'done'], limit: 50, offset: 0 });
    const client = await env.db.pool.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const { rows } = await client.query({ ...counts!, text: `EXPLAIN (FORMAT JSON) ${counts!.text}` });
      const plan = JSON.stringify(rows[0]);
      expect(plan).toMatch(/"Relation Name":"letter_words"/);
      expect(plan).toMatch(/"Relation Name":"letter_work"/);
      expect(plan).not.toMatch(/"Relation Name":"letter"/);
      expect(plan).not.toMatch(/"Node Type":"Seq Scan"/);
    } finally {
      await client.query('RESET enable_seqscan');
      client.release();
    }
  });

  it('gives one letter in full: register fields, who has had it, what the sender was sent, and its history', async () => {
    const detail = await findLetterDetail(env.db.pool, o.q1, letters.done.id);
    expect(detail).toMatchObject({
      letter: { id: letters.done.id, book: 'RB', number: letters.done.number, title: 'เรื่องที่เสร็จแล้ว' },
      state: 'done',
      stateName: 'เสร็จ',
      assignments: [
        {
          purpose: 'act',
          source: 'routing',
          rule: null,
          unit: { code: 'Q' },
          officer: { username: 'q1' },
          endedHow: 'done',
          endedBy: { username: 'q1' },
        },
      ],
      receipts: [{ kind: 'acknowledgement', status: 'pending', recipient: 'saraban@moe.go.th' }],
    });
    expect(detail!.history.map((h) => [h.actor, h.action])).toEqual([
      ['system', 'letter.registered'],
      ['system', 'letter.routed'],
      ['officer:q1', 'letter.take'],
      ['officer:q1', 'letter.close'],
    ]);
  });

  it('reports an acknowledgement that came back undelivered as bounced', async () => {
    await env.db.pool.query(`UPDATE reply SET status = 'failed', last_error = 'bounced: 550 5.1.1 no such user' WHERE letter_id = $1`, [
      letters.urgent.id,
    ]);
    const detail = await findLetterDetail(env.db.pool, o.q1, letters.urgent.id);
    expect(detail!.receipts).toMatchObject([{ status: 'bounced', lastError: 'bounced: 550 5.1.1 no such user' }]);
  });

  it('gives nothing of a letter the officer may not see', async () => {
    expect(await findLetterDetail(env.db.pool, o.other1, letters.plain.id)).toBeNull();
    expect(await findLetterDetail(env.db.pool, o.q1, letters.secret.id)).toBeNull();
  });

  it('lists for a supervisor the messages held as ลับที่สุด and the suspect letters, with what was decided and why', async () => {
    const held = await keepMessage(env.db.pool, 'Subject: ลับที่สุด เรื่อง แผนป้องกันประเทศ\n\nx\n');
    await recordNotRegistered(
      env.db.pool,
      {
        inboundId: held,
        outcome: 'held',
        decision: { reason: 'top-secret', subject: 'ลับที่สุด เรื่อง แผนป้องกันประเทศ', secrecy: 'ลับที่สุด' },
        reply: { kind: 'notice', reason: 'top-secret', recipient: 'saraban@moe.go.th', messageId: `<notice.${held}@example.go.th>` },
        replyLimits: replyRules(),
      },
      () => new Date('2026-11-19T04:00:00Z'),
    );
    const list = await listHeldAndSuspect(env.db.pool, o.head, 50);
    expect(list.held).toEqual([
      {
        inboundId: held,
        receivedAt: expect.any(Date),
        mailFrom: 'saraban@moe.go.th',
        decision: { reason: 'top-secret', subject: 'ลับที่สุด เรื่อง แผนป้องกันประเทศ', secrecy: 'ลับที่สุด' },
        noticeStatus: 'pending',
      },
    ]);
    expect(list.suspect).toEqual([
      expect.objectContaining({
        id: letters.suspect.id,
        authenticity: { verdict: 'forged', dmarc: 'fail', spf: 'fail', dkim: 'none' },
        state: 'assigned',
      }),
    ]);
    // An admin without secret clearance sees the suspect letters, not what is held.
    expect(await listHeldAndSuspect(env.db.pool, o.admin, 50)).toMatchObject({ held: [], suspect: [{ id: letters.suspect.id }] });
  });
});
