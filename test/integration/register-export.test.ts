import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { PDFDocument } from 'pdf-lib';
import type { Letter, LetterDetails } from '../../letter/letter';
import { REGISTER_HEADINGS } from '../../letter/register-form';
import type { Action } from '../../letter/transitions';
import { exportRegister, type ExportRequest } from '../../registry/register-export';
import { performAction, routeNewLetter, type WorkDeps } from '../../registry/work';
import { BROWSER, makeOfficer, signInAsBrowser, startTestDesk, type TestDesk } from '../support/desk';
import { addUnit, fillRegister, registerTestLetter, useDeskDatabase } from '../support/letters';
import { pdfText } from '../support/pdf';
import { replyRules, spawnSaraban, testConfig, waitFor } from '../support/services';

// The register of a year exported and printed in the regulation's form, by `saraban export` and
// by the register page's downloads: a register with a letter done, one returned, one annulled, a
// number missing, a suspect and a secret letter, a reference repeated and an entry to complete.
describe('the register exported and printed', () => {
  const env = useDeskDatabase();
  const routing = { centralUnit: 'SARABAN', rules: [] };
  const books = [
    { code: 'RB', name: 'ทะเบียนหนังสือรับ', addresses: ['saraban@example.go.th'] },
    { code: 'RS', name: 'ทะเบียนรับหนังสือโรงเรียน', addresses: ['school@example.go.th'] },
  ];
  const settings = () => testConfig(env.db.url, { books, routing });
  // The desk's clock: 10 March 2026, พ.ศ. 2569.
  const now = new Date('2026-03-10T03:00:00Z');
  const YEAR = 2569;
  const SECRET_TITLE = 'แผนรักษาความปลอดภัยสถานที่ราชการ';
  const LONG_TITLE =
    'ขอเชิญประชุมคณะกรรมการพิจารณาการจัดทำแผนปฏิบัติราชการประจำปีงบประมาณ พ.ศ. ๒๕๗๐ ของสำนักงานปลัดกระทรวงมหาดไทยและหน่วยงานในสังกัดทุกแห่ง';
  let desk: TestDesk;
  let clerk: Awaited<ReturnType<typeof makeOfficer>>;
  let head: Awaited<ReturnType<typeof makeOfficer>>;
  let admin: Awaited<ReturnType<typeof makeOfficer>>;
  let cleared: Awaited<ReturnType<typeof makeOfficer>>;
  const letters: Record<string, Letter> = {};

  let day = 0;
  async function arrives(name: string, details: Partial<LetterDetails>, at = new Date(Date.UTC(2026, 1, 1 + ++day, 2))) {
    const letter = await registerTestLetter(env.db.pool, details, { at });
    await routeNewLetter(env.db.pool, letter.id, routing, () => now);
    letters[name] = letter;
  }

  async function act(who: typeof clerk, name: string, ...actions: Action[]) {
    const work: WorkDeps = { pool: env.db.pool, clock: () => now, replies: { limits: replyRules(), host: 'example.go.th' } };
    for (const action of actions) expect(await performAction(work, who, letters[name].id, action)).toMatchObject({ kind: 'done' });
  }

  beforeAll(async () => {
    await addUnit(env.db.pool, 'SARABAN', 'งานสารบรรณกลาง');
    clerk = await makeOfficer(env.db, 'officer', { unitCode: 'SARABAN', name: 'สมศรี ธุรการ' });
    head = await makeOfficer(env.db, 'supervisor', { unitCode: 'SARABAN' });
    admin = await makeOfficer(env.db, 'admin');
    cleared = await makeOfficer(env.db, 'admin', { secretClearance: true });

    // RB 2569: numbers 1 to 8, 4 missing.
    await arrives('meeting', {
      title: LONG_TITLE,
      reference: 'ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑',
      referenceNormalised: 'มท0201.2/ว5951',
      letterDate: '2026-01-28',
      letterDateWritten: '๒๘ มกราคม ๒๕๖๙',
      agency: 'กระทรวงมหาดไทย',
      addressee: 'ผู้ว่าราชการจังหวัด',
      authenticity: { verdict: 'authentic' },
    });
    await arrives('wrongOffice', { title: 'ขอความอนุเคราะห์ข้อมูลบุคลากร', agency: 'สำนักงานสถิติแห่งชาติ' });
    await arrives('mistake', { title: 'หนังสือลงรับผิด', agency: 'กระทรวงมหาดไทย' });
    // Number 4 taken and lost (a counter moved by hand): the register has a hole.
    await env.db.pool.query(`UPDATE book_counter SET last_number = last_number + 1 WHERE book = 'RB' AND year = $1`, [YEAR]);
    await arrives('forged', { title: 'แจ้งโอนเงินด่วน', suspect: true, authenticity: { verdict: 'forged' } });
    await arrives('secret', { title: SECRET_TITLE, restricted: true, secrecy: 'ลับ' });
    await arrives('again', { title: 'ขอเชิญประชุมคณะกรรมการ (ส่งซ้ำ)', reference: 'มท ๐๒๐๑.๒/ว ๕๙๕๑', referenceNormalised: 'มท0201.2/ว5951' });
    await arrives('unread', { title: 'หนังสือที่อ่านเลขที่ไม่ได้', reference: null, flags: ['pdf-no-text-layer', 'to-complete'] });
    // RS 2569: one letter, its register whole.
    const school = await registerTestLetter(
      env.db.pool,
      { title: 'รายงานผลการเรียน' },
      { book: 'RS', at: new Date('2026-02-20T02:00:00Z') },
    );
    await routeNewLetter(env.db.pool, school.id, routing, () => now);
    // RB 2568: forty letters, several pages.
    for (let i = 1; i <= 40; i++) {
      await registerTestLetter(env.db.pool, { title: `${LONG_TITLE} ครั้งที่ ${i}` }, { at: new Date(Date.UTC(2025, 5, 2, 3, i)) });
    }

    await act(
      clerk,
      'meeting',
      { kind: 'take' },
      { kind: 'record', text: 'แจ้งเวียนทุกกองแล้ว', replyNumber: 'มท 0201.3/123' },
      { kind: 'close', note: null },
    );
    await act(clerk, 'wrongOffice', { kind: 'return', reason: 'ส่งผิดหน่วยงาน' });
    await act(head, 'mistake', { kind: 'annul', reason: 'ลงทะเบียนซ้ำ' });
    desk = await startTestDesk(env.db, { desk: { secureCookies: false, login: { perMinute: 1000 } }, routing, books }, () => now);
  });

  afterAll(async () => {
    await desk?.close();
  });

  /** What exportRegister writes, in this process. */
  async function exported(request: ExportRequest): Promise<Buffer> {
    const chunks: Buffer[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    await exportRegister(env.db.pool, request, out);
    return Buffer.concat(chunks);
  }
  const form = (format: 'csv' | 'xlsx' | 'pdf', book = books[0], year = YEAR): ExportRequest => ({
    format,
    form: 'register',
    year,
    book: { code: book.code, name: book.name },
    agency: 'สำนักงานทดสอบ',
    digits: 'thai',
    revealRestricted: true,
    at: now,
  });
  const tempFile = (name: string) => path.join(mkdtempSync(path.join(tmpdir(), 'saraban-register-')), name);

  describe('as CSV in the regulation’s form', () => {
    let rows: string[][];
    let raw: string;

    beforeAll(async () => {
      const run = spawnSaraban(['export', '--year', String(YEAR), '--book', 'RB', '--format', 'csv', '--form', 'register'], settings());
      expect(await run.exited).toBe(0);
      raw = run.stdout();
      rows = parseCsv(raw, { bom: true, relax_column_count: false }) as string[][];
    });

    it('starts with a byte-order mark and the Thai headings in the regulation’s order', () => {
      expect(raw.startsWith('\uFEFFวันที่,เลขทะเบียนรับ,ที่,ลงวันที่,จาก,ถึง,เรื่อง,การปฏิบัติ,หมายเหตุ\n')).toBe(true);
      expect(rows[0]).toEqual([...REGISTER_HEADINGS]);
    });

    it('lists every number in order, done, returned and annulled alike, with the missing one absent', () => {
      expect(rows.slice(1).map((r) => r[1])).toEqual(['1', '2', '3', '5', '6', '7', '8']);
      expect(rows[1]).toEqual([
        '2 ก.พ. 2569 09.00 น.',
        '1',
        // As written: the file keeps Arabic digits where the register writes them, and the letter's own as they came.
        'ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑',
        '28 ม.ค. 2569',
        'กระทรวงมหาดไทย',
        'ผู้ว่าราชการจังหวัด',
        LONG_TITLE,
        `เสร็จ ${clerk.name}\nแจ้งเวียนทุกกองแล้ว (หนังสือตอบ ที่ มท 0201.3/123)`,
        '',
      ]);
    });

    it('notes returned, annulled, suspect, secret, a repeated reference and an entry to complete in หมายเหตุ', () => {
      const remark = (n: string) => rows.find((r) => r[1] === n)![8];
      expect(remark('2')).toBe('ส่งคืน: ส่งผิดหน่วยงาน');
      expect(remark('3')).toBe('ยกเลิก: ลงทะเบียนซ้ำ');
      expect(remark('5')).toBe('น่าสงสัย: ผู้ส่งอาจถูกปลอม');
      expect(remark('6')).toBe('ลับ');
      expect(remark('7')).toBe('ซ้ำกับเลขรับ 1');
      expect(remark('8')).toBe('รอเจ้าหน้าที่กรอกเลขที่/วันที่');
      // The operator's export shows a secret letter in full.
      expect(rows.find((r) => r[1] === '6')![6]).toBe(SECRET_TITLE);
    });

    it('is refused for more than one book at once, saying which books there are', async () => {
      const run = spawnSaraban(['export', '--year', String(YEAR), '--format', 'csv', '--form', 'register'], settings());
      expect(await run.exited).toBe(2);
      expect(run.output()).toContain("the register's form is one book's: say which with --book (RB, RS)");
    });
  });

  it('exports JSON with the fields scripts read and the desk’s: state, deadline, normalised reference, verdict, duplicate, การปฏิบัติ', async () => {
    const run = spawnSaraban(['export', '--year', String(YEAR), '--book', 'RB'], settings());
    expect(await run.exited).toBe(0);
    const entries = JSON.parse(run.stdout()) as Array<Record<string, unknown>>;
    expect(entries.map((e) => e.number)).toEqual([1, 2, 3, 5, 6, 7, 8]);
    expect(entries[0]).toMatchObject({
      book: 'RB',
      year: YEAR,
      number: 1,
      reference: 'ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑',
      title: LONG_TITLE,
      state: 'done',
      deadline: null,
      referenceNormalised: 'มท0201.2/ว5951',
      authenticity: 'authentic',
      duplicateOf: null,
      action: { text: 'แจ้งเวียนทุกกองแล้ว', replyNumber: 'มท 0201.3/123', recordedAt: now.toISOString() },
    });
    const byNumber = (n: number) => entries.find((e) => e.number === n)!;
    expect(byNumber(2)).toMatchObject({ state: 'returned', action: null });
    expect(byNumber(3)).toMatchObject({ state: 'annulled' });
    expect(byNumber(5)).toMatchObject({ state: 'assigned', suspect: true, authenticity: 'forged' });
    expect(byNumber(7)).toMatchObject({ duplicateOf: 1 });
  });

  it('writes a workbook with the title, Thai headings repeated on each printed page, a row per letter and the closing line', async () => {
    const file = tempFile('register.xlsx');
    const run = spawnSaraban(['export', '--year', String(YEAR), '--book', 'RB', '--format', 'xlsx', '--output', file], settings());
    expect(await run.exited).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const sheet = workbook.getWorksheet(`RB ${YEAR}`)!;
    const text = (row: number) => (sheet.getRow(row).values as unknown[]).slice(1);
    expect(text(1)[0]).toBe('ทะเบียนหนังสือรับ');
    expect(text(2)[0]).toBe('สำนักงานทดสอบ');
    expect(text(3)[0]).toBe(`ทะเบียนหนังสือรับ (RB) ปี พ.ศ. ${YEAR}`);
    expect(text(4)).toEqual([...REGISTER_HEADINGS]);
    expect(sheet.pageSetup).toMatchObject({ orientation: 'landscape', paperSize: 9, printTitlesRow: '4:4' });
    expect(sheet.columns.map((c) => c.width)).toEqual([20, 10, 20, 14, 30, 22, 50, 30, 28]);
    // The numbers as numbers (a spreadsheet sorts them), one row per letter.
    const numbers = Array.from({ length: 7 }, (_, i) => sheet.getCell(5 + i, 2).value);
    expect(numbers).toEqual([1, 2, 3, 5, 6, 7, 8]);
    expect(sheet.getCell(5, 7).value).toBe(LONG_TITLE);
    expect(sheet.getCell(5, 7).alignment).toMatchObject({ wrapText: true, vertical: 'top' });
    expect(sheet.getCell(6, 9).value).toBe('ส่งคืน: ส่งผิดหน่วยงาน');
    expect(sheet.getCell(13, 1).value).toBe('เลขรับ 1-8 เลขขาด 1 เลข (4) ยกเลิก 1 เลข (3)');
  });

  describe('as a PDF to print', () => {
    it('prints A4 landscape with the agency, book and year, "หน้า ๑ จาก ๑", and closes listing the missing and annulled numbers', async () => {
      const file = tempFile('register.pdf');
      const run = spawnSaraban(['export', '--year', String(YEAR), '--book', 'RB', '--format', 'pdf', '--output', file], settings());
      expect(await run.exited).toBe(0);
      const pdf = readFileSync(file);
      const doc = await PDFDocument.load(pdf);
      expect(doc.getPageCount()).toBe(1);
      const { width, height } = doc.getPage(0).getSize();
      expect([Math.round(width), Math.round(height)]).toEqual([842, 595]);
      const text = await pdfText(pdf);
      expect(text).toContain('ทะเบียนหนังสือรับ (RB) ปี พ.ศ. ๒๕๖๙');
      expect(text).toContain('สำนักงานทดสอบ');
      expect(text).toContain('หน้า ๑ จาก ๑');
      expect(text).toContain('เลขรับ ๑-๘ เลขขาด ๑ เลข (๔) ยกเลิก ๑ เลข (๓)');
      // The Thai reads back as written, marks and all, long cells wrapped (a line break reads as a space).
      const joined = text.replace(/\s+/g, '');
      for (const words of [LONG_TITLE, 'ผู้ว่าราชการจังหวัด', 'ส่งคืน: ส่งผิดหน่วยงาน', 'ยกเลิก: ลงทะเบียนซ้ำ', 'ซ้ำกับเลขรับ ๑', 'แจ้งเวียนทุกกองแล้ว']) {
        expect(joined).toContain(words.replace(/\s+/g, ''));
      }
    });

    it('numbers every page of a longer register "หน้า n จาก N", N counted before the first page is drawn', async () => {
      const pdf = await exported(form('pdf', books[0], YEAR - 1));
      const pages = (await PDFDocument.load(pdf)).getPageCount();
      expect(pages).toBeGreaterThan(2);
      const text = await pdfText(pdf);
      const thai = (n: number) => String(n).replace(/\d/g, (d) => '๐๑๒๓๔๕๖๗๘๙'[Number(d)]);
      for (let page = 1; page <= pages; page++) expect(text).toContain(`หน้า ${thai(page)} จาก ${thai(pages)}`);
      expect(text).toContain('เลขรับ ๑-๔๐ ครบ ไม่มีเลขขาด');
    });

    it('says a whole register is whole', async () => {
      const text = await pdfText(await exported(form('pdf', books[1])));
      expect(text).toContain('รายงานผลการเรียน');
      expect(text).toContain('เลขรับ ๑-๑ ครบ ไม่มีเลขขาด');
    });
  });

  describe('downloaded from the register page', () => {
    const download = (format: string, as?: string, query = `book=RB&year=${YEAR}&format=${format}`) =>
      desk.app.inject({ method: 'GET', url: `/register/export?${query}`, headers: { ...BROWSER, ...(as ? { cookie: as } : {}) } });

    it('offers the whole register’s files to the admin alone', async () => {
      const links = /href="\/register\/export\?book=RB&amp;year=2569&amp;format=(pdf|xlsx|csv)"/g;
      const page = (as: string) => desk.app.inject({ method: 'GET', url: `/register?year=${YEAR}`, headers: { ...BROWSER, cookie: as } });
      const forAdmin = await page(await signInAsBrowser(desk, admin));
      expect([...forAdmin.body.matchAll(links)].map((m) => m[1])).toEqual(['pdf', 'xlsx', 'csv']);
      expect((await page(await signInAsBrowser(desk, clerk))).body).not.toContain('/register/export');
    });

    it('sends nothing to one not signed in, nor to an officer or a supervisor, who see a part of the register', async () => {
      expect((await download('csv')).statusCode).toBe(303);
      for (const who of [clerk, head]) {
        const res = await download('csv', await signInAsBrowser(desk, who));
        expect(res.statusCode).toBe(403);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
      }
    });

    it.each([
      ['csv', 'text/csv; charset=utf-8', '\uFEFFวันที่'],
      ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'PK'],
      ['pdf', 'application/pdf', '%PDF-'],
    ])('gives the admin the register as %s, a file to save', async (format, contentType, start) => {
      const res = await download(format, await signInAsBrowser(desk, admin));
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(contentType);
      expect(res.headers['content-disposition']).toBe(`attachment; filename="register-RB-${YEAR}.${format}"`);
      expect(res.rawPayload.subarray(0, Buffer.byteLength(start)).toString()).toBe(start);
    });

    it('shows a secret letter in full only to an admin named for secret mail; to another, its date and number', async () => {
      const rowOf = (csv: string) => (parseCsv(csv, { bom: true }) as string[][]).find((r) => r[1] === '6')!;
      const masked = rowOf((await download('csv', await signInAsBrowser(desk, admin))).body);
      expect(masked.slice(2, 7)).toEqual(['', '', '', '', '']);
      expect(masked[8]).toBe('หนังสือลับ ไม่แสดงรายละเอียด');
      const full = rowOf((await download('csv', await signInAsBrowser(desk, cleared))).body);
      expect(full[6]).toBe(SECRET_TITLE);
    });

    it('answers a book the settings do not have with 404, and a format it does not make with 400', async () => {
      const as = await signInAsBrowser(desk, admin);
      expect((await download('csv', as, `book=ZZ&year=${YEAR}&format=csv`)).statusCode).toBe(404);
      expect((await download('doc', as)).statusCode).toBe(400);
    });
  });

  describe('when its reader goes away', () => {
    // RB 2567: 3,000 letters, far more than the streams on the way to the reader hold.
    const BIG_YEAR = YEAR - 2;
    beforeAll(async () => {
      await fillRegister(env.db.pool, 'RB', BIG_YEAR, 1, 3_000);
    }, 120_000);

    it.each(['xlsx', 'pdf', 'csv'] as const)('stops a %s waiting for room, and lets go of its connection', async (format) => {
      // A reader that takes nothing (a download stalled): the writer fills what the streams hold
      // and waits for room. Then the reader goes away (the download cancelled): waiting on would
      // keep the register's cursor, and its connection, for as long as the desk runs.
      const out = new PassThrough();
      const outcome = exportRegister(env.db.pool, form(format, books[0], BIG_YEAR), out).then(
        () => 'finished',
        (err: Error) => `stopped: ${err.message}`,
      );
      // Waiting: what `out` holds has stopped growing (for 300 ms).
      let held = -1;
      let still = 0;
      await waitFor(() => {
        const now = out.writableLength + out.readableLength;
        still = out.writableNeedDrain && now === held ? still + 1 : 0;
        held = now;
        return still >= 3;
      }, 'the export waiting for room');
      // Still reading the register through its cursor: not finished before the reader went away.
      expect(env.db.pool.totalCount - env.db.pool.idleCount).toBe(1);
      out.destroy();
      const hung = new Promise<string>((resolve) => setTimeout(() => resolve('still waiting after 10 s'), 10_000).unref());
      expect(await Promise.race([outcome, hung])).toMatch(/^stopped: /);
      await waitFor(() => env.db.pool.idleCount === env.db.pool.totalCount, 'its connection back in the pool', 5_000);
    });
  });
});
