import { Queue } from 'bullmq';
import { toThaiDigits } from '../../letter/calendar';
import { TO_COMPLETE } from '../../letter/letter';
import { routeNewLetter } from '../../registry/work';
import { MAIL_QUEUE, replyJobId } from '../../worker/queues';
import { BROWSER, makeOfficer, signInAsBrowser, startTestDesk, type TestDesk } from '../support/desk';
import { addUnit, registerLetterWithPdf, registerTestLetter, useDeskDatabase } from '../support/letters';
import { REDIS_URL, samplePdf } from '../support/services';

// A letter's page and its action forms through fastify's inject(), against the real PostgreSQL
// and Redis: what the page shows and to whom, and every action taken through its form, with
// the same rules as the API (POST /api/letters/:id/actions).
describe("a letter's page", () => {
  const env = useDeskDatabase();
  let desk: TestDesk;
  const routing = { centralUnit: 'SARABAN', rules: [{ name: 'กองแผน', when: { titleWords: ['แผน'] }, to: { unit: 'PLAN' } }] };
  const pdf = samplePdf();
  type Who = Awaited<ReturnType<typeof makeOfficer>>;
  let clerk: Who;
  let planner: Who;
  let head: Who;
  const cookies = new Map<string, string>();

  /** A letter with a text file and then a real PDF, registered and routed as the letters job would. */
  async function letter(title: string, details: Parameters<typeof registerTestLetter>[1] = {}): Promise<number> {
    const text = { filename: 'บันทึก.txt', contentType: 'text/plain', size: 10, sha256: '0'.repeat(64) };
    const registered = await registerLetterWithPdf(env.db.pool, pdf, { title, attachments: [text], ...details });
    await routeNewLetter(env.db.pool, registered.id, routing, () => new Date());
    return registered.id;
  }

  /** Signs in through the form, once per officer; answers the session cookie. */
  async function signIn(who: Who): Promise<string> {
    if (!cookies.has(who.username)) cookies.set(who.username, await signInAsBrowser(desk, who));
    return cookies.get(who.username)!;
  }

  const open = async (who: Who, url: string) => desk.app.inject({ method: 'GET', url, headers: { ...BROWSER, cookie: await signIn(who) } });

  /** Posts one of the page's forms as a browser would: the page first, for its CSRF token. */
  async function submit(who: Who, id: number, fields: Record<string, string | string[]>, options: { csrf?: boolean } = {}) {
    const form = new URLSearchParams();
    if (options.csrf !== false) {
      const page = await open(who, '/');
      form.append('_csrf', /name="_csrf" value="([^"]+)"/.exec(page.body)![1]);
    }
    for (const [k, v] of Object.entries(fields)) for (const value of [v].flat()) form.append(k, value);
    return desk.app.inject({
      method: 'POST',
      url: `/letters/${id}/actions`,
      headers: { ...BROWSER, cookie: await signIn(who), 'content-type': 'application/x-www-form-urlencoded' },
      payload: form.toString(),
    });
  }

  const stateOf = async (id: number) =>
    (
      await env.db.pool.query('SELECT state, to_char(wait_until, $2) AS wait_until FROM letter_work WHERE letter_id = $1', [
        id,
        'YYYY-MM-DD',
      ])
    ).rows[0];

  /** Expects a form's 303 back to the letter with its banner, and answers the page it leads to. */
  async function done(who: Who, id: number, fields: Record<string, string | string[]>) {
    const res = await submit(who, id, fields);
    expect([fields.kind, res.statusCode, res.headers.location]).toEqual([fields.kind, 303, `/letters/${id}?done=${fields.kind}`]);
    return open(who, String(res.headers.location));
  }

  beforeAll(async () => {
    await addUnit(env.db.pool, 'SARABAN', 'งานสารบรรณกลาง');
    await addUnit(env.db.pool, 'PLAN', 'กองแผนงาน');
    desk = await startTestDesk(env.db, { desk: { secureCookies: false, login: { perMinute: 1000 } }, routing });
    clerk = await makeOfficer(env.db, 'officer', { unitCode: 'SARABAN' });
    planner = await makeOfficer(env.db, 'officer', { unitCode: 'PLAN' });
    head = await makeOfficer(env.db, 'supervisor', { unitCode: 'SARABAN' });
  });

  afterAll(async () => {
    await desk?.close();
  });

  it('shows the register fields with Thai digits, the holder with the routing rule, the sender check and the receipt in Thai', async () => {
    const id = await letter('ขอเชิญประชุมคณะกรรมการ', {
      subject: 'ขอเชิญประชุม (ด่วนที่สุด)',
      reference: 'ที่ มท 0201.2/ว 5951',
      circular: true,
      letterDate: '2026-11-30',
      addressee: 'ผู้อำนวยการสำนักงาน',
      agency: 'กระทรวงมหาดไทย',
      urgency: 'ด่วนที่สุด',
      authenticity: {
        verdict: 'authentic',
        reason: 'dmarc=pass',
        source: 'smtp',
        spf: 'pass',
        spfDomain: 'moe.go.th',
        dkim: [{ domain: 'moe.go.th', result: 'pass', aligned: true }],
        dmarc: 'pass',
        arc: null,
        fromDomain: 'moe.go.th',
      },
      flags: ['pdf-no-text-layer'],
    });
    const { rows } = await env.db.pool.query('SELECT number, year FROM letter WHERE id = $1', [id]);
    const res = await open(clerk, `/letters/${id}`);
    expect([res.statusCode, res.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    const body = res.body;
    expect(body).toContain(`<h1>หนังสือรับเลขที่ ${toThaiDigits(`${rows[0].number}/${rows[0].year}`)}</h1>`);
    expect(body).toContain('ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑');
    expect(body).toContain('<dt>ลงวันที่</dt><dd>๓๐ พฤศจิกายน ๒๕๖๙</dd>');
    expect(body).toContain('<dt>หนังสือเวียน</dt><dd>ใช่</dd>');
    expect(body).toContain('<dt>ถึง / เรียน</dt><dd>ผู้อำนวยการสำนักงาน</dd>');
    expect(body).toContain('กระทรวงมหาดไทย');
    expect(body).toContain('<dt>ชั้นความเร็ว</dt><dd><span class="tag urgency">ด่วนที่สุด</span></dd>');
    expect(body).toContain('<dt>หัวข้ออีเมล</dt><dd>ขอเชิญประชุม (ด่วนที่สุด)</dd>');
    expect(body).toMatch(/<dt>วันเวลารับ<\/dt><dd>วันที่ [๐-๙]+ \S+ ๒๕[๐-๙]{2} เวลา [๐-๙]{2}\.[๐-๙]{2} น\.<\/dd>/);
    // Every number and date of the register in Thai digits.
    expect(/<dl class="fields">[\s\S]*?<\/dl>/.exec(body)![0]).not.toMatch(/[0-9]/);
    // Who holds it: the central unit's officer in turn, no rule matched.
    expect(body).toContain(`<dt>ผู้รับผิดชอบ</dt><dd>${clerk.name} (งานสารบรรณกลาง)</dd>`);
    expect(body).toContain('ระบบ (ไม่ตรงกฎใด: หน่วยงานกลาง)');
    expect(body).toContain('<span class="state assigned">มอบหมาย</span>');
    expect(body).toContain('<strong>ตรวจสอบแล้ว</strong>');
    expect(body).toMatch(/<dt>SPF<\/dt><dd>ผ่าน/);
    expect(body).toMatch(/<dt>DMARC<\/dt><dd>ผ่าน/);
    expect(body).toContain('ไฟล์ PDF เป็นภาพสแกน');
    expect(body).toMatch(/<td>หนังสือตอบรับ<\/td>\s*<td>saraban@moe\.go\.th<\/td>\s*<td><span class="receipt pending">รอส่ง<\/span>/);
    expect(body).toContain(`<a href="/api/letters/${id}/attachments/1">บันทึก.txt</a>`);
    expect(body).toContain(`<a href="/api/letters/${id}/original">`);
    expect(body).toContain('<strong>ลงทะเบียนรับ เลขที่ ');
    // An officer who holds it may take it; annulling is a supervisor's.
    expect(body).toContain('<input type="hidden" name="kind" value="take">');
    expect(body).not.toContain('value="annul"');
    expect((await open(head, `/letters/${id}`)).body).toContain('<input type="hidden" name="kind" value="annul">');
  });

  it('shows the first PDF inline in a frame the desk allows itself, with the file served inline beside', async () => {
    const id = await letter('หนังสือแนบไฟล์');
    const res = await open(clerk, `/letters/${id}`);
    // The second file is the PDF: the frame shows it, not the text file before it.
    expect(res.body).toContain(`<iframe class="pdf" src="/api/letters/${id}/attachments/2#navpanes=0&amp;view=FitH"`);
    expect(String(res.headers['content-security-policy'])).toContain("frame-src 'self'");
    const file = await open(clerk, `/api/letters/${id}/attachments/2`);
    expect([file.statusCode, file.headers['content-type']]).toEqual([200, 'application/pdf']);
    expect(file.headers['content-disposition']).toMatch(/^inline;/);
    expect(file.rawPayload.equals(pdf)).toBe(true);
    // Framed by the desk's own pages, and by no other site.
    expect(file.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(String(file.headers['content-security-policy'])).toContain("frame-ancestors 'self'");
  });

  it("answers another unit's officer with a 404 page, for the page and for every form, as for no letter at all", async () => {
    const id = await letter('ส่งแผนปฏิบัติราชการ');
    const nothing = await open(clerk, '/letters/99999999');
    expect(nothing.statusCode).toBe(404);
    expect(nothing.body).toContain('ไม่พบหนังสือนี้');
    const guessed = await open(clerk, `/letters/${id}`);
    expect([guessed.statusCode, guessed.body]).toEqual([404, nothing.body]);
    expect(guessed.body).not.toContain('ส่งแผนปฏิบัติราชการ');
    const forms: Array<Record<string, string>> = [
      { kind: 'take' },
      { kind: 'annul', reason: 'ลองดู' },
      { kind: 'wait', until: '2000-01-01' },
    ];
    for (const fields of forms) {
      const res = await submit(clerk, id, fields);
      expect([fields.kind, res.statusCode, res.body.includes('ส่งแผนปฏิบัติราชการ')]).toEqual([fields.kind, 404, false]);
    }
    expect((await stateOf(id)).state).toBe('assigned');
    expect((await open(planner, `/letters/${id}`)).statusCode).toBe(200);
  });

  it('takes, records, waits, closes and reopens a letter through its forms, each back on the page with its banner', async () => {
    const id = await letter('ขอข้อมูลสถิติ');
    let page = await done(clerk, id, { kind: 'take' });
    expect(page.body).toContain('<p class="banner done" role="status">รับเรื่องแล้ว</p>');
    expect((await stateOf(id)).state).toBe('in_progress');

    page = await done(clerk, id, { kind: 'record', text: 'ส่งข้อมูลทางอีเมลแล้ว', replyNumber: 'ศธ 0206/77' });
    expect(page.body).toContain('บันทึกการปฏิบัติแล้ว');
    expect(page.body).toContain('<blockquote class="note">ส่งข้อมูลทางอีเมลแล้ว</blockquote>');
    expect(page.body).toContain('หนังสือตอบเลขที่ ศธ ๐๒๐๖/๗๗');

    const later = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    page = await done(clerk, id, { kind: 'wait', until: later, note: 'รอเอกสารจากจังหวัด' });
    expect(await stateOf(id)).toEqual({ state: 'waiting', wait_until: later });
    expect(page.body).toMatch(/<span class="state waiting">รอ<\/span> ถึง [๐-๙]+ /);

    page = await done(clerk, id, { kind: 'close', note: '' });
    expect((await stateOf(id)).state).toBe('done');
    expect(page.body).toContain('ปิดเรื่องแล้ว');
    expect(page.body).toContain('<input type="hidden" name="kind" value="reopen">');
    expect(page.body).not.toContain('value="close"');

    page = await done(clerk, id, { kind: 'reopen', reason: 'ต้องแก้ไขหนังสือตอบ' });
    expect((await stateOf(id)).state).toBe('in_progress');
    expect(page.body).toContain('สถานะ เสร็จ → ดำเนินการ');
  });

  it('completes a letter whose ที่ and ลงวันที่ could not be read through its form, and offers no such form on one read whole', async () => {
    const id = await letter('หนังสือสแกน', { reference: null, referenceNormalised: null, letterDate: null, flags: [TO_COMPLETE] });
    let page = await open(clerk, `/letters/${id}`);
    expect(page.body).toContain('อ่านเลขที่หรือวันที่ของหนังสือไม่ได้: รอเจ้าหน้าที่ลงรายละเอียด');
    expect(page.body).toContain('<input type="hidden" name="kind" value="complete">');
    expect(page.body).toContain('<input id="complete-title" name="title" maxlength="1000" value="หนังสือสแกน">');

    page = await done(clerk, id, { kind: 'complete', reference: 'ศธ ๐๔๐๐๒/ว ๑๒๓', letterDate: '2026-01-05', title: '' });
    expect(page.body).toContain('<p class="banner done" role="status">ลงรายละเอียดแล้ว</p>');
    expect(page.body).toContain('ที่ ศธ ๐๔๐๐๒/ว ๑๒๓ · ลงวันที่ ');
    expect(page.body).not.toContain('value="complete"');
    expect(page.body).not.toContain('รอเจ้าหน้าที่ลงรายละเอียด');
    const { rows } = await env.db.pool.query(
      `SELECT reference, to_char(letter_date, 'YYYY-MM-DD') AS letter_date, title, flags FROM letter WHERE id = $1`,
      [id],
    );
    expect(rows[0]).toEqual({ reference: 'ศธ ๐๔๐๐๒/ว ๑๒๓', letter_date: '2026-01-05', title: 'หนังสือสแกน', flags: [] });
    const again = await submit(clerk, id, { kind: 'complete', reference: 'ศธ 1/1', letterDate: '', title: '' });
    expect(again.statusCode).toBe(409);

    const whole = await letter('หนังสืออ่านได้ครบ');
    expect((await open(clerk, `/letters/${whole}`)).body).not.toContain('value="complete"');
  });

  it('answers a form that breaks a rule with the letter page again, its banner saying why, and nothing changed', async () => {
    const id = await letter('หนังสือทดสอบการปฏิเสธ');
    await done(clerk, id, { kind: 'take' });
    const past = await submit(clerk, id, { kind: 'wait', until: '2001-01-01', note: '' });
    expect(past.statusCode).toBe(400);
    expect(past.body).toContain('<p class="banner error" role="alert">ข้อมูลไม่ครบถ้วน: the date to wait until');
    expect(past.body).toContain('<h1>หนังสือรับเลขที่ ');
    const reopen = await submit(clerk, id, { kind: 'reopen', reason: 'ลองเปิด' });
    expect(reopen.statusCode).toBe(409);
    expect(reopen.body).toContain('เปิดเรื่องอีกครั้งไม่ได้ เนื่องจากหนังสืออยู่ในสถานะ ดำเนินการ');
    const nobody = await submit(clerk, id, { kind: 'forward', to: '', purpose: 'act' });
    expect(nobody.statusCode).toBe(400);
    expect(nobody.body).toContain('เลือกหน่วยงานหรือเจ้าหน้าที่ที่จะส่งถึง');
    expect((await stateOf(id)).state).toBe('in_progress');
  });

  it('forwards a letter to another unit to act, and a copy to an officer to know, who acknowledges it', async () => {
    const id = await letter('ขอความร่วมมือสำรวจ');
    const page = await open(clerk, `/letters/${id}`);
    // The choices: the units, and the officers on duty.
    expect(page.body).toMatch(/<option value="unit:\d+">กองแผนงาน<\/option>/);
    expect(page.body).toContain(`>${planner.name} (กองแผนงาน)</option>`);
    const plan = /<option value="(unit:\d+)">กองแผนงาน<\/option>/.exec(page.body)![1];

    await done(clerk, id, { kind: 'forward', to: `officer:${head.id}`, purpose: 'know', note: 'เพื่อโปรดทราบ' });
    const forwarded = await done(clerk, id, { kind: 'forward', to: plan, purpose: 'act', note: 'โปรดพิจารณาดำเนินการ' });
    expect((await stateOf(id)).state).toBe('assigned');
    expect(forwarded.body).toContain('<strong>ส่งต่อถึง กองแผนงาน เพื่อดำเนินการ</strong>');
    expect(forwarded.body).toContain('<dt>ผู้รับผิดชอบ</dt><dd>กองแผนงาน</dd>');
    // The clerk sees it still (they had it), but it is no longer theirs to take.
    expect(forwarded.body).not.toContain('value="take"');
    expect((await open(planner, `/letters/${id}`)).body).toContain('<input type="hidden" name="kind" value="take">');

    const copy = await open(head, `/letters/${id}`);
    expect(copy.body).toContain('<input type="hidden" name="kind" value="acknowledge">');
    const acknowledged = await done(head, id, { kind: 'acknowledge' });
    expect(acknowledged.body).toContain('รับทราบแล้ว');
    expect(acknowledged.body).not.toContain('value="acknowledge"');
  });

  it("takes a supervisor's order with an assignment to act and a copy to know, the order shown to no one else", async () => {
    const id = await letter('ขอเชิญร่วมงาน');
    expect((await open(clerk, `/letters/${id}`)).body).not.toContain('value="order"');
    const form = await open(head, `/letters/${id}`);
    expect(form.body).toContain('<input type="hidden" name="kind" value="order">');
    const plan = /<option value="(unit:\d+)">กองแผนงาน<\/option>/.exec(form.body)![1];
    const ordered = await done(head, id, { kind: 'order', text: 'มอบ กองแผนงาน ดำเนินการ', act: plan, know: [`officer:${clerk.id}`] });
    expect(ordered.body).toContain('<strong>เกษียณหนังสือ / สั่งการ</strong>');
    expect(ordered.body).toContain('<blockquote class="note">มอบ กองแผนงาน ดำเนินการ</blockquote>');
    expect(ordered.body).toContain(`มอบ กองแผนงาน เพื่อดำเนินการ · มอบ ${clerk.name} เพื่อทราบ`);
    expect(ordered.body).toContain('<dt>ผู้รับผิดชอบ</dt><dd>กองแผนงาน</dd>');
    expect((await stateOf(id)).state).toBe('assigned');
    // An order says something: an empty one is refused as the API refuses it.
    const empty = await submit(head, id, { kind: 'order', text: ' ', act: '' });
    expect(empty.statusCode).toBe(400);
  });

  it("returns a letter to its sender through the form, and queues the notice with the officer's reason", async () => {
    const id = await letter('หนังสือที่ส่งผิดหน่วยงาน');
    const page = await open(clerk, `/letters/${id}`);
    expect(page.body).toMatch(
      /<form method="post" action="\/letters\/\d+\/actions" data-confirm="[^"]+">\s*<input type="hidden" name="_csrf" value="[^"]+">\s*<input type="hidden" name="kind" value="return">/,
    );
    const returned = await done(clerk, id, { kind: 'return', reason: 'ไม่ใช่หนังสือของหน่วยงานนี้' });
    expect((await stateOf(id)).state).toBe('returned');
    expect(returned.body).toContain('ส่งคืนหนังสือแล้ว');
    expect(returned.body).toContain('หนังสือแจ้งการส่งคืน');
    const { rows } = await env.db.pool.query(`SELECT id, detail FROM reply WHERE letter_id = $1 AND reason = 'returned'`, [id]);
    expect(rows[0].detail).toEqual({ returnedBecause: 'ไม่ใช่หนังสือของหน่วยงานนี้' });
    const queue = new Queue(MAIL_QUEUE, { connection: { url: REDIS_URL }, prefix: desk.config.redis.prefix });
    try {
      expect(await queue.getJob(replyJobId(rows[0].id))).toBeDefined();
    } finally {
      await queue.close();
    }
  });

  it('refuses an officer who annuls with a 403 page saying why, and annuls for their supervisor', async () => {
    const id = await letter('ลงรับซ้ำ');
    const refused = await submit(clerk, id, { kind: 'annul', reason: 'ลงรับซ้ำกับเลขเดิม' });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(refused.body).toContain('<p class="banner error" role="alert">ท่านไม่มีสิทธิ์ยกเลิกหนังสือนี้');
    expect(refused.body).toContain('<h1>หนังสือรับเลขที่ ');
    expect((await stateOf(id)).state).toBe('assigned');

    const annulled = await done(head, id, { kind: 'annul', reason: 'ลงรับซ้ำกับเลขเดิม' });
    expect((await stateOf(id)).state).toBe('annulled');
    expect(annulled.body).toContain('ยกเลิกหนังสือแล้ว');
    expect(annulled.body).toContain('ไม่มีการดำเนินการที่ท่านทำได้กับหนังสือนี้ในสถานะนี้');
  });

  it('refuses a form posted without the CSRF token, and changes nothing', async () => {
    const id = await letter('หนังสือทดสอบ CSRF');
    const res = await submit(clerk, id, { kind: 'take' }, { csrf: false });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('CSRF');
    expect((await stateOf(id)).state).toBe('assigned');
  });

  it('shows a subject and a note full of markup as text, in the fields and in the history', async () => {
    const id = await letter('<script>alert("title")</script>', { subject: '<img src=x onerror=alert(1)>' });
    await done(clerk, id, { kind: 'take' });
    const page = await done(clerk, id, { kind: 'record', text: '<script>alert("note")</script>', replyNumber: '' });
    expect(page.body).toContain('&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;');
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.body).toContain('<blockquote class="note">&lt;script&gt;alert(&quot;note&quot;)&lt;/script&gt;</blockquote>');
    expect(page.body).not.toMatch(/<script>alert|<img src=x/);
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc="\/assets\/)/);
  });
});
