import { recordNotRegistered } from '../../registry/letters';
import { routeNewLetter } from '../../registry/work';
import { createQueues, producerConnection, replyJobId } from '../../worker/queues';
import { makeOfficer, startTestDesk, type TestDesk } from '../support/desk';
import { addUnit, registerTestLetter, useDeskDatabase } from '../support/letters';
import { keepMessage, replyRules } from '../support/services';

// The supervisor's page of held and suspect messages, and the page (and API) of the replies the
// reply windows held back, with their release: through fastify's inject(), against the real
// PostgreSQL and Redis (the released replies put on the real mail queue).
describe('the held, suspect and held-reply pages', () => {
  const env = useDeskDatabase();
  let desk: TestDesk;
  const routing = { centralUnit: 'SARABAN', rules: [] };
  const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
  const FORM = { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded' };
  // One acknowledgement an hour to an unverified sender: the rest are held for the digest.
  const oneAnHour = replyRules({ unverified: { windows: [{ minutes: 60, replies: 1 }] } });
  const school = 'clerk@school.test';
  const other = 'saraban@other.test';
  type Who = Awaited<ReturnType<typeof makeOfficer>>;
  let clerk: Who, head: Who, uncleared: Who, admin: Who;
  let suspectId: number;
  const heldFor: Record<string, number[]> = {};

  async function signIn(who: Who): Promise<{ cookie: string; csrf: string }> {
    const res = await desk.app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: new URLSearchParams({ username: who.username, password: who.password }).toString(),
    });
    expect(res.statusCode).toBe(303);
    const c = res.cookies.find((x) => x.name.endsWith('saraban-session'))!;
    const cookie = `${c.name}=${c.value}`;
    const page = await desk.app.inject({ method: 'GET', url: '/', headers: { ...BROWSER, cookie } });
    return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1] };
  }

  const open = (url: string, cookie: string) => desk.app.inject({ method: 'GET', url, headers: { ...BROWSER, cookie } });
  const post = (url: string, cookie: string, fields: Record<string, string>) =>
    desk.app.inject({ method: 'POST', url, headers: { ...FORM, cookie }, payload: new URLSearchParams(fields).toString() });
  const statusOf = async (ids: number[]) =>
    (await env.db.pool.query(`SELECT status FROM reply WHERE id = ANY($1) ORDER BY id`, [ids])).rows.map((r) => r.status);
  const releases = async (id: number) =>
    (await env.db.pool.query(`SELECT actor FROM audit_event WHERE action = 'reply.released' AND detail->>'replyId' = $1`, [String(id)]))
      .rows;

  /** Letters from one sender, their acknowledgements weighed by the window: the ids of those held. */
  async function lettersFrom(sender: string, titles: string[], details: Parameters<typeof registerTestLetter>[1] = {}) {
    for (const title of titles) {
      const letter = await registerTestLetter(
        env.db.pool,
        { title, ...details },
        { mailFrom: sender, tier: 'unverified', replyLimits: oneAnHour },
      );
      await routeNewLetter(env.db.pool, letter.id, routing, () => new Date());
    }
    const { rows } = await env.db.pool.query(`SELECT id FROM reply WHERE recipient = $1 AND status = 'held' ORDER BY id`, [sender]);
    heldFor[sender] = rows.map((r) => r.id);
  }

  beforeAll(async () => {
    await addUnit(env.db.pool, 'SARABAN', 'งานสารบรรณกลาง');
    desk = await startTestDesk(env.db, { desk: { secureCookies: false, login: { perMinute: 1000 } }, routing });
    clerk = await makeOfficer(env.db, 'officer', { unitCode: 'SARABAN' });
    head = await makeOfficer(env.db, 'supervisor', { unitCode: 'SARABAN', secretClearance: true });
    uncleared = await makeOfficer(env.db, 'supervisor', { unitCode: 'SARABAN' });
    admin = await makeOfficer(env.db, 'admin');

    const inbound = await keepMessage(env.db.pool, 'Subject: ลับที่สุด เรื่อง แผนป้องกันประเทศ\n\nx\n', 'RB', 'sender@mod.go.th');
    await recordNotRegistered(
      env.db.pool,
      {
        inboundId: inbound,
        outcome: 'held',
        decision: {
          reason: 'top-secret',
          subject: 'ลับที่สุด เรื่อง แผนป้องกันประเทศ',
          from: 'sender@mod.go.th',
          secrecy: 'ลับที่สุด',
          authenticity: { verdict: 'authentic', reason: 'dmarc=pass', spf: 'pass', dkim: [], dmarc: 'pass' },
        },
        reply: { kind: 'notice', reason: 'top-secret', recipient: 'sender@mod.go.th', messageId: `<notice.${inbound}@example.go.th>` },
        replyLimits: replyRules(),
      },
      () => new Date(),
    );
    const suspect = await registerTestLetter(env.db.pool, {
      title: 'แจ้งโอนเงิน <script>alert(1)</script>',
      subject: 'แจ้งโอนเงิน <script>alert(1)</script>',
      fromAddress: 'finance@moe.go.th',
      suspect: true,
      authenticity: {
        verdict: 'forged',
        reason: 'dmarc=fail',
        source: 'smtp',
        spf: 'fail',
        spfDomain: 'bulk.example',
        dkim: [{ domain: 'bulk.example', result: 'pass', aligned: false }],
        dmarc: 'fail',
        arc: null,
        fromDomain: 'moe.go.th',
      },
    });
    await routeNewLetter(env.db.pool, suspect.id, routing, () => new Date());
    suspectId = suspect.id;

    await lettersFrom(school, ['แจ้งผลการประชุม ครั้งที่ ๑', 'แจ้งผลการประชุม ครั้งที่ ๒', 'แจ้งผลการประชุม ครั้งที่ ๓']);
    await lettersFrom(other, ['ขอข้อมูล', 'เรื่องลับของโรงเรียน'], { secrecy: 'ลับ', restricted: true });
  });

  afterAll(async () => {
    await desk?.close();
  });

  it('shows a supervisor named for secret mail the held ลับที่สุด message and the suspect letter, with what was decided and why', async () => {
    const res = await open('/held', (await signIn(head)).cookie);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('ลับที่สุด เรื่อง แผนป้องกันประเทศ');
    expect(res.body).toContain('sender@mod.go.th');
    expect(res.body).toContain('กันไว้ ไม่ลงทะเบียนรับ');
    expect(res.body).toContain('หนังสือชั้นลับที่สุด ห้ามรับส่งทางไปรษณีย์อิเล็กทรอนิกส์');
    expect(res.body).toContain('กำลังส่งหนังสือแจ้งผู้ส่ง');
    // The suspect letter: a link to its page, the verdict and its evidence.
    expect(res.body).toContain(`<a href="/letters/${suspectId}">`);
    expect(res.body).toContain('ลงทะเบียนรับไว้ แต่ไม่ส่งตอบรับ');
    expect(res.body).toContain('ตรวจพบว่าผู้ส่งถูกปลอม');
    expect(res.body).toContain('โดเมนของผู้ส่งกำหนดนโยบาย DMARC ไว้ และข้อความนี้ไม่ผ่าน');
    expect(res.body).toContain('SPF fail (bulk.example), DKIM pass (bulk.example), DMARC fail');
    expect(res.body).toContain('แจ้งโอนเงิน &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.body).not.toContain('<script>alert');
  });

  it('keeps the held message from a supervisor not named for secret mail, and shows them the suspect letter', async () => {
    const res = await open('/held', (await signIn(uncleared)).cookie);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('แผนป้องกันประเทศ');
    expect(res.body).toContain('รายการนี้แสดงเฉพาะผู้ที่ได้รับมอบหมายให้รับหนังสือลับ');
    expect(res.body).toContain(`<a href="/letters/${suspectId}">`);
  });

  it('refuses an officer the supervisor pages with a page that says why', async () => {
    const { cookie } = await signIn(clerk);
    for (const url of ['/held', '/replies']) {
      const res = await open(url, cookie);
      expect([url, res.statusCode, res.headers['content-type']]).toEqual([url, 403, 'text/html; charset=utf-8']);
      expect(res.body).toContain('ไม่มีสิทธิ์');
      expect(res.body).not.toContain('แผนป้องกันประเทศ');
    }
    // Nor are they in the officer's menu.
    const menu = (await open('/', cookie)).body;
    expect(menu).not.toContain('href="/held"');
    expect(menu).not.toContain('href="/replies"');
  });

  it('lists the held replies for the admin by sender, with the letters, why each was held and since when, and a form to send each', async () => {
    expect(heldFor[school]).toHaveLength(2);
    expect(heldFor[other]).toHaveLength(1);
    const res = await open('/replies', (await signIn(admin)).cookie);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<h2 id="sender-0">${other} <small>(๑ ฉบับ)</small></h2>`);
    expect(res.body).toContain(`<h2 id="sender-1">${school} <small>(๒ ฉบับ)</small></h2>`);
    expect(res.body).toContain('ผู้ส่งที่ยืนยันตัวตนไม่ได้ได้รับตอบรับครบ ๑ ฉบับภายใน ๑ ชั่วโมง แล้ว');
    expect(res.body).toMatch(/<a href="\/letters\/\d+">RB [๐-๙]+\/๒๕[๐-๙]{2}<\/a>/);
    // The ลับ letter's number is not shown to an admin not named for secret mail.
    expect(res.body).toContain('หนังสือลับ');
    expect(res.body).not.toContain('เรื่องลับของโรงเรียน');
    for (const id of [...heldFor[school], ...heldFor[other]]) expect(res.body).toContain(`name="id" value="${id}"`);
    expect(res.body).toContain(`name="sender" value="${school}"`);
    expect(res.body).toContain('data-confirm="ส่งตอบรับทั้ง ๒ ฉบับที่กันไว้ถึง clerk@school.test ทันทีหรือไม่"');
    // A supervisor is refused: the list spans every unit's senders.
    expect((await open('/replies', (await signIn(head)).cookie)).statusCode).toBe(403);
  });

  it('releases one held reply through the form only with the CSRF token, once, and puts it on the mail queue', async () => {
    const { cookie, csrf } = await signIn(admin);
    const [first] = heldFor[school];
    const forged = await post('/replies/release', cookie, { id: String(first) });
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('CSRF');
    expect(await statusOf([first])).toEqual(['held']);

    const done = await post('/replies/release', cookie, { _csrf: csrf, id: String(first) });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/replies?done=released&n=1');
    expect((await open(String(done.headers.location), cookie)).body).toContain('ส่งตอบรับที่กันไว้แล้ว ๑ ฉบับ');
    expect(await statusOf([first])).toEqual(['pending']);
    expect(await releases(first)).toEqual([{ actor: `officer:${admin.username}` }]);
    const connection = producerConnection(desk.config);
    const queues = createQueues(desk.config, connection);
    try {
      expect(await queues.mail.getJob(replyJobId(first))).toMatchObject({ data: { replyId: first } });
    } finally {
      await queues.close();
      connection.disconnect();
    }

    // Again: nothing more is released, and the page says why.
    const again = await post('/replies/release', cookie, { _csrf: csrf, id: String(first) });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain(`ตอบรับรายการที่ ${first} ไม่ได้ถูกกันไว้`);
    expect(again.body).toContain('<p class="banner error" role="alert">');
    expect(await releases(first)).toHaveLength(1);
    expect(await statusOf([first])).toEqual(['pending']);

    const neither = await post('/replies/release', cookie, { _csrf: csrf });
    expect(neither.statusCode).toBe(400);
    expect(neither.body).toContain('เลือกตอบรับหนึ่งฉบับ หรือผู้ส่งหนึ่งราย');
  });

  it('releases every reply held for a sender, by its address in any letter case', async () => {
    const { cookie, csrf } = await signIn(admin);
    const res = await post('/replies/release', cookie, { _csrf: csrf, sender: 'Clerk@School.TEST' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/replies?done=released&n=1');
    expect(await statusOf(heldFor[school])).toEqual(['pending', 'pending']);
    const page = await open('/replies', cookie);
    expect(page.body).not.toContain(`name="sender" value="${school}"`);
    expect(page.body).toContain(`name="sender" value="${other}"`);
    const none = await post('/replies/release', cookie, { _csrf: csrf, sender: school });
    expect(none.statusCode).toBe(409);
    expect(none.body).toContain(`ไม่มีตอบรับที่กันไว้สำหรับ ${school}`);
  });

  it('lists and releases held replies through the API for the admin, once, described in /api/docs', async () => {
    const bearer = (who: Who) => ({ authorization: `Bearer ${who.token}` });
    const [held] = heldFor[other];
    expect((await desk.app.inject({ method: 'GET', url: '/api/replies?held=true', headers: bearer(head) })).statusCode).toBe(403);
    const list = await desk.app.inject({ method: 'GET', url: '/api/replies?held=true', headers: bearer(admin) });
    expect(list.statusCode).toBe(200);
    expect(list.json().replies).toEqual([
      expect.objectContaining({
        id: held,
        kind: 'acknowledgement',
        status: 'held',
        recipient: other,
        withheld: 'window: 1 replies in 60 minutes to a sender unverified',
        tier: 'unverified',
        letter: null,
        restricted: true,
        releasedAt: null,
      }),
    ]);
    // Without held=true: the released ones too.
    const all = await desk.app.inject({ method: 'GET', url: `/api/replies?sender=${encodeURIComponent(school)}`, headers: bearer(admin) });
    expect(all.json().replies.map((r: { id: number; status: string }) => [r.id, r.status])).toEqual(
      [...heldFor[school]].reverse().map((id) => [id, 'pending']),
    );
    expect(all.json().replies[0].letter).toEqual({
      id: expect.any(Number),
      book: 'RB',
      year: expect.any(Number),
      number: expect.any(Number),
    });

    expect((await desk.app.inject({ method: 'POST', url: `/api/replies/${held}/release`, headers: bearer(head) })).statusCode).toBe(403);
    // A session's call without its CSRF token is refused.
    const { cookie } = await signIn(admin);
    const noToken = await desk.app.inject({ method: 'POST', url: `/api/replies/${held}/release`, headers: { cookie } });
    expect([noToken.statusCode, noToken.json().code]).toEqual([403, 'csrf']);
    const released = await desk.app.inject({ method: 'POST', url: `/api/replies/${held}/release`, headers: bearer(admin) });
    expect(released.statusCode).toBe(200);
    expect(released.json()).toEqual({ released: [held], queued: true });
    const again = await desk.app.inject({ method: 'POST', url: `/api/replies/${held}/release`, headers: bearer(admin) });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ code: 'not-held', message: expect.stringContaining(`reply ${held} is not held`) });
    expect(await releases(held)).toEqual([{ actor: `officer:${admin.username}` }]);

    const docs = (await desk.app.inject({ method: 'GET', url: '/api/docs' })).json();
    expect(docs.paths['/api/replies'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['held', 'sender', 'limit']),
    );
    expect(Object.keys(docs.paths['/api/replies/{id}/release'].post.responses)).toEqual(expect.arrayContaining(['200', '409']));
  });
});
