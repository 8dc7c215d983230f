import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { reportCommand, type ReportIo } from '../../bin/report';
import { addOfficer } from '../../registry/officers';
import { BY_THE_TEST } from '../support/desk';
import { pdfText } from '../support/pdf';
import { spawnSaraban, testConfig, useTestDatabase } from '../support/services';

// `saraban report central-address`: the report for DGA and the Ministry, as the operator runs it.
describe('saraban report central-address', () => {
  const env = useTestDatabase();
  const dir = mkdtempSync(path.join(tmpdir(), 'saraban-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const children: Array<ReturnType<typeof spawnSaraban>> = [];
  afterAll(() => {
    for (const run of children) run.child.kill('SIGKILL');
  });

  /** `saraban ...` in a process of its own, from the sources. */
  async function saraban(...args: string[]) {
    const run = spawnSaraban(args, testConfig(env.db.url));
    children.push(run);
    const code = await run.exited;
    return { code, stdout: run.stdout(), output: run.output() };
  }

  /** The command in this process, on a terminal or not, dated 4 December 2569 in Bangkok. */
  async function report(args: string[], isTerminal = false) {
    const written: Buffer[] = [];
    let stderr = '';
    const io: ReportIo = {
      write: (data) => void written.push(data),
      err: (line) => void (stderr += `${line}\n`),
      isTerminal,
      clock: () => new Date('2026-12-04T03:00:00Z'),
    };
    const code = await reportCommand(testConfig(env.db.url), ['central-address', ...args], io);
    return { code, stdout: Buffer.concat(written), stderr };
  }

  it('says on stderr, and in the report, that no officer is named yet', async () => {
    const csv = await report(['--format', 'csv']);
    expect(csv.code).toBe(0);
    expect(csv.stderr).toContain('no officer is named to check the central mailbox yet');
    expect(csv.stdout.toString('utf8')).toBe(
      '\uFEFFลำดับ,หน่วยงาน,ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง,ชื่อ - สกุล,ตำแหน่ง,หมายเลขโทรศัพท์,ข้อมูล ณ วันที่\n' +
        ',สำนักงานทดสอบ,saraban@example.go.th,,,,4 ธันวาคม 2569\n',
    );
    const file = path.join(dir, 'none.pdf');
    expect((await report(['--output', file])).code).toBe(0);
    expect(await pdfText(readFileSync(file))).toContain('ยังไม่ได้กำหนดเจ้าหน้าที่ผู้รับผิดชอบตรวจสอบ');
  });

  it('writes the PDF to --output, with the officers named and the Thai date, and says where on stderr', async () => {
    await addOfficer(
      env.db.pool,
      { username: 'kamol', name: 'กมล ใจดี', role: 'officer', position: 'เจ้าพนักงานธุรการ', phone: '0 2123 4567', checksMailbox: true },
      BY_THE_TEST,
    );
    const file = path.join(dir, 'central-address.pdf');
    const run = await report(['--format', 'pdf', '--output', file]);
    expect(run).toEqual({ code: 0, stdout: Buffer.alloc(0), stderr: `central-address report (pdf, 1 officer(s)) written to ${file}\n` });
    const text = await pdfText(readFileSync(file));
    for (const expected of [
      'สำนักงานทดสอบ',
      'saraban@example.go.th',
      'กมล ใจดี',
      'เจ้าพนักงานธุรการ',
      '0 2123 4567',
      'ข้อมูล ณ วันที่ ๔ ธันวาคม ๒๕๖๙',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('prints a PDF into a pipe but not on a terminal, and refuses a format it does not make or a file it cannot write', async () => {
    expect((await report(['--format', 'pdf'])).stdout.subarray(0, 5).toString()).toBe('%PDF-');
    expect(await report(['--format', 'pdf'], true)).toEqual({
      code: 2,
      stdout: Buffer.alloc(0),
      stderr: expect.stringContaining('a PDF is not printed on a terminal: give --output FILE'),
    });
    expect((await report(['--format', 'csv'], true)).code).toBe(0);
    expect(await report(['--format', 'xlsx'])).toMatchObject({ code: 2, stderr: '--format must be pdf or csv, not "xlsx"\n' });
    expect(await report(['--colour', 'blue'])).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--colour'") });
    expect(await report(['--output', path.join(dir, 'no-such-folder', 'x.pdf')])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`cannot write the report to ${path.join(dir, 'no-such-folder', 'x.pdf')}`),
    });
  });

  it('runs as `saraban report central-address`: CSV on stdout for a script, a wrong report named with the usage', async () => {
    const csv = await saraban('report', 'central-address', '--format', 'csv');
    expect(csv.code).toBe(0);
    expect(csv.stdout.startsWith('\uFEFFลำดับ,หน่วยงาน')).toBe(true);
    expect(csv.stdout).toContain(',กมล ใจดี,เจ้าพนักงานธุรการ,0 2123 4567,');

    const wrong = await saraban('report', 'register');
    expect(wrong.code).toBe(2);
    expect(wrong.output).toContain('saraban report: say which report: central-address');
  });
});
