import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { stringify as stringifyYaml } from 'yaml';
import { peakRssKiB } from '../../devkit/processes';
import { buddhistYear } from '../../letter/calendar';
import { fillRegister } from '../support/letters';
import { testConfig, useTestDatabase, waitFor } from '../support/services';

const ROOT = path.resolve(__dirname, '../..');
const LETTERS = 100_000;
// What the exporter may grow by, past what it needs for a register of two letters. The
// register read into one array needed about 1.1 GB more than that (docs/PERFORMANCE.md).
const GROWTH_ALLOWED_KIB = 64 * 1024;

// A year's register is read through a cursor and written as it is read: the exporter's memory
// does not grow with the register.
describe('saraban export of a large register', () => {
  const env = useTestDatabase();
  const year = buddhistYear(new Date());
  let settings: string;

  beforeAll(async () => {
    // The year's register, and a register of two letters in the year before it, to compare with.
    await fillRegister(env.db.pool, 'RB', year, 1, LETTERS);
    await fillRegister(env.db.pool, 'RB', year - 1, 1, 2);
    await env.db.pool.query('ANALYZE letter');
    const dir = mkdtempSync(path.join(tmpdir(), 'saraban-export-'));
    settings = path.join(dir, 'saraban.yaml');
    writeFileSync(settings, stringifyYaml(testConfig(env.db.url)));
  }, 300_000);

  const exportCommand = (format: string, ofYear: number) =>
    spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bin/saraban.ts'), 'export', '--year', String(ofYear), '--format', format],
      {
        cwd: ROOT,
        env: { ...process.env, SARABAN_CONFIG: settings },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );

  /**
   * Runs the export into a pipe that the test reads as fast as it can, and returns what came out
   * with the exporter's peak resident set: VmHWM, read at every piece of output while the process
   * still lives (the peak of a process that has written everything is behind it by then).
   */
  async function exportOf(format: string, ofYear: number) {
    const child = exportCommand(format, ofYear);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let peakKiB = 0;
    const look = () => (peakKiB = Math.max(peakKiB, peakRssKiB(child.pid!) ?? 0));
    const watch = setInterval(look, 50);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const chunks: Buffer[] = [];
    for await (const chunk of child.stdout) {
      look();
      chunks.push(chunk as Buffer);
    }
    clearInterval(watch);
    expect({ code: await exited, stderr }).toEqual({ code: 0, stderr: '' });
    return { output: Buffer.concat(chunks), peakKiB };
  }

  const occurrences = (output: Buffer, text: string) => {
    const needle = Buffer.from(text);
    let n = 0;
    for (let at = output.indexOf(needle); at >= 0; at = output.indexOf(needle, at + needle.length)) n++;
    return n;
  };

  it.each([
    ['json', (output: Buffer) => occurrences(output, '\n    "book": "RB",\n'), `"number": ${LETTERS},`],
    ['csv', (output: Buffer) => occurrences(output, '\nRB,'), `\nRB,${year},${LETTERS},`],
  ])(
    'exports 100,000 letters as %s, every one, growing by less than 64 MiB over a register of two',
    async (format, entries, last) => {
      const small = await exportOf(format, year - 1);
      expect(entries(small.output)).toBe(2);
      const large = await exportOf(format, year);
      expect(entries(large.output)).toBe(LETTERS);
      expect(large.output.includes(last)).toBe(true);
      // Written down for docs/PERFORMANCE.md.
      process.stderr.write(
        `export ${format}: ${large.output.length} bytes; peak RSS ${large.peakKiB} KiB for ${LETTERS} letters, ${small.peakKiB} KiB for 2\n`,
      );
      expect(large.peakKiB - small.peakKiB).toBeLessThan(GROWTH_ALLOWED_KIB);
    },
    300_000,
  );

  it('exports 100,000 letters as XLSX in the register\'s form, every one, growing by less than 64 MiB over a register of two', async () => {
    // The sheet's rows as written (exceljs would read them one by one, far slower than it wrote them).
    const rowsIn = async (xlsx: Buffer) =>
      ((await (await JSZip.loadAsync(xlsx)).file('xl/worksheets/sheet1.xml')!.async('string')).match(/<row /g) ?? []).length;
    const small = await exportOf('xlsx', year - 1);
    const large = await exportOf('xlsx', year);
    // The title (3 rows), the headings, a row per letter, the closing line.
    expect(await rowsIn(small.output)).toBe(4 + 2 + 1);
    expect(await rowsIn(large.output)).toBe(4 + LETTERS + 1);
    process.stderr.write(`export xlsx: ${large.output.length} bytes; peak RSS ${large.peakKiB} KiB for ${LETTERS} letters, ${small.peakKiB} KiB for 2\n`);
    expect(large.peakKiB - small.peakKiB).toBeLessThan(GROWTH_ALLOWED_KIB);
  }, 600_000);

  it('fails with a non-zero status, saying why, when its database connection is lost in the middle of the register', async () => {
    const child = exportCommand('csv', year);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // A reader that stops after the first lines: the exporter waits with its cursor open.
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(void chunks.push(chunk))));
    child.stdout.pause();
    const backend = await waitFor(
      async () =>
        (
          await env.db.pool.query(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'SELECT % FROM letter WHERE year = $1 %'`,
          )
        ).rows[0]?.pid as number | undefined,
      "the exporter's cursor",
    );
    await env.db.pool.query('SELECT pg_terminate_backend($1)', [backend]);
    for await (const chunk of child.stdout) chunks.push(chunk as Buffer);
    expect(await exited).toBe(1);
    // Which error surfaces first is a race: PostgreSQL's own word that it ended the connection, or
    // the client's next write to the socket it closed (EPIPE, seen on a fresh clone's CI run).
    expect(stderr).toMatch(/^saraban: (terminating connection due to administrator command|write EPIPE|Connection terminated)/);
    expect(Buffer.concat(chunks).toString().split('\n').length).toBeLessThan(LETTERS);
  });
});
