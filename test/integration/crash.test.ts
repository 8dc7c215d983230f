import { startRoles } from '../../bin/roles';
import { flushPrefix, letterOptions, silent, spawnSaraban, useDatabaseAndRelay, testConfig, waitFor } from '../support/services';
import nodemailer from 'nodemailer';

// A worker process killed with SIGKILL in the middle of a batch, then started again.
describe('a worker killed mid-batch', () => {
  const TOTAL = 150;
  const env = useDatabaseAndRelay();

  const count = async (sql: string) => (await env.db.pool.query(sql)).rows[0].n as number;

  it('leaves every accepted message registered exactly once, numbered 1..N, each acknowledged', async () => {
    const config = testConfig(env.db.url, {
      relay: { url: env.relay.url },
      workers: { letterConcurrency: 4, lockDurationMs: 3_000, stalledIntervalMs: 1_000, mailBackoffMs: 200 },
    });
    const gateway = await startRoles(['gateway'], config, silent);
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: gateway.smtpPort!,
      ignoreTLS: true,
      pool: true,
      maxConnections: 5,
    });
    try {
      await Promise.all(
        Array.from({ length: TOTAL }, (_, i) => transport.sendMail(letterOptions({ messageId: `<crash-${i}@moe.go.th>` }))),
      );
    } finally {
      transport.close();
      await gateway.stop();
    }
    expect(await count('SELECT count(*)::int AS n FROM inbound')).toBe(TOTAL);

    const first = spawnSaraban(['worker'], config);
    try {
      await waitFor(async () => (await count('SELECT count(*)::int AS n FROM letter')) >= 10, 'the first worker to register some letters');
    } finally {
      first.child.kill('SIGKILL');
    }
    expect(await first.exited).toBeNull();
    const atKill = await count('SELECT count(*)::int AS n FROM letter');
    expect(atKill).toBeLessThan(TOTAL); // the batch was really cut in the middle

    const second = spawnSaraban(['worker'], config);
    try {
      await waitFor(
        async () => (await count(`SELECT count(*)::int AS n FROM reply WHERE status = 'sent'`)) === TOTAL,
        'every acknowledgement sent',
        60_000,
      );
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      await flushPrefix(config.redis.prefix);
    }

    const { rows } = await env.db.pool.query('SELECT number, inbound_id, message_id FROM letter ORDER BY number');
    expect(rows.map((r) => r.number)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.inbound_id)).size).toBe(TOTAL);
    expect(await count('SELECT count(*)::int AS n FROM inbound WHERE processed_at IS NULL')).toBe(0);
    // At least one acknowledgement per letter reached the relay; a crash between sending and
    // recording may repeat one, with the same Message-ID.
    const answered = new Set(env.relay.messages.map((m) => m.parsed.inReplyTo));
    expect(answered).toEqual(new Set(rows.map((r) => r.message_id)));
    const ackIds = env.relay.messages.map((m) => m.parsed.messageId);
    expect(new Set(ackIds).size).toBe(TOTAL);
  });
});
