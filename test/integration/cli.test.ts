import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { statFields } from '../../devkit/processes';
import { buddhistYear } from '../../letter/calendar';
import { flushPrefix, openSmtpSession, sendLetter, spawnSaraban, useDatabaseAndRelay, testConfig, waitFor } from '../support/services';

// The `saraban` command as operators run it: one process for every role, export, shutdown.
describe('the saraban command', () => {
  const env = useDatabaseAndRelay();

  it('runs every role with `saraban all`, exports the register, and on SIGTERM finishes the message in DATA, refuses more with 421 and exits 0', async () => {
    const config = testConfig(env.db.url, { relay: { url: env.relay.url }, log: { level: 'info' } });
    const app = spawnSaraban(['all'], config);
    try {
      await app.printed(/"msg":"desk listening/, 'all roles to start');
      const smtpPort = Number(app.output().match(/"port":(\d+),"addresses"/)![1]);
      await sendLetter(smtpPort, { messageId: '<cli-1@moe.go.th>', subject: 'เรื่อง ส่งออกทะเบียน, "ทดสอบ"' });
      await waitFor(() => env.relay.messages.length === 1, 'the acknowledgement');

      const year = buddhistYear(new Date());
      const json = spawnSaraban(['export', '--year', String(year), '--format', 'json'], config);
      expect(await json.exited).toBe(0);
      const entries = JSON.parse(json.output());
      expect(entries).toEqual([
        expect.objectContaining({
          book: 'RB',
          year,
          number: 1,
          messageId: '<cli-1@moe.go.th>',
          from: 'saraban@moe.go.th',
          subject: 'เรื่อง ส่งออกทะเบียน, "ทดสอบ"',
          title: 'ส่งออกทะเบียน, "ทดสอบ"',
          reference: null,
          suspect: false,
          restricted: false,
          attachments: [
            expect.objectContaining({
              filename: 'หนังสือเชิญประชุม.pdf',
              size: expect.any(Number),
              sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
            }),
          ],
        }),
      ]);
      expect(new Date(entries[0].registeredAt).toISOString()).toBe(entries[0].registeredAt);

      const csv = spawnSaraban(['export', '--year', String(year), '--book', 'RB', '--format', 'csv'], config);
      expect(await csv.exited).toBe(0);
      const lines = csv
        .output()
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\n');
      expect(lines[0]).toBe(
        'book,year,number,registeredAt,messageId,from,fromName,subject,attachments,reference,letterDate,agency,addressee,title,urgency,secrecy,circular,suspect,restricted',
      );
      expect(lines[1]).toContain(`RB,${year},1,`);
      expect(lines[1]).toContain('"เรื่อง ส่งออกทะเบียน, ""ทดสอบ"""');

      // A sender in the middle of DATA when the operator stops the service.
      const session = await openSmtpSession(smtpPort);
      await session.command('EHLO sender.moe.go.th');
      await session.command('MAIL FROM:<clerk@moe.go.th>');
      await session.command('RCPT TO:<saraban@example.go.th>');
      expect(await session.command('DATA')).toMatch(/^354 /);
      session.write('From: clerk@moe.go.th\r\nSubject: in flight\r\nMessage-ID: <cli-2@moe.go.th>\r\n\r\nfirst half\r\n');
      app.child.kill('SIGTERM');
      await app.printed(/stopping: no new mail/, 'the shutdown to begin');
      expect(await session.finishData('second half')).toMatch(/^250 .*Kept as/);
      expect(await session.command('MAIL FROM:<clerk@moe.go.th>')).toMatch(/^421 /);
      await session.close();
      expect(await app.exited).toBe(0);

      const kept = await env.db.pool.query(`SELECT count(*)::int AS n FROM inbound`);
      expect(kept.rows[0].n).toBe(2);
    } finally {
      app.child.kill('SIGKILL');
      await flushPrefix(config.redis.prefix);
    }
  });

  it('runs `saraban worker` with every thread at the lower CPU priority of workers.niceness', async () => {
    // Above this test's own priority (a run under nice starts there), or it would prove nothing.
    const niceness = Math.min(19, os.getPriority() + 5);
    const config = testConfig(env.db.url, { workers: { niceness }, log: { level: 'info' } });
    const worker = spawnSaraban(['worker'], config);
    let niceValues: number[];
    try {
      await worker.printed(/workers started/, 'the worker to start');
      // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value; a thread may end meanwhile.
      const niceOf = (tid: string) => {
        try {
          return Number(statFields(readFileSync(`/proc/${worker.child.pid}/task/${tid}/stat`, 'utf8'))[16]);
        } catch {
          return niceness;
        }
      };
      const threads = readdirSync(`/proc/${worker.child.pid}/task`);
      expect(threads.length).toBeGreaterThan(1);
      niceValues = threads.map(niceOf);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
      await flushPrefix(config.redis.prefix);
    }
    expect(niceValues.every((n) => n === niceness)).toBe(true);
    expect(worker.output()).toMatch(new RegExp(`"niceness":${niceness}.*lower CPU priority`));
    expect(await worker.exited).toBe(0);
  });

  it('says what to change when the settings are wrong, and exits non-zero', async () => {
    const config = testConfig(env.db.url);
    const run = spawnSaraban(['migrate'], config, { SARABAN_SMTP_PORT: 'twenty-five' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/SARABAN_SMTP_PORT=twenty-five is not a port number/);

    const noDb = spawnSaraban(['migrate'], config, { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/saraban' });
    expect(await noDb.exited).toBe(1);
    expect(noDb.output()).toMatch(/Check that PostgreSQL is running and set DATABASE_URL/);
  });
});
