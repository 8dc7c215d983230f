import type { Action } from '../../letter/transitions';
import { performAction, routeNewLetter, type WorkDeps } from '../../registry/work';
import { makeOfficer, startTestDesk, type TestDesk } from '../support/desk';
import { addUnit, registerTestLetter, useDeskDatabase } from '../support/letters';
import { replyRules } from '../support/services';

// The register page (ทะเบียนหนังสือรับ) through fastify's inject(), against the real PostgreSQL
// and Redis: a book and year, every state in the order of the numbers, the regulation's
// columns, the queue's search and filters, pages of it, and only what the officer may see.
describe('the register page', () => {
  const env = useDeskDatabase();
  let desk: TestDesk;
  const routing = { centralUnit: 'SARABAN', rules: [{ name: 'กองแผน', when: { titleWords: ['แผน'] }, to: { unit: 'PLAN' } }] };
  const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
  // The desk's clock: 10 March 2026, so the register opens at พ.ศ. 2569.
  const now = new Date('2026-03-10T03:00:00Z');
  const books = [
    { code: 'RB', name: 'ทะเบียนหนังสือรับ', addresses: ['saraban@example.go.th'] },
    { code: 'RS', name: 'ทะเบียนรับหนังสือโรงเรียน', addresses: ['school@example.go.th'] },
  ];
  let clerk: Awaited<ReturnType<typeof makeOfficer>>;
  let head: Awaited<ReturnType<typeof makeOfficer>>;
  let cookie: string;
  const ids: Record<string, number> = {};

  let day = 0;
  async function arrives(
    name: string,
    title: string,
    details: Parameters<typeof registerTestLetter>[1] = {},
    options: Parameters<typeof registerTestLetter>[2] = {},
  ) {
    const letter = await registerTestLetter(
      env.db.pool,
      { title, ...details },
      { at: new Date(Date.UTC(2026, 1, 1 + ++day, 2)), ...options },
    );
    await routeNewLetter(env.db.pool, letter.id, routing, () => now);
    ids[name] = letter.id;
    return letter;
  }

  async function act(who: typeof clerk, name: string, ...actions: Action[]) {
    const work: WorkDeps = { pool: env.db.pool, clock: () => now, replies: { limits: replyRules(), host: 'example.go.th' } };
    for (const action of actions) expect(await performAction(work, who, ids[name], action)).toMatchObject({ kind: 'done' });
  }

  async function signIn(who: { username: string; password: string }): Promise<string> {
    const res = await desk.app.inject({
      method: 'POST',
      url: '/login',
      headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ username: who.username, password: who.password }).toString(),
    });
    expect(res.statusCode).toBe(303);
    const c = res.cookies.find((x) => x.name.endsWith('saraban-session'))!;
    return `${c.name}=${c.value}`;
  }

  const open = (url: string, as = cookie) => desk.app.inject({ method: 'GET', url, headers: { ...BROWSER, cookie: as } });
  /** The register numbers listed, in the page's order. */
  const numbers = (body: string) =>
    [...body.matchAll(/<td class="num" data-label="เลขทะเบียนรับ"><a href="\/letters\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);

  beforeAll(async () => {
    await addUnit(env.db.pool, 'SARABAN', 'งานสารบรรณกลาง');
    await addUnit(env.db.pool, 'PLAN', 'กองแผนงาน');
    desk = await startTestDesk(env.db, { desk: { secureCookies: false, login: { perMinute: 1000 } }, routing, books }, () => now);
    clerk = await makeOfficer(env.db, 'officer', { unitCode: 'SARABAN' });
    head = await makeOfficer(env.db, 'supervisor', { unitCode: 'SARABAN' });
    await makeOfficer(env.db, 'officer', { unitCode: 'PLAN' });

    // Last year's register: number 1 of 2568.
    const lastYear = await registerTestLetter(env.db.pool, { title: 'หนังสือปีที่แล้ว' }, { at: new Date('2025-06-02T03:00:00Z') });
    await routeNewLetter(env.db.pool, lastYear.id, routing, () => now);
    // This year's, numbers 1 to 6 of RB, one of them another unit's.
    await arrives('meeting', 'ขอเชิญประชุมคณะกรรมการ', {
      reference: 'ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑',
      referenceNormalised: 'มท 0201.2/ว 5951',
      letterDate: '2026-01-28',
      letterDateWritten: '๒๘ มกราคม ๒๕๖๙',
      agency: 'กระทรวงมหาดไทย',
      addressee: 'ผู้ว่าราชการจังหวัด',
      urgency: 'ด่วนที่สุด',
    });
    await arrives('data', 'ขอความอนุเคราะห์ข้อมูลบุคลากร', { agency: 'สำนักงานสถิติแห่งชาติ' });
    await arrives('plan', 'ส่งแผนปฏิบัติราชการ', { agency: 'สำนักงบประมาณ' });
    await arrives('forged', 'แจ้งโอนเงินด่วน', { suspect: true, agency: 'ธนาคารปลอม' });
    await arrives('mistake', 'หนังสือลงรับผิด', { agency: 'กระทรวงมหาดไทย' });
    await arrives('open', 'ขอเชิญร่วมงานวันเด็ก', { agency: 'กระทรวงศึกษาธิการ' });
    // Another book's letter.
    await arrives('school', 'รายงานผลการเรียน', {}, { book: 'RS' });

    await act(
      clerk,
      'meeting',
      { kind: 'take' },
      { kind: 'record', text: 'แจ้งเวียนทุกกองแล้ว', replyNumber: 'มท 0201.3/123' },
      { kind: 'close', note: null },
    );
    await act(clerk, 'data', { kind: 'return', reason: 'ส่งผิดหน่วยงาน' });
    await act(head, 'mistake', { kind: 'annul', reason: 'ลงทะเบียนซ้ำ' });
    cookie = await signIn(clerk);
  });

  afterAll(async () => {
    await desk?.close();
  });

  it("opens at this year's register of the first book, every state in the order of its numbers, another unit's letter left out", async () => {
    const res = await open('/register');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('ทะเบียนหนังสือรับ (RB) ปี พ.ศ. ๒๕๖๙');
    expect(res.body).toMatch(/<option value="2569" selected>๒๕๖๙<\/option>/);
    // Done, returned, annulled and open letters alike; number 3 (กองแผน's) is not the clerk's.
    expect(numbers(res.body)).toEqual(['๑', '๒', '๔', '๕', '๖']);
    expect(res.body).toContain('พบ ๕ รายการ');
    expect(res.body).not.toContain('ส่งแผนปฏิบัติราชการ');
    // Nor is its agency offered among the filter's choices.
    expect(res.body).toContain('<option>สำนักงานสถิติแห่งชาติ</option>');
    expect(res.body).not.toContain('สำนักงบประมาณ');
    expect(res.body).not.toContain('หนังสือปีที่แล้ว');
    expect(res.body).not.toContain('รายงานผลการเรียน');
    // The queue shows the open ones only.
    const queue = await open('/');
    expect(queue.body).not.toContain('ขอเชิญประชุมคณะกรรมการ');
  });

  it("shows the regulation's columns in its order, with การปฏิบัติ and หมายเหตุ filled from what was done", async () => {
    const body = (await open('/register')).body;
    const headings = [...body.matchAll(/<th scope="col">([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(headings).toEqual(['วันที่', 'เลขทะเบียนรับ', 'ที่', 'ลงวันที่', 'จาก', 'ถึง', 'เรื่อง', 'การปฏิบัติ', 'หมายเหตุ']);
    const row = (id: number) =>
      new RegExp(`<tr>((?:(?!</tr>)[\\s\\S])*href="/letters/${id}"(?:(?!</tr>)[\\s\\S])*)</tr>`).exec(body)?.[1] ?? '';
    const meeting = row(ids.meeting);
    expect(meeting).toContain('ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑');
    expect(meeting).toContain('<td data-label="ลงวันที่">๒๘ มกราคม ๒๕๖๙</td>');
    expect(meeting).toContain('<td data-label="ถึง">ผู้ว่าราชการจังหวัด</td>');
    expect(meeting).toContain('<span class="state done">เสร็จ</span>');
    expect(meeting).toContain('แจ้งเวียนทุกกองแล้ว (หนังสือตอบ ที่ มท ๐๒๐๑.๓/๑๒๓)');
    expect(row(ids.data)).toContain('<span class="tag">ส่งคืน</span> <small>ส่งผิดหน่วยงาน</small>');
    expect(row(ids.mistake)).toContain('<span class="tag">ยกเลิก</span> <small>ลงทะเบียนซ้ำ</small>');
    expect(row(ids.forged)).toContain('<span class="tag suspect">น่าสงสัย</span>');
    // Who holds an open letter: the clerk, whose turn routing gave it.
    expect(row(ids.open)).toContain(`<span class="state assigned">มอบหมาย</span> <span class="holder">${clerk.name}</span>`);
  });

  it('finds a letter by a Thai word written without spaces, and by its reference in Thai or Arabic digits', async () => {
    expect(numbers((await open(`/register?q=${encodeURIComponent('ประชุม')}`)).body)).toEqual(['๑']);
    expect(numbers((await open(`/register?q=${encodeURIComponent('อนุเคราะห์')}`)).body)).toEqual(['๒']);
    expect(numbers((await open(`/register?q=${encodeURIComponent('๐๒๐๑')}`)).body)).toEqual(['๑']);
    expect(numbers((await open('/register?q=5951')).body)).toEqual(['๑']);
    // Another unit's letter is not found either.
    const hidden = await open(`/register?q=${encodeURIComponent('แผนปฏิบัติ')}`);
    expect(numbers(hidden.body)).toEqual([]);
    expect(hidden.body).toContain('ไม่พบหนังสือในทะเบียนนี้');
  });

  it('filters by state, urgency, agency and the dates received, and reads a form sent with its empty fields as no filter', async () => {
    expect(numbers((await open('/register?state=done')).body)).toEqual(['๑']);
    expect(numbers((await open('/register?state=returned,annulled')).body)).toEqual(['๒', '๕']);
    expect(numbers((await open(`/register?urgency=${encodeURIComponent('ด่วนที่สุด')}`)).body)).toEqual(['๑']);
    expect(numbers((await open(`/register?agency=${encodeURIComponent('กระทรวงมหาดไทย')}`)).body)).toEqual(['๑', '๕']);
    // Received 2 to 5 February (Bangkok): numbers 1 to 4, of which the clerk sees 1, 2 and 4.
    expect(numbers((await open('/register?from=2026-02-02&to=2026-02-05')).body)).toEqual(['๑', '๒', '๔']);
    const asSent = await open('/register?book=RB&year=2569&q=&state=&urgency=&agency=&from=&to=');
    expect(asSent.statusCode).toBe(200);
    expect(numbers(asSent.body)).toEqual(['๑', '๒', '๔', '๕', '๖']);
    // The queue's form too (the same filters).
    expect((await open('/?q=&urgency=&from=&to=')).statusCode).toBe(200);
  });

  it('opens another year and another book, and says so when the book does not exist', async () => {
    const lastYear = await open('/register?year=2568');
    expect(lastYear.body).toContain('หนังสือปีที่แล้ว');
    expect(numbers(lastYear.body)).toEqual(['๑']);
    const school = await open('/register?book=RS');
    expect(school.body).toContain('ทะเบียนรับหนังสือโรงเรียน (RS) ปี พ.ศ. ๒๕๖๙');
    expect(school.body).toContain('รายงานผลการเรียน');
    expect(numbers(school.body)).toEqual(['๑']);
    const none = await open('/register?book=NOPE');
    expect(none.statusCode).toBe(404);
    expect(none.body).toContain('ไม่มีทะเบียน NOPE');
  });

  it('is paginated, each page keeping the book, the year and the filters in its links', async () => {
    const first = await open('/register?limit=2&state=done,returned,annulled,assigned,registered');
    expect(numbers(first.body)).toEqual(['๑', '๒']);
    const next = /<a rel="next" href="([^"]+)">ถัดไป<\/a>/.exec(first.body)?.[1].replaceAll('&amp;', '&');
    expect(next).toBeDefined();
    const params = new URLSearchParams(next!.slice(1));
    expect(Object.fromEntries(params)).toMatchObject({ book: 'RB', year: '2569', limit: '2', offset: '2' });
    const second = await open(`/register${next}`);
    expect(numbers(second.body)).toEqual(['๔', '๕']);
    expect(second.body).toContain('๓–๔ จาก ๕');
    const last = await open(`/register?limit=2&offset=4`);
    expect(numbers(last.body)).toEqual(['๖']);
    expect(last.body).not.toContain('rel="next"');
  });

  it('shows a supervisor the letters of their unit, and sends a browser not signed in to sign in', async () => {
    expect(numbers((await open('/register', await signIn(head))).body)).toEqual(['๑', '๒', '๔', '๕', '๖']);
    const bare = await desk.app.inject({ method: 'GET', url: '/register?year=2568', headers: BROWSER });
    expect(bare.statusCode).toBe(303);
    expect(bare.headers.location).toBe(`/login?next=${encodeURIComponent('/register?year=2568')}`);
  });
});
