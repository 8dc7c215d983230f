import { prepareDatabase } from '../../bin/roles';
import { runPeopleCommand, type Output } from '../../bin/people';
import { hashPassword } from '../../desk/auth/password';
import { DEFAULT_OFFICE_HOURS } from '../../config/schema';
import { addOfficer as addOfficerToRegister, findOfficer } from '../../registry/officers';
import { BY_THE_TEST, makeOfficer, startTestDesk, type TestDesk } from '../support/desk';
import { pdfText } from '../support/pdf';
import { silent, testConfig, useTestDatabase } from '../support/services';

// What the Ministry's circular มท ๐๒๐๑.๒/ว ๕๙๕๑ asks an agency to publish and report: its central
// address and the officers who check it. Against the real PostgreSQL, the desk through inject().
describe('the contact sheet: GET /contact.json and the central-address report', () => {
  const env = useTestDatabase();
  let desk: TestDesk;
  let admin: Awaited<ReturnType<typeof makeOfficer>>;
  let officer: Awaited<ReturnType<typeof makeOfficer>>;
  // 10:00 on 4 December 2569 in Bangkok.
  const now = new Date('2026-12-04T03:00:00Z');
  const settings = {
    agency: {
      name: 'สำนักงานทดสอบ',
      nameEn: 'Test Office',
      domain: 'example.go.th',
      contact: { name: 'งานสารบรรณ', phone: '0 2123 4567 ต่อ 100' },
    },
    books: [
      { code: 'RB', name: 'ทะเบียนหนังสือรับ', addresses: ['saraban@example.go.th'] },
      { code: 'HR', name: 'ทะเบียนหนังสือรับ กองการเจ้าหน้าที่', addresses: ['saraban-hr@example.go.th'] },
    ],
  };

  /** A people command as bin/saraban.ts runs it, in this process. */
  async function command(name: string, ...args: string[]) {
    let stderr = '';
    const io: Output = { out: () => undefined, err: (t) => void (stderr += t), readInput: async () => 'รหัสผ่านที่ยาวพอ-2569\n' };
    const code = await runPeopleCommand(testConfig(env.db.url, settings), name, args, io);
    return { code, stderr };
  }

  /** An officer without a password (scrypt at full cost is slow), named for the mailbox or not. */
  const addOfficer = (username: string, name: string, position: string, phone: string, checksMailbox = false) =>
    addOfficerToRegister(env.db.pool, { username, name, role: 'officer', position, phone, checksMailbox }, BY_THE_TEST);

  beforeAll(async () => {
    desk = await startTestDesk(env.db, settings, () => now);
    admin = await makeOfficer(env.db, 'admin');
    officer = await makeOfficer(env.db, 'officer');
  });
  afterAll(async () => {
    await desk.close();
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const contactJson = async () => {
    const response = await desk.app.inject({ method: 'GET', url: '/contact.json' });
    expect(response.statusCode).toBe(200);
    return response.json();
  };

  it('names officers for the central mailbox with officer add --checks-mailbox and officer mailbox|no-mailbox, each on the audit trail', async () => {
    const kamol = ['--username', 'kamol', '--password', '-', '--role', 'officer', '--name', 'กมล ใจดี'];
    expect(
      await command(
        'officer',
        'add',
        ...kamol,
        '--position',
        'เจ้าพนักงานธุรการชำนาญงาน',
        '--phone',
        '0 2123 4567 ต่อ 101',
        '--checks-mailbox',
      ),
    ).toEqual({ code: 0, stderr: expect.stringContaining('added') });
    await addOfficer('somying', 'สมหญิง รักงาน', 'นักจัดการงานทั่วไป', '0 2123 4567 ต่อ 102');
    expect(await command('officer', 'mailbox', '--username', 'somying')).toEqual({
      code: 0,
      stderr: expect.stringContaining('named to check the central mailbox'),
    });
    await addOfficer('wichai', 'วิชัย มั่นคง', 'เจ้าพนักงานธุรการ', '0 2123 4567 ต่อ 103', true);
    expect((await command('officer', 'leave', '--username', 'wichai')).code).toBe(0);
    await addOfficer('malee', 'มาลี ลาออก', 'เจ้าพนักงานธุรการ', '0 2123 4567 ต่อ 104', true);
    expect((await command('officer', 'disable', '--username', 'malee')).code).toBe(0);
    await addOfficer('sombat', 'สมบัติ ย้ายงาน', 'เจ้าพนักงานธุรการ', '0 2123 4567 ต่อ 105', true);
    expect(await command('officer', 'no-mailbox', '--username', 'sombat')).toEqual({
      code: 0,
      stderr: expect.stringContaining('no longer named'),
    });
    await addOfficer('preecha', 'ปรีชา ไม่ได้รับมอบ', 'นิติกร', '0 2123 4567 ต่อ 106');
    expect(await command('officer', 'mailbox', '--username', 'nobody')).toEqual({
      code: 1,
      stderr: expect.stringContaining('no officer "nobody"'),
    });

    expect(await findOfficer(env.db.pool, 'kamol')).toMatchObject({ checksMailbox: true, onDuty: true });
    expect(await findOfficer(env.db.pool, 'somying')).toMatchObject({ checksMailbox: true });
    expect(await findOfficer(env.db.pool, 'sombat')).toMatchObject({ checksMailbox: false });
    expect(await findOfficer(env.db.pool, 'preecha')).toMatchObject({ checksMailbox: false });
    const { rows } = await env.db.pool.query(
      `SELECT action, detail FROM audit_event WHERE action LIKE 'officer.mailbox-%' OR (action = 'officer.added' AND detail->>'username' = 'kamol') ORDER BY seq`,
    );
    expect(rows).toEqual([
      { action: 'officer.added', detail: expect.objectContaining({ username: 'kamol', checksMailbox: true }) },
      { action: 'officer.mailbox-assigned', detail: { username: 'somying' } },
      { action: 'officer.mailbox-unassigned', detail: { username: 'sombat' } },
    ]);
  });

  it('answers GET /contact.json to anyone, from any origin: the agency, its central addresses, the named officers on duty, office hours', async () => {
    const response = await desk.app.inject({ method: 'GET', url: '/contact.json', headers: { origin: 'https://www.example.go.th' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(response.json()).toEqual({
      agency: 'สำนักงานทดสอบ',
      agencyEn: 'Test Office',
      centralAddresses: ['saraban@example.go.th', 'saraban-hr@example.go.th'],
      officeHours: DEFAULT_OFFICE_HOURS,
      // Not wichai (on leave), malee (disabled), sombat (no longer named) or preecha (never named).
      officers: [
        { name: 'กมล ใจดี', position: 'เจ้าพนักงานธุรการชำนาญงาน', phone: '0 2123 4567 ต่อ 101' },
        { name: 'สมหญิง รักงาน', position: 'นักจัดการงานทั่วไป', phone: '0 2123 4567 ต่อ 102' },
      ],
      helpDesk: { name: 'งานสารบรรณ', phone: '0 2123 4567 ต่อ 100', email: null, address: null },
    });
  });

  it('lists every named officer on the page when all of them are on leave, rather than nobody', async () => {
    await command('officer', 'leave', '--username', 'kamol');
    await command('officer', 'leave', '--username', 'somying');
    try {
      expect((await contactJson()).officers.map((o: { name: string }) => o.name)).toEqual(['กมล ใจดี', 'วิชัย มั่นคง', 'สมหญิง รักงาน']);
    } finally {
      await command('officer', 'back', '--username', 'kamol');
      await command('officer', 'back', '--username', 'somying');
    }
    expect((await contactJson()).officers).toHaveLength(2);
  });

  it('lets other origins read /contact.json alone: the API and the health check carry no Access-Control-Allow-Origin', async () => {
    const origin = { origin: 'https://evil.example' };
    for (const url of ['/api/me', '/healthz', '/api/reports/central-address']) {
      const response = await desk.app.inject({ method: 'GET', url, headers: origin });
      expect([url, response.headers['access-control-allow-origin']]).toEqual([url, undefined]);
    }
    const me = await desk.app.inject({ method: 'GET', url: '/api/me', headers: { ...origin, ...bearer(officer.token) } });
    expect(me.statusCode).toBe(200);
    expect(me.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('describes both routes in /api/docs: the contact sheet public, the report for admins', async () => {
    const doc = (await desk.app.inject({ method: 'GET', url: '/api/docs' })).json();
    const contact = doc.paths['/contact.json'].get;
    expect(contact.security).toEqual([]);
    expect(contact.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Contact' });
    expect(doc.components.schemas.Contact.required).toEqual(
      expect.arrayContaining(['agency', 'centralAddresses', 'officers', 'officeHours']),
    );
    const report = doc.paths['/api/reports/central-address'].get;
    expect(report.security).toEqual([{ bearer: [] }, { session: [] }]);
    expect(report.parameters).toEqual([expect.objectContaining({ name: 'format', in: 'query' })]);
  });

  it('gives the report to an admin alone, and refuses a format it does not make', async () => {
    const url = '/api/reports/central-address?format=pdf';
    expect((await desk.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    expect((await desk.app.inject({ method: 'GET', url, headers: bearer(officer.token) })).statusCode).toBe(403);
    const xlsx = await desk.app.inject({ method: 'GET', url: '/api/reports/central-address?format=xlsx', headers: bearer(admin.token) });
    expect(xlsx.statusCode).toBe(400);
    expect(xlsx.json()).toMatchObject({ code: 'invalid', message: expect.stringContaining('format') });
  });

  it('makes the report as a PDF in which pdftotext reads the agency, its addresses, every named officer on duty or on leave, and the Thai date', async () => {
    const response = await desk.app.inject({ method: 'GET', url: '/api/reports/central-address?format=pdf', headers: bearer(admin.token) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toBe('attachment; filename="central-address-example.go.th-2026-12-04.pdf"');
    expect(response.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    // A cell's text may be wrapped over lines: compared without the white space.
    const squeezed = (text: string) => text.replace(/\s+/g, '');
    const text = squeezed(await pdfText(response.rawPayload));
    for (const expected of [
      'แบบรายงานที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลางของหน่วยงาน',
      'มท ๐๒๐๑.๒/ว ๕๙๕๑',
      'สำนักงานทดสอบ',
      'saraban@example.go.th',
      'saraban-hr@example.go.th',
      'กมล ใจดี',
      'เจ้าพนักงานธุรการชำนาญงาน',
      '0 2123 4567 ต่อ 101',
      'สมหญิง รักงาน',
      'นักจัดการงานทั่วไป',
      // The report names those responsible, on leave or not.
      'วิชัย มั่นคง',
      'ข้อมูล ณ วันที่ ๔ ธันวาคม ๒๕๖๙',
    ]) {
      expect(text).toContain(squeezed(expected));
    }
    for (const absent of ['มาลี', 'สมบัติ', 'ปรีชา']) expect(text).not.toContain(absent);
  });

  it('makes the report as CSV: a byte-order mark, a header and a row for each named officer', async () => {
    const response = await desk.app.inject({ method: 'GET', url: '/api/reports/central-address?format=csv', headers: bearer(admin.token) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="central-address-example.go.th-2026-12-04.csv"');
    expect([...response.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = response.rawPayload.subarray(3).toString('utf8').trimEnd().split('\n');
    expect(lines).toEqual([
      'ลำดับ,หน่วยงาน,ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง,ชื่อ - สกุล,ตำแหน่ง,หมายเลขโทรศัพท์,ข้อมูล ณ วันที่',
      '1,สำนักงานทดสอบ,"saraban@example.go.th, saraban-hr@example.go.th",กมล ใจดี,เจ้าพนักงานธุรการชำนาญงาน,0 2123 4567 ต่อ 101,4 ธันวาคม 2569',
      '2,สำนักงานทดสอบ,"saraban@example.go.th, saraban-hr@example.go.th",วิชัย มั่นคง,เจ้าพนักงานธุรการ,0 2123 4567 ต่อ 103,4 ธันวาคม 2569',
      '3,สำนักงานทดสอบ,"saraban@example.go.th, saraban-hr@example.go.th",สมหญิง รักงาน,นักจัดการงานทั่วไป,0 2123 4567 ต่อ 102,4 ธันวาคม 2569',
    ]);
  });

  it('names an officer of the settings with checksMailbox: true at a first start', async () => {
    const passwordHash = await hashPassword('รหัสผ่านในไฟล์ตั้งค่า-2569', { ln: 14, r: 8, p: 1 });
    const officers = [
      { username: 'anong', name: 'อนงค์ ตรวจเมล', role: 'officer', position: 'เจ้าพนักงานธุรการ', checksMailbox: true, passwordHash },
    ];
    await prepareDatabase(testConfig(env.db.url, { ...settings, officers }), silent);
    expect(await findOfficer(env.db.pool, 'anong')).toMatchObject({ checksMailbox: true, onDuty: true });
    expect((await contactJson()).officers).toContainEqual({ name: 'อนงค์ ตรวจเมล', position: 'เจ้าพนักงานธุรการ', phone: null });
  });

  it("serves the page GET /contact to anyone, in Thai, under the pages' Content-Security-Policy, escaping what an officer's name holds", async () => {
    await addOfficer('script', '<script>alert(1)</script>', 'เจ้าพนักงานธุรการ', '0 2123 4567 ต่อ 107', true);
    const response = await desk.app.inject({ method: 'GET', url: '/contact', headers: { accept: 'text/html' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(String(response.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    const page = response.body;
    expect(page).toContain('<html lang="th">');
    expect(page).toContain('<p class="agency">สำนักงานทดสอบ <span lang="en">(Test Office)</span></p>');
    expect(page).toContain('<a href="mailto:saraban-hr@example.go.th">saraban-hr@example.go.th</a>');
    expect(page).toContain(
      '<tr><th scope="row">กมล ใจดี</th><td data-label="ตำแหน่ง">เจ้าพนักงานธุรการชำนาญงาน</td><td data-label="โทรศัพท์"><a href="tel:021234567;ext=101">0 2123 4567 ต่อ 101</a></td></tr>',
    );
    expect(page).toContain(DEFAULT_OFFICE_HOURS);
    expect(page).not.toContain('วิชัย'); // on leave
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('<th scope="row">&lt;script&gt;alert(1)&lt;/script&gt;</th>');
  });
});
