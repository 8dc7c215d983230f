import { Queue } from 'bullmq';
import { newApiToken, secretHash } from '../../desk/auth/secret';
import type { Officer } from '../../letter/access';
import { TO_COMPLETE } from '../../letter/letter';
import { createToken } from '../../registry/officers';
import { routeNewLetter } from '../../registry/work';
import { MAIL_QUEUE, replyJobId } from '../../worker/queues';
import { BY_THE_TEST, startTestDesk, type TestDesk } from '../support/desk';
import { addOfficer, addUnit, registerLetterWithPdf, registerTestLetter, useDeskDatabase } from '../support/letters';
import { REDIS_URL, samplePdf } from '../support/services';

// The letter side of the desk's API through fastify's inject(), against the real PostgreSQL and
// Redis: what each caller may list, fetch, download and do, and what they may not even learn.
describe("the desk's letter API", () => {
  const env = useDeskDatabase();
  let desk: TestDesk;
  const o: Record<string, Officer & { token: string }> = {};
  const routing = { centralUnit: 'SARABAN', rules: [{ name: 'กองแผน', when: { titleWords: ['แผน'] }, to: { unit: 'PLAN' } }] };
  const letters: Record<string, number> = {};
  const pdf = samplePdf();

  async function officer(username: string, role: Officer['role'], unit: string | null, secretClearance = false) {
    const added = await addOfficer(env.db.pool, { username, role, unit, secretClearance });
    const token = newApiToken();
    await createToken(env.db.pool, username, secretHash(token), 'test', BY_THE_TEST);
    return { ...added, token };
  }

  /** A letter with a PDF, registered and routed as the letters job would. */
  async function letter(title: string, details: Parameters<typeof registerTestLetter>[1] = {}) {
    const registered = await registerLetterWithPdf(env.db.pool, pdf, { title, ...details });
    await routeNewLetter(env.db.pool, registered.id, routing, () => new Date());
    return registered.id;
  }

  beforeAll(async () => {
    desk = await startTestDesk(env.db, { routing });
    await addUnit(env.db.pool, 'SARABAN', 'งานสารบรรณกลาง');
    await addUnit(env.db.pool, 'PLAN', 'กองแผน');
    o.clerk = await officer('clerk', 'officer', 'SARABAN');
    o.planner = await officer('planner', 'officer', 'PLAN');
    o.head = await officer('head', 'supervisor', 'SARABAN', true);
    o.admin = await officer('admin', 'admin', null);
    letters.central = await letter('ขอเชิญประชุม');
    letters.plan = await letter('ส่งแผนปฏิบัติราชการ');
    letters.secret = await letter('เรื่องลับ', { secrecy: 'ลับ', restricted: true });
  });
  afterAll(async () => {
    await desk.close();
  });

  const get = (who: string, url: string) => desk.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${o[who].token}` } });
  const act = (who: string, id: number, payload: object) =>
    desk.app.inject({ method: 'POST', url: `/api/letters/${id}/actions`, headers: { authorization: `Bearer ${o[who].token}` }, payload });

  it('lists what the caller may see, with the counts per state, and nothing of other units', async () => {
    const clerk = await get('clerk', '/api/letters');
    expect(clerk.statusCode).toBe(200);
    expect(clerk.json()).toMatchObject({
      items: [
        {
          id: letters.central,
          state: 'assigned',
          stateName: 'มอบหมาย',
          assignee: { unit: { code: 'SARABAN' }, officer: { username: 'clerk' } },
        },
      ],
      total: 1,
      counts: { assigned: 1, done: 0 },
      capped: [],
      limit: 50,
      offset: 0,
    });
    const planner = (await get('planner', '/api/letters')).json();
    expect(planner.items.map((i: { id: number }) => i.id)).toEqual([letters.plan]);
  });

  it('takes the filters as query parameters, and refuses ones it does not know', async () => {
    const admin = (await get('admin', `/api/letters?q=${encodeURIComponent('แผน')}&state=assigned,in_progress&limit=10`)).json();
    expect(admin.items.map((i: { id: number }) => i.id)).toEqual([letters.plan]);
    // A search counts its open states, and a closed state only when asked (null: not counted).
    expect(admin.counts).toMatchObject({ assigned: 1, in_progress: 0, done: null, returned: null });
    const closedAsked = (await get('admin', `/api/letters?q=${encodeURIComponent('แผน')}&state=done`)).json();
    expect(closedAsked).toMatchObject({ items: [], total: 0, counts: { assigned: 1, done: 0, returned: null }, capped: [] });
    // An admin without secret clearance: the ลับ letter is neither listed nor counted.
    expect((await get('admin', '/api/letters')).json().total).toBe(2);
    const bad = await get('admin', '/api/letters?state=lost');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ code: 'invalid', message: expect.stringContaining('state') });
    expect((await get('admin', '/api/letters?colour=red')).statusCode).toBe(400);
  });

  it('gives one letter in full, with its files, receipts and history', async () => {
    const response = await get('clerk', `/api/letters/${letters.central}`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      letter: { id: letters.central, title: 'ขอเชิญประชุม', book: 'RB' },
      state: 'assigned',
      attachments: [{ n: 1, filename: 'หนังสือ.pdf', contentType: 'application/pdf', size: pdf.length }],
      assignments: [{ purpose: 'act', source: 'routing', rule: null, unit: { code: 'SARABAN' } }],
      receipts: [{ kind: 'acknowledgement', status: 'pending' }],
    });
    expect(body.history.map((h: { action: string }) => h.action)).toEqual(['letter.registered', 'letter.routed']);
    expect(body.letter.inboundId).toBeUndefined();
  });

  it("shows a receipt that a sender's window held for its digest as held, and why", async () => {
    const id = await letter('ขอส่งรายงานประจำเดือน');
    await env.db.pool.query(
      `UPDATE reply SET status = 'held', withheld = 'window: 20 replies in 10 minutes to a sender unverified' WHERE letter_id = $1`,
      [id],
    );
    const response = await get('clerk', `/api/letters/${id}`);
    expect(response.statusCode).toBe(200);
    expect(response.json().receipts).toMatchObject([
      { kind: 'acknowledgement', status: 'held', withheld: 'window: 20 replies in 10 minutes to a sender unverified' },
    ]);
  });

  it("answers 404, the same as for no letter at all, when an officer guesses another unit's letter, its file or its original", async () => {
    const nothing = await get('clerk', '/api/letters/99999999');
    expect(nothing.statusCode).toBe(404);
    for (const url of [
      `/api/letters/${letters.plan}`,
      `/api/letters/${letters.plan}/attachments/1`,
      `/api/letters/${letters.plan}/original`,
    ]) {
      const guessed = await get('clerk', url);
      expect([url, guessed.statusCode, guessed.json()]).toEqual([url, 404, nothing.json()]);
    }
    expect((await get('clerk', `/api/letters/${letters.secret}`)).statusCode).toBe(404);
    expect((await get('head', `/api/letters/${letters.secret}`)).statusCode).toBe(200);
  });

  it('hands over a file exactly as it came, a PDF inline under its Thai name', async () => {
    const file = await get('clerk', `/api/letters/${letters.central}/attachments/1`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toBe(`inline; filename="_______.pdf"; filename*=UTF-8''${encodeURIComponent('หนังสือ.pdf')}`);
    expect(file.rawPayload.equals(pdf)).toBe(true);
    expect((await get('clerk', `/api/letters/${letters.central}/attachments/2`)).statusCode).toBe(404);
  });

  it('hands over the original message byte for byte as a .eml', async () => {
    const original = await get('clerk', `/api/letters/${letters.central}/original`);
    expect(original.statusCode).toBe(200);
    expect(original.headers['content-type']).toBe('message/rfc822');
    expect(original.headers['content-disposition']).toMatch(/^attachment; filename="RB-\d+-\d{4}\.eml"$/);
    const { rows } = await env.db.pool.query(
      `SELECT string_agg(c.data, ''::bytea ORDER BY c.seq) AS raw FROM letter l JOIN inbound_chunk c ON c.inbound_id = l.inbound_id WHERE l.id = $1`,
      [letters.central],
    );
    expect(original.rawPayload.equals(rows[0].raw)).toBe(true);
  });

  it('answers an action 200 with the new state, 403 when it is not theirs, 409 when the state does not allow it', async () => {
    const id = await letter('เรื่องทดสอบการปฏิบัติ');
    const take = await act('clerk', id, { kind: 'take' });
    expect(take.statusCode).toBe(200);
    expect(take.json()).toEqual({ state: 'in_progress', stateName: 'ดำเนินการ', event: expect.any(Number) });

    const annul = await act('clerk', id, { kind: 'annul', reason: 'ลงรับซ้ำ' });
    expect(annul.statusCode).toBe(403);
    expect(annul.json()).toEqual({ code: 'forbidden', message: expect.stringContaining('ท่านไม่มีสิทธิ์ยกเลิกหนังสือนี้') });

    expect((await act('clerk', id, { kind: 'close', note: 'เรียบร้อย' })).statusCode).toBe(200);
    const again = await act('clerk', id, { kind: 'close' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ code: 'conflict', message: expect.stringContaining('สถานะ เสร็จ') });

    expect((await act('head', id, { kind: 'annul', reason: 'ลงรับซ้ำกับเลขรับเดิม' })).json()).toMatchObject({ state: 'annulled' });
  });

  // Return, annul and complete: the tests around this one.
  it('takes every kind of work on a letter as a JSON body, each answered with the new state and written to its history', async () => {
    const id = await letter('ขอรับการสนับสนุนวิทยากร');
    const plan = (await env.db.pool.query(`SELECT id FROM unit WHERE code = 'PLAN'`)).rows[0].id as number;
    const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const steps: Array<[string, object, string]> = [
      ['clerk', { kind: 'forward', to: { unitId: plan }, purpose: 'act', note: 'กองแผนดำเนินการ' }, 'assigned'],
      ['planner', { kind: 'take' }, 'in_progress'],
      ['head', { kind: 'order', text: 'ให้กองแผนพิจารณา และแจ้งงานสารบรรณทราบ', assign: [{ to: { officerId: o.clerk.id }, purpose: 'know' }] }, 'in_progress'],
      ['clerk', { kind: 'acknowledge' }, 'in_progress'],
      ['planner', { kind: 'record', text: 'ส่งรายชื่อวิทยากรแล้ว', replyNumber: 'ศธ 0206/123' }, 'in_progress'],
      ['planner', { kind: 'wait', until: inAMonth, note: 'รอหนังสือตอบรับ' }, 'waiting'],
      ['planner', { kind: 'close', note: null }, 'done'],
      ['planner', { kind: 'reopen', reason: 'ผู้ส่งขอเพิ่มวิทยากร' }, 'in_progress'],
    ];
    for (const [who, body, state] of steps) {
      const answer = await act(who, id, body);
      expect({ body, status: answer.statusCode, answer: answer.json() }).toEqual({
        body,
        status: 200,
        answer: { state, stateName: expect.any(String), event: expect.any(Number) },
      });
    }
    const detail = (await get('planner', `/api/letters/${id}`)).json();
    expect(detail.state).toBe('in_progress');
    expect(detail.history.map((h: { action: string }) => h.action)).toEqual([
      'letter.registered',
      'letter.routed',
      'letter.forward',
      'letter.take',
      'letter.order',
      'letter.acknowledge',
      'letter.record',
      'letter.wait',
      'letter.close',
      'letter.reopen',
    ]);
  });

  it('answers 404 to an action on a letter the caller may not see, and 400 to one that says too little', async () => {
    expect((await act('clerk', letters.plan, { kind: 'take' })).statusCode).toBe(404);
    const noReason = await act('planner', letters.plan, { kind: 'return', reason: ' ' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json()).toEqual({ code: 'invalid', message: 'give the reason for returning the letter' });
    const unknownKind = await act('planner', letters.plan, { kind: 'shred' });
    expect(unknownKind.statusCode).toBe(400);
  });

  it('completes a to-complete letter for its holder (200), and answers 400 to a date not written as one, 409 once it is complete', async () => {
    const id = await letter('หนังสือสแกน', { reference: null, referenceNormalised: null, letterDate: null, flags: [TO_COMPLETE] });
    const badDate = await act('clerk', id, { kind: 'complete', letterDate: '5 ม.ค. 2570' });
    expect(badDate.statusCode).toBe(400);
    const done = await act('clerk', id, { kind: 'complete', reference: 'ศธ 04002/123', letterDate: '2026-01-05' });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ state: 'assigned', stateName: 'มอบหมาย', event: expect.any(Number) });
    const detail = (await get('clerk', `/api/letters/${id}`)).json();
    expect(detail.letter).toMatchObject({ reference: 'ศธ 04002/123', letterDate: '2026-01-05', flags: [] });
    expect(detail.history.at(-1)).toMatchObject({ actor: 'officer:clerk', action: 'letter.complete' });
    expect((await act('clerk', id, { kind: 'complete', title: 'อื่น' })).statusCode).toBe(409);
    expect((await act('planner', id, { kind: 'complete', title: 'อื่น' })).statusCode).toBe(404);
  });

  it('queues the notice to the sender of a returned letter', async () => {
    const id = await letter('หนังสือที่จะส่งคืน');
    const returned = await act('clerk', id, { kind: 'return', reason: 'ไม่ใช่หนังสือของหน่วยงานนี้' });
    expect(returned.json()).toMatchObject({ state: 'returned' });
    const { rows } = await env.db.pool.query(`SELECT id FROM reply WHERE letter_id = $1 AND reason = 'returned'`, [id]);
    const queue = new Queue(MAIL_QUEUE, { connection: { url: REDIS_URL }, prefix: desk.config.redis.prefix });
    try {
      expect(await queue.getJob(replyJobId(rows[0].id))).toBeDefined();
    } finally {
      await queue.close();
    }
  });

  it("gives the supervisor's list to supervisors only", async () => {
    expect((await get('clerk', '/api/held')).statusCode).toBe(403);
    const list = await get('head', '/api/held');
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ held: [], suspect: [] });
  });

  it('describes every letter route in the OpenAPI document, from the schemas that check the requests', async () => {
    const doc = (await desk.app.inject({ method: 'GET', url: '/api/docs' })).json();
    for (const [path, method] of [
      ['/api/letters', 'get'],
      ['/api/letters/{id}', 'get'],
      ['/api/letters/{id}/actions', 'post'],
      ['/api/letters/{id}/attachments/{n}', 'get'],
      ['/api/letters/{id}/original', 'get'],
      ['/api/held', 'get'],
    ]) {
      expect([path, method, doc.paths[path]?.[method]?.security]).toEqual([path, method, [{ bearer: [] }, { session: [] }]]);
    }
    const body = doc.paths['/api/letters/{id}/actions'].post.requestBody.content['application/json'].schema;
    const action = doc.components.schemas[body.$ref.split('/').pop()];
    expect(action.oneOf.flatMap((kind: { properties: { kind: { enum: string[] } } }) => kind.properties.kind.enum)).toEqual([
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
    ]);
    expect(doc.paths['/api/letters'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['state', 'urgency', 'from', 'to', 'agency', 'book', 'q', 'limit', 'offset']),
    );
  });
});
