import { imapCommand } from '../../bin/imap';
import { startRoles, type RoleOptions, type Running } from '../../bin/roles';
import type { Config } from '../../config/load';
import { PASSWORD, startDovecot, USER, type Dovecot } from '../support/dovecot';
import { startImapFaultProxy } from '../support/imap-fault';
import {
  createTestDatabase,
  flushPrefix,
  samplePdf,
  silent,
  spawnSaraban,
  testConfig,
  waitFor,
  type TestDatabase,
} from '../support/services';

// The IMAP edge against a real Dovecot: every message taken in exactly once, whatever happens.
describe('IMAP intake', () => {
  let dovecot: Dovecot;
  const cleanups: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    dovecot = await startDovecot();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await dovecot.stop();
  });

  const letter = (n: number, folder: string) =>
    [
      'Return-Path: <saraban@moe.go.th>',
      'From: =?UTF-8?B?4Liq4Liz4LiZ4Lix4LiB4LiH4Liy4LiZ?= <saraban@moe.go.th>',
      'To: saraban@example.go.th',
      `Subject: =?UTF-8?B?${Buffer.from(`ที่ ศธ 0206/${n} เรื่อง หนังสือทดสอบ ${folder} ${n}`).toString('base64')}?=`,
      `Message-ID: <imap-${folder}-${n}@moe.go.th>`,
      'Date: Tue, 24 Nov 2026 09:15:00 +0700',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `หนังสือฉบับที่ ${n}`,
      '--b1',
      'Content-Type: application/pdf; name="letter.pdf"',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="letter.pdf"',
      '',
      samplePdf(`letter ${folder} ${n}`).toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--b1--',
      '',
    ].join('\r\n');

  /** A database, settings with one mailbox on our Dovecot, and a cleanup for both. */
  async function mailboxSetup(folder: string, imap: Record<string, unknown> = {}): Promise<{ db: TestDatabase; config: Config }> {
    const db = await createTestDatabase();
    const config = testConfig(db.url, {
      imap: [
        { host: '127.0.0.1', port: dovecot.port, secure: false, user: USER, password: PASSWORD, folder, pollIntervalMs: 1_000, ...imap },
      ],
    });
    cleanups.push(async () => {
      await flushPrefix(config.redis.prefix);
      await db.drop();
    });
    return { db, config };
  }

  async function start(roles: Array<'gateway' | 'worker' | 'desk'>, config: Config, options: RoleOptions = {}): Promise<Running> {
    const running = await startRoles(roles, config, silent, options);
    cleanups.push(() => running.stop());
    return running;
  }

  const count = async (db: TestDatabase, sql: string) => (await db.pool.query(sql)).rows[0].n as number;

  /** UIDs and flags of every message in a folder. */
  async function folderContents(folder: string) {
    const c = await dovecot.client();
    try {
      await c.mailboxOpen(folder);
      const messages = await c.fetchAll('1:*', { uid: true, flags: true, envelope: true });
      return messages.map((m) => ({ messageId: m.envelope?.messageId, flags: [...(m.flags ?? [])].sort() }));
    } catch {
      return [];
    } finally {
      await c.logout();
    }
  }

  it('takes in 100 messages appended while it runs, each once, then flags and moves them; nothing is deleted', async () => {
    const { db, config } = await mailboxSetup('Intake100');
    await dovecot.append('Intake100', []);
    await start(['gateway', 'worker'], config);
    for (let i = 0; i < 100; i += 10) {
      await dovecot.append(
        'Intake100',
        Array.from({ length: 10 }, (_, j) => letter(i + j, 'Intake100')),
      );
    }
    await waitFor(async () => (await count(db, 'SELECT count(*)::int AS n FROM letter')) === 100, '100 letters', 60_000);
    await waitFor(
      async () => (await folderContents('Registered')).filter((m) => m.messageId?.includes('Intake100')).length === 100,
      'all moved',
    );

    expect(await count(db, 'SELECT count(*)::int AS n FROM inbound')).toBe(100);
    const { rows } = await db.pool.query('SELECT number, message_id FROM letter ORDER BY number');
    expect(rows.map((r) => r.number)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.message_id)).size).toBe(100);
    expect(await folderContents('Intake100')).toEqual([]);
    const moved = (await folderContents('Registered')).filter((m) => m.messageId?.includes('Intake100'));
    expect(moved).toHaveLength(100);
    for (const m of moved) expect(m.flags).toEqual(['$SarabanKept', '\\Seen']);
    const edges = await db.pool.query(`SELECT DISTINCT edge, mail_from, rcpt_to FROM inbound`);
    expect(edges.rows).toEqual([{ edge: 'imap', mail_from: 'saraban@moe.go.th', rcpt_to: ['saraban@example.go.th'] }]);
  });

  it('reports each mailbox on /healthz and /metrics, and leaves a message over the size limit in place, flagged', async () => {
    const { db, config } = await mailboxSetup('Status');
    const big = letter(2, 'Status').replace('หนังสือฉบับที่ 2', 'x'.repeat(2 * 1024 * 1024));
    await dovecot.append('Status', [letter(1, 'Status'), big, letter(3, 'Status')]);
    const app = await start(['gateway', 'worker', 'desk'], { ...config, smtp: { ...config.smtp, maxSizeBytes: 1024 * 1024 } });
    await waitFor(async () => (await count(db, 'SELECT count(*)::int AS n FROM letter')) === 2, 'the two letters that fit');
    await waitFor(async () => (await folderContents('Status')).some((m) => m.flags.includes('$SarabanTooLarge')), 'the big one flagged');
    expect(await folderContents('Status')).toEqual([{ messageId: '<imap-Status-2@moe.go.th>', flags: ['$SarabanTooLarge'] }]);

    const key = `${USER}@127.0.0.1:${dovecot.port}/Status`;
    const health = await waitFor(async () => {
      const body = (await (await fetch(`http://127.0.0.1:${app.deskPort}/healthz`)).json()) as { imap: Array<Record<string, unknown>> };
      return body.imap[0]?.lastUid === 3 ? body : null;
    }, 'the status to show the last UID');
    expect(health!.imap).toEqual([
      expect.objectContaining({ mailbox: key, connected: true, backlog: 0, lastError: null, lastSyncAt: expect.any(String) }),
    ]);
    const metrics = await (await fetch(`http://127.0.0.1:${app.deskPort}/metrics`)).text();
    expect(metrics).toContain(`saraban_imap_mailbox{mailbox="${key}",field="connected"} 1`);
    expect(metrics).toContain(`saraban_imap_mailbox{mailbox="${key}",field="watermark"} 3`);
    expect(metrics).toContain('saraban_messages_refused_total{edge="imap",reason="too-large"} 1');
    expect(metrics).toContain('saraban_messages_accepted_total{edge="imap"} 2');
  });

  it('reconnects after Dovecot restarts mid-run and loses nothing', async () => {
    const { db, config } = await mailboxSetup('Restart');
    await dovecot.append(
      'Restart',
      Array.from({ length: 20 }, (_, i) => letter(i, 'Restart')),
    );
    await start(['gateway', 'worker'], config);
    await waitFor(async () => (await count(db, 'SELECT count(*)::int AS n FROM inbound')) > 0, 'the first messages');
    await dovecot.restart();
    await dovecot.append(
      'Restart',
      Array.from({ length: 20 }, (_, i) => letter(20 + i, 'Restart')),
    );
    await waitFor(async () => (await count(db, 'SELECT count(*)::int AS n FROM letter')) === 40, '40 letters', 60_000);
    expect(await count(db, 'SELECT count(*)::int AS n FROM inbound')).toBe(40);
    expect(await count(db, 'SELECT count(DISTINCT message_id)::int AS n FROM letter')).toBe(40);
  });

  it('takes in nothing twice when the folder is recreated with the same messages (UIDVALIDITY reset)', async () => {
    const { db, config } = await mailboxSetup('Reset', { afterIntake: 'flag' });
    const messages = Array.from({ length: 10 }, (_, i) => letter(i, 'Reset'));
    await dovecot.append('Reset', messages);
    const app = await start(['gateway', 'worker'], config);
    await waitFor(async () => (await count(db, 'SELECT count(*)::int AS n FROM letter')) === 10, '10 letters');
    await waitFor(async () => (await folderContents('Reset')).every((m) => m.flags.includes('$SarabanKept')), 'all flagged');
    await app.stop();

    const c = await dovecot.client();
    const before = ((await c.status('Reset', { uidValidity: true })) || undefined)?.uidValidity;
    await c.mailboxDelete('Reset');
    await c.logout();
    await new Promise((r) => setTimeout(r, 1100)); // Dovecot derives UIDVALIDITY from the clock
    await dovecot.append('Reset', [...messages, letter(10, 'Reset')]);
    const c2 = await dovecot.client();
    const after = ((await c2.status('Reset', { uidValidity: true })) || undefined)?.uidValidity;
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    await c2.logout();

    await start(['gateway', 'worker'], config);
    await waitFor(async () => (await count(db, 'SELECT count(*)::int AS n FROM letter')) === 11, 'the one new letter');
    await waitFor(async () => (await folderContents('Reset')).every((m) => m.flags.includes('$SarabanKept')), 'all flagged again');
    expect(await count(db, 'SELECT count(*)::int AS n FROM inbound')).toBe(11);
    expect(await folderContents('Reset')).toHaveLength(11); // flag only: nothing moved, nothing deleted
  });

  it('keeps a malformed message between good ones without holding them up', async () => {
    const { db, config } = await mailboxSetup('Malformed');
    const garbage = Buffer.concat([Buffer.from('this is not\r\na message \x00\x01\xff\xfe'), Buffer.alloc(300, 0xff), Buffer.from('\r\n')]);
    await dovecot.append('Malformed', [letter(1, 'Malformed'), garbage, letter(2, 'Malformed')]);
    await start(['gateway', 'worker'], config);
    await waitFor(
      async () => (await count(db, `SELECT count(*)::int AS n FROM inbound WHERE processed_at IS NOT NULL`)) === 3,
      'all three decided',
    );
    const { rows } = await db.pool.query(`SELECT message_id FROM letter WHERE message_id IS NOT NULL ORDER BY message_id`);
    expect(rows.map((r) => r.message_id)).toEqual(['<imap-Malformed-1@moe.go.th>', '<imap-Malformed-2@moe.go.th>']);
    expect((await folderContents('Registered')).filter((m) => m.messageId?.includes('Malformed'))).toHaveLength(2);
  });

  it('takes in every message exactly once when the gateway process is killed mid-batch and restarted', async () => {
    const { db, config } = await mailboxSetup('Killed');
    await dovecot.append(
      'Killed',
      Array.from({ length: 100 }, (_, i) => letter(i, 'Killed')),
    );
    const first = spawnSaraban(['gateway'], config);
    try {
      await waitFor(async () => (await count(db, 'SELECT count(*)::int AS n FROM inbound')) >= 15, 'the first messages taken in');
    } finally {
      first.child.kill('SIGKILL');
    }
    await first.exited;
    expect(await count(db, 'SELECT count(*)::int AS n FROM inbound')).toBeLessThan(100);

    const second = spawnSaraban(['gateway'], config);
    cleanups.push(async () => {
      second.child.kill('SIGTERM');
      await second.exited;
    });
    await start(['worker'], config);
    await waitFor(async () => (await count(db, 'SELECT count(*)::int AS n FROM letter')) === 100, '100 letters', 60_000);
    expect(await count(db, 'SELECT count(*)::int AS n FROM inbound')).toBe(100);
    expect(await count(db, 'SELECT count(DISTINCT message_id)::int AS n FROM letter')).toBe(100);
    await waitFor(async () => (await folderContents('Killed')).length === 0, 'the folder emptied');
    expect((await folderContents('Registered')).filter((m) => m.messageId?.includes('Killed'))).toHaveLength(100);
  });

  it("believes the trusted server's DMARC only for the From the register shows", async () => {
    const { db, config } = await mailboxSetup('FromCheck', { trustedAuthservId: 'mx.moe.go.th' });
    const withResults = (n: number, from: string, results: string) =>
      `Authentication-Results: ${results}\r\n${letter(n, 'FromCheck').replace(/^From: .*$/m, `From: ${from}`)}`;
    await dovecot.append('FromCheck', [
      withResults(
        1,
        'Clerk <clerk@moe.go.th>',
        'mx.moe.go.th; spf=pass smtp.mailfrom=clerk@moe.go.th; dkim=pass header.d=moe.go.th; dmarc=pass header.from=moe.go.th',
      ),
      // The server judged the second address; the register shows the first.
      withResults(
        2,
        'Clerk <clerk@moe.go.th>, <someone@evil.example>',
        'mx.moe.go.th; spf=pass smtp.mailfrom=someone@evil.example; dkim=pass header.d=evil.example; dmarc=pass header.from=evil.example',
      ),
    ]);
    await start(['gateway', 'worker'], config);
    await waitFor(async () => (await count(db, 'SELECT count(*)::int AS n FROM letter')) === 2, 'two letters');
    const { rows } = await db.pool.query(
      `SELECT from_address, authenticity->>'verdict' AS verdict, authenticity->>'reason' AS reason FROM letter ORDER BY message_id`,
    );
    expect(rows).toEqual([
      { from_address: 'clerk@moe.go.th', verdict: 'authentic', reason: 'dmarc=pass' },
      {
        from_address: 'clerk@moe.go.th',
        verdict: 'unverified',
        reason: 'dmarc=pass judged header.from=evil.example, not the From shown (moe.go.th)',
      },
    ]);
  });

  describe('a message the server will not hand over', () => {
    /** Three letters in a folder of their own (UIDs 1, 2, 3), fetched through a proxy that refuses UID 2's FETCH. */
    async function failingSetup(folder: string, fetches: 'body' | 'any', maxAttemptsPerMessage: number) {
      await dovecot.append(folder, [letter(1, folder), letter(2, folder), letter(3, folder)]);
      const proxy = await startImapFaultProxy(dovecot.port, { uid: 2, fetches });
      cleanups.push(() => proxy.close());
      const { db, config } = await mailboxSetup(folder, { port: proxy.port, maxAttemptsPerMessage });
      const key = `${USER}@127.0.0.1:${proxy.port}/${folder}`;
      const failure = async () =>
        (await db.pool.query('SELECT attempts, given_up_at, flagged, message_id, subject, last_error FROM imap_message_failure')).rows;
      return { proxy, db, config, key, failure };
    }

    it('is tried imap[].maxAttemptsPerMessage times, counted across a restart, then flagged $SarabanFailed and passed over', async () => {
      const { proxy, db, config, key, failure } = await failingSetup('Failing', 'body', 4);
      // Slow tries first, so that the gateway can be stopped between the second and the third.
      const first = await start(['gateway', 'worker'], config, { imapReconnectBaseMs: 1_000 });
      await waitFor(async () => (await failure())[0]?.attempts === 2, 'two failed tries at UID 2');
      await first.stop();
      // Stopped at UID 2: the letter before it is in, the one after it waits.
      await waitFor(async () => (await count(db, 'SELECT count(*)::int AS n FROM letter')) === 1, 'the first letter');
      expect(await count(db, 'SELECT count(*)::int AS n FROM inbound')).toBe(1);

      const app = await start(['gateway', 'worker', 'desk'], config, { imapReconnectBaseMs: 50 });
      await waitFor(async () => (await count(db, 'SELECT count(*)::int AS n FROM letter')) === 2, 'the letter after the failing one');
      const { rows } = await db.pool.query('SELECT message_id FROM letter ORDER BY number');
      expect(rows.map((r) => r.message_id)).toEqual(['<imap-Failing-1@moe.go.th>', '<imap-Failing-3@moe.go.th>']);
      // Four tries in all, two before the restart and two after: the count was not started again.
      const [row] = await failure();
      expect(row).toEqual({
        attempts: 4,
        given_up_at: expect.any(Date),
        flagged: true,
        message_id: '<imap-Failing-2@moe.go.th>',
        subject: expect.stringContaining('ศธ 0206/2'),
        last_error: expect.stringContaining('injected fault: UID 2 cannot be fetched'),
      });
      expect(proxy.refused()).toBeGreaterThanOrEqual(4);
      // Left where it was, unread and flagged for a clerk; nothing deleted.
      expect(await folderContents('Failing')).toEqual([{ messageId: '<imap-Failing-2@moe.go.th>', flags: ['$SarabanFailed'] }]);

      const health = await waitFor(async () => {
        const body = (await (await fetch(`http://127.0.0.1:${app.deskPort}/healthz`)).json()) as { imap: Array<Record<string, unknown>> };
        return body.imap[0]?.lastUid === 3 ? body : null;
      }, 'the status to show the last UID');
      expect(health!.imap).toEqual([expect.objectContaining({ mailbox: key, failed: 1, backlog: 0 })]);
      const metrics = await (await fetch(`http://127.0.0.1:${app.deskPort}/metrics`)).text();
      expect(metrics).toContain(`saraban_imap_mailbox{mailbox="${key}",field="failed"} 1`);
      expect(metrics).toContain('saraban_messages_refused_total{edge="imap",reason="failed"} 1');

      const printed: string[] = [];
      const io = { out: (l: string) => printed.push(l), err: (l: string) => printed.push(l) };
      expect(await imapCommand(config, ['failed'], io)).toBe(0);
      expect(printed).toHaveLength(2);
      expect(printed[1].split('\t')).toEqual([
        key,
        expect.stringMatching(/^\d+$/),
        '2',
        '4',
        '$SarabanFailed',
        expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        'saraban@moe.go.th',
        expect.stringContaining('ศธ 0206/2'),
        '<imap-Failing-2@moe.go.th>',
        expect.stringContaining('injected fault'),
      ]);
      printed.length = 0;
      expect(await imapCommand(config, ['failed', '--mailbox', 'someone@else:993/INBOX'], io)).toBe(0);
      expect(printed).toEqual(['No IMAP message has been passed over.']);
    });

    it('is passed over when the server refuses every FETCH that names it, those of the whole batch too', async () => {
      const { db, config, failure } = await failingSetup('FailingBatch', 'any', 2);
      await start(['gateway', 'worker'], config, { imapReconnectBaseMs: 50 });
      await waitFor(async () => (await count(db, 'SELECT count(*)::int AS n FROM letter')) === 2, 'the two letters around the failing one');
      const { rows } = await db.pool.query('SELECT message_id FROM letter ORDER BY number');
      expect(rows.map((r) => r.message_id)).toEqual(['<imap-FailingBatch-1@moe.go.th>', '<imap-FailingBatch-3@moe.go.th>']);
      expect(await failure()).toEqual([expect.objectContaining({ attempts: 2, given_up_at: expect.any(Date), flagged: true })]);
      await waitFor(async () => (await folderContents('FailingBatch')).length === 1, 'the failing one alone in the folder');
      expect(await folderContents('FailingBatch')).toEqual([{ messageId: '<imap-FailingBatch-2@moe.go.th>', flags: ['$SarabanFailed'] }]);
    });
  });
});
