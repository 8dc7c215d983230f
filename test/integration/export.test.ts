import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { buddhistYear } from '../../letter/calendar';
import { testConfig, useTestDatabase } from '../support/services';

const ROOT = path.resolve(__dirname, '../..');
const LETTERS = 2_000;

// `saraban export` as scripts use it: its output piped into another program.
describe('saraban export into a pipe', () => {
  const env = useTestDatabase();
  const year = buddhistYear(new Date());
  let dir: string;
  let settings: string;

  beforeAll(async () => {
    // A register of 2,000 letters, each with a Thai title and a file, well over a pipe's 64 KiB.
    await env.db.pool.query(
      `WITH kept AS (
         INSERT INTO inbound (id, received_at, edge, mail_from, rcpt_to, book, size, sha256, processed_at, outcome)
         SELECT gen_random_uuid(), now(), 'smtp', 'clerk@moe.go.th', '{saraban@example.go.th}', 'RB', 1000, repeat('0', 64), now(), 'registered'
           FROM generate_series(1, $1::int)
         RETURNING id)
       INSERT INTO letter (inbound_id, book, year, number, registered_at, message_id, from_address, subject, title, attachments)
       SELECT id, 'RB', $2, row_number() OVER (), now(), '<' || id || '@moe.go.th>', 'clerk@moe.go.th',
              'ที่ ศธ 0206/' || id || ' เรื่อง ขอเชิญประชุมคณะกรรมการ', 'ขอเชิญประชุมคณะกรรมการ',
              jsonb_build_array(jsonb_build_object('filename', 'หนังสือ.pdf', 'contentType', 'application/pdf', 'size', 1000, 'sha256', repeat('a', 64)))
         FROM kept`,
      [LETTERS, year],
    );
    dir = mkdtempSync(path.join(tmpdir(), 'saraban-export-'));
    settings = path.join(dir, 'saraban.yaml');
    writeFileSync(settings, stringifyYaml(testConfig(env.db.url)));
  });

  const exportCommand = (...args: string[]) =>
    spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin/saraban.ts'), 'export', '--year', String(year), ...args], {
      cwd: ROOT,
      env: { ...process.env, SARABAN_CONFIG: settings },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const exitOf = (child: ReturnType<typeof spawn>) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  it.each(['json', 'csv'])(
    'writes every entry of a %s register to a reader that is slow to read, byte for byte as --output FILE',
    async (format) => {
      const file = path.join(dir, `register.${format}`);
      const toFile = exportCommand('--format', format, '--output', file);
      expect(await exitOf(toFile)).toBe(0);

      const piped = exportCommand('--format', format);
      const exited = exitOf(piped);
      // The reader is busy for a while: the pipe fills and the rest waits in the exporter.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const chunks: Buffer[] = [];
      for await (const chunk of piped.stdout!) chunks.push(chunk as Buffer);
      expect(await exited).toBe(0);

      const written = readFileSync(file);
      expect(written.length).toBeGreaterThan(10 * 64 * 1024);
      expect(Buffer.concat(chunks).equals(written)).toBe(true);
      if (format === 'json') expect(JSON.parse(written.toString())).toHaveLength(LETTERS);
    },
  );

  // XLSX too: its writer waits on the archive exceljs feeds, which takes nothing more once the reader is gone.
  it.each(['json', 'xlsx'])('fails with a non-zero status, saying so, when the reader of %s goes away before the end', async (format) => {
    const piped = exportCommand('--format', format);
    const exited = exitOf(piped);
    let stderr = '';
    piped.stderr!.on('data', (d) => (stderr += d));
    // `| head -c 1000`: read a little, then close the pipe.
    await new Promise<void>((resolve) => piped.stdout!.once('data', () => resolve()));
    piped.stdout!.destroy();
    expect(await exited).toBe(1);
    expect(stderr).toMatch(/cannot write the output \(EPIPE\); what was printed is incomplete/);
  });
});
