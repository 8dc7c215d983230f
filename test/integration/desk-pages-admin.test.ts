import { findOfficer, findUnit } from '../../registry/officers';
import { routeNewLetter } from '../../registry/work';
import { makeOfficer, startTestDesk, type TestDesk } from '../support/desk';
import { addUnit, registerTestLetter, useDeskDatabase } from '../support/letters';

// The admin's pages through fastify's inject(), against the real PostgreSQL and Redis: officers,
// units, the routing rules and API tokens, each form as a browser posts it, and who may not.
describe("the desk's admin pages", () => {
  const env = useDeskDatabase();
  let desk: TestDesk;
  const routing = {
    centralUnit: 'SARABAN',
    rules: [
      { name: 'เรื่องแผนงาน', when: { titleWords: ['แผน', 'งบประมาณ'] }, to: { unit: 'PLAN' } },
      { name: 'ด่วนจากกระทรวง', when: { domains: 'moe.go.th', urgencies: 'ด่วนที่สุด' }, to: { officer: 'nobody-here' } },
    ],
  };
  const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
  const FORM = { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded' };
  let admin: Awaited<ReturnType<typeof makeOfficer>>;
  let adminCookie: string;

  async function signIn(who: { username: string; password: string }): Promise<string> {
    const res = await desk.app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: new URLSearchParams({ username: who.username, password: who.password, next: '/' }).toString(),
    });
    expect([who.username, res.statusCode]).toEqual([who.username, 303]);
    const cookie = res.cookies.find((c) => c.name.endsWith('saraban-session'));
    return `${cookie!.name}=${cookie!.value}`;
  }

  const open = (url: string, cookie: string) => desk.app.inject({ method: 'GET', url, headers: { ...BROWSER, cookie } });

  /** The CSRF token of this session, from the form of a page it may open. */
  async function csrfOf(cookie: string, url = '/'): Promise<string> {
    const token = /name="_csrf" value="([^"]+)"/.exec((await open(url, cookie)).body)?.[1];
    expect(token).toBeDefined();
    return token!;
  }

  /** Posts a form as the browser does, with the session's CSRF token unless told not to. */
  async function post(url: string, cookie: string, fields: Record<string, string> = {}, csrf: 'with' | 'without' = 'with') {
    const payload = new URLSearchParams(fields);
    if (csrf === 'with') payload.set('_csrf', await csrfOf(cookie));
    return desk.app.inject({ method: 'POST', url, headers: { ...FORM, cookie }, payload: payload.toString() });
  }

  async function lastAudit(action: string) {
    const { rows } = await env.db.pool.query(`SELECT actor, detail FROM audit_event WHERE action = $1 ORDER BY seq DESC LIMIT 1`, [action]);
    return rows[0];
  }

  const newOfficer = (username: string, extra: Record<string, string> = {}) => ({
    username,
    name: `คุณ ${username}`,
    role: 'officer',
    unit: 'SARABAN',
    position: 'เจ้าพนักงานธุรการ',
    phone: '0 2123 4567',
    password: `รหัสผ่านของ-${username}`,
    password2: `รหัสผ่านของ-${username}`,
    ...extra,
  });

  beforeAll(async () => {
    await addUnit(env.db.pool, 'KK', 'กองกลาง');
    await addUnit(env.db.pool, 'SARABAN', 'งานสารบรรณกลาง', 'KK');
    await addUnit(env.db.pool, 'PLAN', 'กองแผนงาน');
    desk = await startTestDesk(env.db, { desk: { secureCookies: false, login: { perMinute: 1000 } }, routing });
    admin = await makeOfficer(env.db, 'admin', { unitCode: 'KK' });
    adminCookie = await signIn(admin);
  });

  afterAll(async () => {
    await desk?.close();
  });

  it('adds an officer by the form, who can then sign in, with the change on the audit trail in the admin’s name', async () => {
    const added = await post('/admin/officers', adminCookie, newOfficer('somsri'));
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe('/admin/officers?done=added');
    const list = await open(String(added.headers.location), adminCookie);
    expect(list.body).toContain('เพิ่มเจ้าหน้าที่แล้ว');
    expect(list.body).toContain('<a href="/admin/officers/somsri">somsri</a>');
    expect(list.body).toContain('งานสารบรรณกลาง (SARABAN)');
    expect(list.body).toContain('๐ ๒๑๒๓ ๔๕๖๗');

    const cookie = await signIn({ username: 'somsri', password: 'รหัสผ่านของ-somsri' });
    expect((await open('/', cookie)).statusCode).toBe(200);
    expect(await findOfficer(env.db.pool, 'somsri')).toMatchObject({
      name: 'คุณ somsri',
      role: 'officer',
      unitCode: 'SARABAN',
      position: 'เจ้าพนักงานธุรการ',
    });
    expect(await lastAudit('officer.added')).toEqual({
      actor: `officer:${admin.username}`,
      detail: { username: 'somsri', role: 'officer', unit: 'SARABAN', secretClearance: false },
    });
  });

  it('gives the add form back with what is wrong in Thai, naming the field, and what was typed (never the password)', async () => {
    const noName = await post('/admin/officers', adminCookie, newOfficer('malee', { name: ' ' }));
    expect(noName.statusCode).toBe(400);
    expect(noName.body).toContain('กรุณากรอกชื่อ สกุล');
    expect(noName.body).toContain('value="malee"');
    expect(noName.body).not.toContain('รหัสผ่านของ-malee');

    const weak = await post('/admin/officers', adminCookie, newOfficer('malee', { password: 'สั้น', password2: 'สั้น' }));
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain('รหัสผ่านต้องยาว ๑๐ ถึง ๑๐๒๔ ตัวอักษร');

    const mismatch = await post('/admin/officers', adminCookie, newOfficer('malee', { password2: 'อีกรหัสหนึ่งที่ยาวพอ' }));
    expect([mismatch.statusCode, mismatch.body]).toEqual([400, expect.stringContaining('รหัสผ่านทั้งสองช่องไม่ตรงกัน')]);

    const badName = await post('/admin/officers', adminCookie, newOfficer('มาลี'));
    expect([badName.statusCode, badName.body]).toEqual([400, expect.stringContaining('ชื่อผู้ใช้ใช้ได้เฉพาะตัวอักษร a-z')]);

    const badRole = await post('/admin/officers', adminCookie, newOfficer('malee', { role: 'boss' }));
    expect([badRole.statusCode, badRole.body]).toEqual([400, expect.stringContaining('กรุณาเลือกบทบาท')]);

    const taken = await post('/admin/officers', adminCookie, newOfficer(admin.username));
    expect([taken.statusCode, taken.body]).toEqual([409, expect.stringContaining('มีเจ้าหน้าที่ที่ใช้ชื่อผู้ใช้นี้อยู่แล้ว')]);
    expect(taken.body).toMatch(/class="banner error" role="alert"/);
    expect(await findOfficer(env.db.pool, 'malee')).toBeNull();
  });

  it('disables an officer: their open session ends at once, their token too, and their own page says so', async () => {
    const officer = await makeOfficer(env.db, 'officer', { unitCode: 'SARABAN' });
    const cookie = await signIn(officer);
    expect((await open('/', cookie)).statusCode).toBe(200);

    const disabled = await post(`/admin/officers/${officer.username}/disable`, adminCookie);
    expect(disabled.statusCode).toBe(303);
    expect(disabled.headers.location).toBe(`/admin/officers/${officer.username}?done=disabled`);
    const after = await open('/', cookie);
    expect([after.statusCode, after.headers.location]).toEqual([303, '/login']);
    const api = await desk.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${officer.token}` } });
    expect(api.statusCode).toBe(401);
    const theirPage = await open(String(disabled.headers.location), adminCookie);
    expect(theirPage.body).toContain('ปิดบัญชีแล้ว');
    expect(theirPage.body).not.toContain(`action="/admin/officers/${officer.username}/password"`);
    expect(await lastAudit('officer.disabled')).toEqual({
      actor: `officer:${admin.username}`,
      detail: { username: officer.username, sessionsEnded: 1, tokensRevoked: 1 },
    });
  });

  it('will not let the admin disable their own account or step down from admin', async () => {
    const own = await post(`/admin/officers/${admin.username}/disable`, adminCookie);
    expect([own.statusCode, own.body]).toEqual([409, expect.stringContaining('ท่านปิดบัญชีของตนเองไม่ได้')]);
    const down = await post(`/admin/officers/${admin.username}/role`, adminCookie, { role: 'officer', unit: 'KK' });
    expect([down.statusCode, down.body]).toEqual([409, expect.stringContaining('ท่านลดบทบาทของตนเองไม่ได้')]);
    expect(await findOfficer(env.db.pool, admin.username)).toMatchObject({ role: 'admin', disabledAt: null });
    expect((await open('/admin/officers', adminCookie)).statusCode).toBe(200);
  });

  it('sets a new password: the old one and the sessions opened with it end, the new one signs in', async () => {
    const officer = await makeOfficer(env.db, 'officer', { unitCode: 'SARABAN' });
    const cookie = await signIn(officer);
    const refused = await post(`/admin/officers/${officer.username}/password`, adminCookie, {
      password: 'ใหม่และยาวพอแล้ว',
      password2: 'ไม่ตรงกันเลยนะ',
    });
    expect([refused.statusCode, refused.body]).toEqual([400, expect.stringContaining('รหัสผ่านทั้งสองช่องไม่ตรงกัน')]);
    expect((await open('/', cookie)).statusCode).toBe(200);

    const reset = await post(`/admin/officers/${officer.username}/password`, adminCookie, {
      password: 'ใหม่และยาวพอแล้ว',
      password2: 'ใหม่และยาวพอแล้ว',
    });
    expect([reset.statusCode, reset.headers.location]).toEqual([303, `/admin/officers/${officer.username}?done=password`]);
    expect((await open(String(reset.headers.location), adminCookie)).body).toContain('ตั้งรหัสผ่านใหม่แล้ว');
    expect((await open('/', cookie)).statusCode).toBe(303);
    const old = await desk.app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: new URLSearchParams({ username: officer.username, password: officer.password }).toString(),
    });
    expect(old.statusCode).toBe(401);
    await signIn({ username: officer.username, password: 'ใหม่และยาวพอแล้ว' });
    expect(await lastAudit('officer.password-set')).toEqual({
      actor: `officer:${admin.username}`,
      detail: { username: officer.username, sessionsEnded: 1 },
    });
  });

  it('sets an officer on leave, so routing passes them by, and back on duty', async () => {
    const first = await makeOfficer(env.db, 'officer', { unitCode: 'PLAN' });
    const second = await makeOfficer(env.db, 'officer', { unitCode: 'PLAN' });
    const leave = await post(`/admin/officers/${first.username}/duty`, adminCookie, { onDuty: 'false' });
    expect([leave.statusCode, leave.headers.location]).toEqual([303, `/admin/officers/${first.username}?done=on-leave`]);
    const theirPage = await open(String(leave.headers.location), adminCookie);
    expect(theirPage.body).toContain('บันทึกว่าลาแล้ว');
    expect(theirPage.body).toContain('บันทึกว่ากลับมาปฏิบัติงาน</button>');
    expect(await findOfficer(env.db.pool, first.username)).toMatchObject({ onDuty: false });
    expect(await lastAudit('officer.on-leave')).toEqual({ actor: `officer:${admin.username}`, detail: { username: first.username } });

    // Two plans arrive: both go to the one officer on duty.
    for (const title of ['แผนปฏิบัติราชการ', 'แผนงบประมาณ']) {
      const letter = await registerTestLetter(env.db.pool, { title });
      expect(await routeNewLetter(env.db.pool, letter.id, desk.config.routing, () => new Date())).toMatchObject({ officerId: second.id });
    }

    const back = await post(`/admin/officers/${first.username}/duty`, adminCookie, { onDuty: 'true' });
    expect(back.headers.location).toBe(`/admin/officers/${first.username}?done=on-duty`);
    expect(await findOfficer(env.db.pool, first.username)).toMatchObject({ onDuty: true });
  });

  it('names an officer who checks the central mailbox, who then shows on the public contact page, and sets their reminder e-mail', async () => {
    const keeper = await makeOfficer(env.db, 'officer', { unitCode: 'SARABAN' });
    const contactBefore = await desk.app.inject({ method: 'GET', url: '/contact.json' });
    expect(JSON.stringify(contactBefore.json())).not.toContain(keeper.name);

    const named = await post(`/admin/officers/${keeper.username}/mailbox`, adminCookie, { checks: 'true' });
    expect([named.statusCode, named.headers.location]).toEqual([303, `/admin/officers/${keeper.username}?done=mailbox-assigned`]);
    expect(await findOfficer(env.db.pool, keeper.username)).toMatchObject({ checksMailbox: true });
    expect(await lastAudit('officer.mailbox-assigned')).toMatchObject({ actor: `officer:${admin.username}` });
    const contact = await desk.app.inject({ method: 'GET', url: '/contact.json' });
    expect(JSON.stringify(contact.json())).toContain(keeper.name);
    expect((await open('/admin/officers', adminCookie)).body).toContain('/api/reports/central-address?format=pdf');

    const email = await post(`/admin/officers/${keeper.username}/email`, adminCookie, { email: 'Keeper@Example.go.th' });
    expect(email.headers.location).toBe(`/admin/officers/${keeper.username}?done=email`);
    expect(await findOfficer(env.db.pool, keeper.username)).toMatchObject({ email: 'keeper@example.go.th' });
    const bad = await post(`/admin/officers/${keeper.username}/email`, adminCookie, { email: 'not an address' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('อีเมล');
    // Left empty: no reminders by e-mail.
    await post(`/admin/officers/${keeper.username}/email`, adminCookie, { email: '' });
    expect(await findOfficer(env.db.pool, keeper.username)).toMatchObject({ email: null });

    await post(`/admin/officers/${keeper.username}/mailbox`, adminCookie, { checks: 'false' });
    expect(JSON.stringify((await desk.app.inject({ method: 'GET', url: '/contact.json' })).json())).not.toContain(keeper.name);
  });

  it('grants secret-mail clearance, which lets the officer see a ลับ letter, and withdraws it', async () => {
    // A unit of one, so the letter is surely this officer's.
    await addUnit(env.db.pool, 'LAB', 'งานลับ');
    const officer = await makeOfficer(env.db, 'officer', { unitCode: 'LAB' });
    const secret = await registerTestLetter(env.db.pool, { title: 'เรื่องลับเฉพาะ', secrecy: 'ลับ', restricted: true });
    await routeNewLetter(env.db.pool, secret.id, { centralUnit: 'LAB', rules: [] }, () => new Date());
    const cookie = await signIn(officer);
    expect((await open('/', cookie)).body).not.toContain('เรื่องลับเฉพาะ');

    const grant = await post(`/admin/officers/${officer.username}/clearance`, adminCookie, { cleared: 'true' });
    expect([grant.statusCode, grant.headers.location]).toEqual([303, `/admin/officers/${officer.username}?done=clearance-granted`]);
    expect((await open('/', cookie)).body).toContain('เรื่องลับเฉพาะ');
    expect(await lastAudit('officer.clearance-granted')).toEqual({
      actor: `officer:${admin.username}`,
      detail: { username: officer.username },
    });

    const withdraw = await post(`/admin/officers/${officer.username}/clearance`, adminCookie, { cleared: 'false' });
    expect(withdraw.headers.location).toBe(`/admin/officers/${officer.username}?done=clearance-withdrawn`);
    expect((await open('/', cookie)).body).not.toContain('เรื่องลับเฉพาะ');
  });

  it('changes an officer’s role and unit, and refuses a unit that does not exist', async () => {
    const officer = await makeOfficer(env.db, 'officer', { unitCode: 'SARABAN' });
    const changed = await post(`/admin/officers/${officer.username}/role`, adminCookie, { role: 'supervisor', unit: 'KK' });
    expect(changed.headers.location).toBe(`/admin/officers/${officer.username}?done=changed`);
    expect(await findOfficer(env.db.pool, officer.username)).toMatchObject({ role: 'supervisor', unitCode: 'KK' });
    expect(await lastAudit('officer.changed')).toEqual({
      actor: `officer:${admin.username}`,
      detail: { username: officer.username, role: 'supervisor', unit: 'KK', was: { role: 'officer', unit: 'SARABAN' } },
    });
    const nowhere = await post(`/admin/officers/${officer.username}/role`, adminCookie, { role: 'officer', unit: 'NOPE' });
    expect([nowhere.statusCode, nowhere.body]).toEqual([400, expect.stringContaining('ไม่พบหน่วยงานที่เลือก')]);
    const nobody = await post('/admin/officers/nobody-at-all/role', adminCookie, { role: 'officer', unit: '' });
    expect([nobody.statusCode, nobody.body]).toEqual([404, expect.stringContaining('ไม่พบเจ้าหน้าที่ผู้นี้')]);
  });

  it('adds a unit under its parent, which shows in the tree beneath it', async () => {
    const added = await post('/admin/units', adminCookie, { code: 'KK-SB', name: 'ฝ่ายสารบรรณ', parent: 'KK' });
    expect([added.statusCode, added.headers.location]).toEqual([303, '/admin/units?done=added']);
    const deeper = await post('/admin/units', adminCookie, { code: 'KK-SB-1', name: 'งานรับหนังสือ', parent: 'KK-SB' });
    expect(deeper.statusCode).toBe(303);
    const tree = (await open('/admin/units?done=added', adminCookie)).body;
    expect(tree).toContain('เพิ่มหน่วยงานแล้ว');
    // กองกลาง's list holds ฝ่ายสารบรรณ, whose own list holds งานรับหนังสือ.
    expect(tree).toMatch(
      /<li><span class="unit-name">กองกลาง<\/span>.*?<ul>.*?<li><span class="unit-name">ฝ่ายสารบรรณ<\/span> <code>KK-SB<\/code>.*?<ul><li><span class="unit-name">งานรับหนังสือ<\/span>/s,
    );
    expect(await findUnit(env.db.pool, 'KK-SB-1')).toMatchObject({ parentId: (await findUnit(env.db.pool, 'KK-SB'))!.id });
    expect(await lastAudit('unit.added')).toEqual({
      actor: `officer:${admin.username}`,
      detail: { code: 'KK-SB-1', name: 'งานรับหนังสือ', parent: 'KK-SB' },
    });

    const twice = await post('/admin/units', adminCookie, { code: 'KK-SB', name: 'อีกฝ่าย', parent: '' });
    expect([twice.statusCode, twice.body]).toEqual([409, expect.stringContaining('มีหน่วยงานรหัสนี้อยู่แล้ว')]);
    expect(twice.body).toContain('value="อีกฝ่าย"');
    const badCode = await post('/admin/units', adminCookie, { code: 'กอง 1', name: 'กองหนึ่ง' });
    expect([badCode.statusCode, badCode.body]).toEqual([400, expect.stringContaining('รหัสหน่วยงานใช้ได้เฉพาะ')]);
    const noName = await post('/admin/units', adminCookie, { code: 'X1' });
    expect([noName.statusCode, noName.body]).toEqual([400, expect.stringContaining('กรุณากรอกชื่อหน่วยงาน')]);
  });

  it('shows the routing rules of the settings in order, where each sends letters, and says they are changed in the configuration file', async () => {
    const res = await open('/admin/routing', adminCookie);
    expect(res.statusCode).toBe(200);
    const body = res.body;
    expect(body.indexOf('เรื่องแผนงาน')).toBeGreaterThan(0);
    expect(body.indexOf('เรื่องแผนงาน')).toBeLessThan(body.indexOf('ด่วนจากกระทรวง'));
    expect(body).toContain('มีคำในเรื่อง: <q>แผน</q> หรือ <q>งบประมาณ</q>');
    expect(body).toContain('หน่วยงาน กองแผนงาน <code>PLAN</code>');
    expect(body).toContain('ไม่พบในทะเบียนเจ้าหน้าที่');
    expect(body).toContain('หนังสือที่ไม่ตรงกฎใดเลยไปที่ หน่วยงาน งานสารบรรณกลาง <code>SARABAN</code>');
    expect(body).toContain('ไฟล์การตั้งค่า');
    expect(body).not.toMatch(/<form[^>]*action="\/admin\/routing/);
  });

  it('creates an API token shown once that works as a Bearer token, and revokes it', async () => {
    const owner = await makeOfficer(env.db, 'officer', { unitCode: 'SARABAN' });
    const created = await post('/admin/tokens', adminCookie, { username: owner.username, label: 'สคริปต์ส่งออก' });
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.body).toContain('คัดลอกโทเคนนี้เก็บไว้เดี๋ยวนี้');
    const token = /<textarea id="new-token" readonly[^>]*>(sgw_[A-Za-z0-9_-]+)<\/textarea>/.exec(created.body)?.[1];
    expect(token).toBeDefined();
    const me = () => desk.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } });
    expect((await me()).json()).toMatchObject({ username: owner.username });

    const list = await open('/admin/tokens', adminCookie);
    expect(list.body).toContain('สคริปต์ส่งออก');
    expect(list.body).not.toContain(token);
    const id = (await lastAudit('token.created')).detail.token as number;
    expect(await lastAudit('token.created')).toEqual({
      actor: `officer:${admin.username}`,
      detail: { username: owner.username, token: id, label: 'สคริปต์ส่งออก' },
    });

    const revoked = await post(`/admin/tokens/${id}/revoke`, adminCookie);
    expect([revoked.statusCode, revoked.headers.location]).toEqual([303, '/admin/tokens?done=revoked']);
    expect((await me()).statusCode).toBe(401);
    expect((await open('/admin/tokens?done=revoked', adminCookie)).body).toContain('ยกเลิกโทเคนแล้ว');
    const again = await post(`/admin/tokens/${id}/revoke`, adminCookie);
    expect([again.statusCode, again.body]).toEqual([404, expect.stringContaining('ไม่พบโทเคนนี้ หรือโทเคนถูกยกเลิกไปแล้ว')]);

    const nobody = await post('/admin/tokens', adminCookie, { username: '' });
    expect([nobody.statusCode, nobody.body]).toEqual([400, expect.stringContaining('กรุณากรอกเจ้าหน้าที่เจ้าของโทเคน')]);
  });

  it('answers an officer and a supervisor with a 403 page for every admin page and form, and changes nothing', async () => {
    const pages = ['/admin/officers', `/admin/officers/${admin.username}`, '/admin/units', '/admin/routing', '/admin/tokens'];
    const forms = [
      '/admin/officers',
      `/admin/officers/${admin.username}/disable`,
      `/admin/officers/${admin.username}/password`,
      `/admin/officers/${admin.username}/duty`,
      `/admin/officers/${admin.username}/clearance`,
      `/admin/officers/${admin.username}/role`,
      '/admin/units',
      '/admin/tokens',
      '/admin/tokens/1/revoke',
    ];
    for (const role of ['officer', 'supervisor'] as const) {
      const cookie = await signIn(await makeOfficer(env.db, role, { unitCode: 'SARABAN' }));
      for (const url of pages) {
        const res = await open(url, cookie);
        expect([role, url, res.statusCode, res.headers['content-type']]).toEqual([role, url, 403, 'text/html; charset=utf-8']);
        expect(res.body).toContain('ไม่มีสิทธิ์');
      }
      for (const url of forms) {
        const res = await post(url, cookie, {
          ...newOfficer('intruder'),
          code: 'HACK',
          name: 'x',
          onDuty: 'false',
          cleared: 'true',
          role: 'officer',
        });
        expect([role, url, res.statusCode]).toEqual([role, url, 403]);
        expect(res.body).toContain('ไม่มีสิทธิ์');
      }
    }
    expect(await findOfficer(env.db.pool, 'intruder')).toBeNull();
    expect(await findUnit(env.db.pool, 'HACK')).toBeNull();
    expect(await findOfficer(env.db.pool, admin.username)).toMatchObject({ disabledAt: null, onDuty: true, secretClearance: false });
  });

  it('refuses an admin form posted without its CSRF token', async () => {
    const forged = await post('/admin/officers', adminCookie, newOfficer('forged'), 'without');
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('CSRF');
    const forgedUnit = await post('/admin/units', adminCookie, { code: 'FORGED', name: 'ปลอม' }, 'without');
    expect(forgedUnit.statusCode).toBe(403);
    expect(await findOfficer(env.db.pool, 'forged')).toBeNull();
    expect(await findUnit(env.db.pool, 'FORGED')).toBeNull();
  });

  it('shows names with markup in them as text on every admin page', async () => {
    const script = '<script>alert(1)</script>';
    expect((await post('/admin/units', adminCookie, { code: 'XSS', name: `ฝ่าย${script}`, parent: 'KK' })).statusCode).toBe(303);
    expect(
      (await post('/admin/officers', adminCookie, newOfficer('xss', { name: `สมชาย${script}`, position: script, unit: 'XSS' }))).statusCode,
    ).toBe(303);
    const created = await post('/admin/tokens', adminCookie, { username: 'xss', label: script });
    expect(created.statusCode).toBe(201);
    for (const url of ['/admin/officers', '/admin/officers/xss', '/admin/units', '/admin/tokens']) {
      const body = (await open(url, adminCookie)).body;
      expect([url, body]).toEqual([url, expect.stringContaining('&lt;script&gt;alert(1)&lt;/script&gt;')]);
      expect([url, body.includes(script)]).toEqual([url, false]);
    }
    expect(created.body).toContain('สมชาย&lt;script&gt;');
  });
});
