import { routeNewLetter } from '../../registry/work';
import { BROWSER, makeOfficer, signInAsBrowser, startTestDesk, type TestDesk } from '../support/desk';
import { addUnit, registerTestLetter, useDeskDatabase } from '../support/letters';

// The desk's pages through fastify's inject(), against the real PostgreSQL and Redis: signing in
// and out as a browser does, the queue page, what it escapes, and the files the pages load.
// (test/browser/ drives the same pages in a real Chromium.)
describe("the desk's pages", () => {
  const env = useDeskDatabase();
  let desk: TestDesk;
  const routing = { centralUnit: 'SARABAN', rules: [{ name: 'กองแผน', when: { titleWords: ['แผน'] }, to: { unit: 'PLAN' } }] };
  let clerk: Awaited<ReturnType<typeof makeOfficer>>;
  let planner: Awaited<ReturnType<typeof makeOfficer>>;

  async function arrives(title: string, details: Parameters<typeof registerTestLetter>[1] = {}) {
    const letter = await registerTestLetter(env.db.pool, { title, ...details });
    await routeNewLetter(env.db.pool, letter.id, routing, () => new Date());
    return letter;
  }

  const signIn = (who: { username: string; password: string }) => signInAsBrowser(desk, who);

  const open = (url: string, cookie?: string) => desk.app.inject({ method: 'GET', url, headers: { ...BROWSER, ...(cookie ? { cookie } : {}) } });

  beforeAll(async () => {
    await addUnit(env.db.pool, 'SARABAN', 'งานสารบรรณกลาง');
    await addUnit(env.db.pool, 'PLAN', 'กองแผนงาน');
    // Every test signs in afresh: more than the default brake of 10 a minute.
    desk = await startTestDesk(env.db, { desk: { secureCookies: false, login: { perMinute: 1000 } }, routing });
    clerk = await makeOfficer(env.db, 'officer', { unitCode: 'SARABAN' });
    planner = await makeOfficer(env.db, 'officer', { unitCode: 'PLAN' });
    await arrives('ขอเชิญประชุมคณะกรรมการ', { reference: 'ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑', referenceNormalised: 'มท 0201.2/ว 5951', agency: 'กระทรวงมหาดไทย', urgency: 'ด่วนที่สุด' });
    await arrives('ส่งแผนปฏิบัติราชการ');
    await arrives('<script>alert("x")</script><img src=x onerror=alert(1)>');
  });

  afterAll(async () => {
    await desk?.close();
  });

  it('shows the sign-in page in Thai, with a Content-Security-Policy that allows no inline script and nothing from elsewhere', async () => {
    const res = await open('/login');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<html lang="th">');
    expect(res.body).toMatch(/<label for="username">ชื่อผู้ใช้<\/label>/);
    expect(res.body).toMatch(/<label for="password">รหัสผ่าน<\/label>/);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/unsafe-inline|https:/);
    // Every script is a file of the desk's own.
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc="\/assets\/)/);
  });

  it('sends a browser that is not signed in to the sign-in page, and back where it was going after', async () => {
    // As a browser asks for it: the Thai word percent-encoded.
    const wanted = `/?state=done&q=${encodeURIComponent('แผน')}`;
    const res = await open(wanted);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(wanted)}`);
    const form = await open(String(res.headers.location));
    expect(form.body).toContain(`name="next" value="${wanted.replace('&', '&amp;')}"`);

    const signedIn = await desk.app.inject({
      method: 'POST',
      url: '/login',
      headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ username: clerk.username, password: clerk.password, next: wanted }).toString(),
    });
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe(wanted);
  });

  it('never sends a browser to another site after signing in', async () => {
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const res = await desk.app.inject({
        method: 'POST',
        url: '/login',
        headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ username: clerk.username, password: clerk.password, next }).toString(),
      });
      expect([next, res.headers.location]).toEqual([next, '/']);
    }
  });

  it('shows the form again with what went wrong when the password is wrong, the name typed kept and escaped', async () => {
    const res = await desk.app.inject({
      method: 'POST',
      url: '/login',
      headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ username: `${planner.username}"><b>`, password: 'ผิด' }).toString(),
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง');
    expect(res.body).toContain(`value="${planner.username}&quot;&gt;&lt;b&gt;"`);
    expect(res.cookies.find((c) => c.name.endsWith('saraban-session'))).toBeUndefined();
  });

  it("lists the officer's unit's letters with Thai digits and counts per state, and not another unit's", async () => {
    const cookie = await signIn(clerk);
    const res = await open('/', cookie);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('ขอเชิญประชุมคณะกรรมการ');
    expect(res.body).toContain('ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑');
    expect(res.body).toMatch(/<a href="\/letters\/\d+">[๐-๙]+\/๒๕[๐-๙]{2}<\/a>/);
    expect(res.body).toContain('พบ ๒ รายการ');
    expect(res.body).not.toContain('ส่งแผนปฏิบัติราชการ');
    expect(res.body).toMatch(/>เสร็จ <span class="count">๐<\/span>/);
    const plannerPage = await open('/', await signIn(planner));
    expect(plannerPage.body).toContain('ส่งแผนปฏิบัติราชการ');
    expect(plannerPage.body).not.toContain('ขอเชิญประชุมคณะกรรมการ');
    // Searched, the closed states are not counted until their tab is opened: no number on them.
    const searched = await open(`/?q=${encodeURIComponent('ประชุม')}`, cookie);
    expect(searched.body).toMatch(/>เสร็จ<\/a>/);
    expect(searched.body).toMatch(/>มอบหมาย <span class="count">[๐-๙]+<\/span>/);
  });

  it("shows a subject full of markup as text: no tag of a sender's reaches the page", async () => {
    const res = await open('/', await signIn(clerk));
    expect(res.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(res.body).not.toContain('<script>alert');
    expect(res.body).not.toContain('<img src=x');
  });

  it('finds a letter by a Thai word of its title and by Thai digits of its reference', async () => {
    const cookie = await signIn(clerk);
    const byWord = await open(`/?q=${encodeURIComponent('ประชุม')}`, cookie);
    expect(byWord.body).toContain('พบ ๑ รายการ');
    const byDigits = await open(`/?q=${encodeURIComponent('๐๒๐๑')}`, cookie);
    expect(byDigits.body).toContain('ขอเชิญประชุมคณะกรรมการ');
    const byArabic = await open('/?q=0201', cookie);
    expect(byArabic.body).toContain('ขอเชิญประชุมคณะกรรมการ');
  });

  it("changes the queue's version when a letter arrives, so the open page's script puts it in", async () => {
    const cookie = await signIn(clerk);
    const version = (body: string) => /id="queue" data-live="\d+" data-version="([0-9a-f]+)"/.exec(body)?.[1];
    const before = version((await open('/', cookie)).body);
    expect(before).toBeDefined();
    expect(version((await open('/', cookie)).body)).toBe(before);
    await arrives('หนังสือที่เพิ่งมาถึง');
    const after = await open('/', cookie);
    expect(version(after.body)).not.toBe(before);
    expect(after.body).toContain('หนังสือที่เพิ่งมาถึง');
  });

  it('signs out by the menu form only with its CSRF token, and then sends the browser to sign in again', async () => {
    const cookie = await signIn(clerk);
    const queue = await open('/', cookie);
    const token = /name="_csrf" value="([^"]+)"/.exec(queue.body)?.[1];
    expect(token).toBeDefined();
    const form = { ...BROWSER, cookie, 'content-type': 'application/x-www-form-urlencoded' };
    const forged = await desk.app.inject({ method: 'POST', url: '/logout', headers: form, payload: '' });
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('CSRF');
    const out = await desk.app.inject({ method: 'POST', url: '/logout', headers: form, payload: `_csrf=${encodeURIComponent(token!)}` });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/login');
    expect((await open('/', cookie)).statusCode).toBe(303);
  });

  it("serves its style sheet, script and the Sarabun font from the package, and nothing outside those folders", async () => {
    const css = await open('/assets/desk.css');
    expect([css.statusCode, css.headers['content-type']]).toEqual([200, 'text/css; charset=utf-8']);
    const js = await open('/assets/desk.js');
    expect(js.body).toContain('data-live');
    const fontCss = await open('/assets/fonts/400.css');
    expect(fontCss.body).toContain("font-family: 'Sarabun'");
    const font = await open('/assets/fonts/files/sarabun-thai-400-normal.woff2');
    expect([font.statusCode, font.headers['content-type']]).toEqual([200, 'font/woff2']);
    expect(font.rawPayload.subarray(0, 4).toString('latin1')).toBe('wOF2');
    for (const url of ['/assets/..%2F..%2Fpackage.json', '/assets/fonts/..%2Fpackage.json', '/assets/nothing.css']) {
      const res = await desk.app.inject({ method: 'GET', url });
      expect([url, res.statusCode]).toEqual([url, expect.any(Number)]);
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.body).not.toContain('"dependencies"');
    }
  });

  it('answers a page that does not exist with a page in Thai, and an API route that does not exist with JSON', async () => {
    const page = await open('/no-such-page');
    expect([page.statusCode, page.headers['content-type']]).toEqual([404, 'text/html; charset=utf-8']);
    expect(page.body).toContain('ไม่พบหน้านี้');
    const api = await desk.app.inject({ method: 'GET', url: '/api/no-such-thing', headers: BROWSER });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ code: 'not-found' });
  });
});

describe('the desk pages with Arabic digits', () => {
  const env = useDeskDatabase();
  let desk: TestDesk;

  afterAll(async () => {
    await desk?.close();
  });

  it('writes numbers and dates with Arabic digits when desk.digits is arabic', async () => {
    await addUnit(env.db.pool, 'SARABAN', 'งานสารบรรณกลาง');
    desk = await startTestDesk(env.db, { desk: { secureCookies: false, digits: 'arabic' } });
    const clerk = await makeOfficer(env.db, 'officer', { unitCode: 'SARABAN' });
    const letter = await registerTestLetter(env.db.pool, { title: 'ทดสอบตัวเลข' });
    await routeNewLetter(env.db.pool, letter.id, { centralUnit: 'SARABAN', rules: [] }, () => new Date());
    const res = await desk.app.inject({ method: 'GET', url: '/', headers: { cookie: `saraban-session=${await sessionOf(desk, clerk)}` } });
    expect(res.body).toContain(`>${letter.number}/${letter.year}</a>`);
    expect(res.body).toContain('พบ 1 รายการ');
    expect(res.body).not.toMatch(/[๐-๙]/);
  });
});

async function sessionOf(desk: TestDesk, who: { username: string; password: string }): Promise<string> {
  const res = await desk.app.inject({ method: 'POST', url: '/login', payload: { username: who.username, password: who.password } });
  return res.cookies.find((c) => c.name === 'saraban-session')!.value;
}
