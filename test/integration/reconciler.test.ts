import { startRoles } from '../../bin/roles';
import { flushPrefix, sendLetter, silent, useDatabaseAndRelay, testConfig, waitFor } from '../support/services';

// Redis moves work, PostgreSQL remembers it: losing Redis after the 250 loses no letter.
describe('the reconciler', () => {
  const env = useDatabaseAndRelay();

  it('queues again every kept message whose job was lost when Redis was flushed after acceptance', async () => {
    const config = testConfig(env.db.url, { relay: { url: env.relay.url } });
    const gateway = await startRoles(['gateway'], config, silent);
    const messageIds = ['<r1@moe.go.th>', '<r2@moe.go.th>', '<r3@moe.go.th>'];
    try {
      for (const messageId of messageIds) expect(await sendLetter(gateway.smtpPort!, { messageId })).toMatch(/^250 /);
    } finally {
      await gateway.stop();
    }
    // The jobs were in Redis; now they are gone.
    expect(await flushPrefix(config.redis.prefix)).toBeGreaterThan(0);

    const workers = await startRoles(['worker'], config, silent);
    try {
      await waitFor(() => env.relay.messages.length >= 3, 'three acknowledgements');
      const { rows } = await env.db.pool.query('SELECT message_id, number FROM letter ORDER BY number');
      // Workers run in parallel, so the order of numbers among the three is not fixed.
      expect(rows.map((r) => r.number)).toEqual([1, 2, 3]);
      expect(rows.map((r) => r.message_id).sort()).toEqual(messageIds);
      expect(env.relay.messages.map((m) => m.parsed.inReplyTo).sort()).toEqual(messageIds);
    } finally {
      await workers.stop();
      await flushPrefix(config.redis.prefix);
    }
  });

  it('sends an acknowledgement whose job was lost after registration', async () => {
    const config = testConfig(env.db.url, { relay: { url: env.relay.url } });
    const app = await startRoles(['gateway', 'worker'], config, silent);
    const sentBefore = env.relay.messages.length;
    try {
      await sendLetter(app.smtpPort!, { messageId: '<r4@moe.go.th>' });
      await waitFor(() => env.relay.messages.length > sentBefore, 'the acknowledgement');
    } finally {
      await app.stop();
    }
    // Pretend the mail job vanished before it ran: the row is pending again, Redis is empty.
    await env.db.pool.query(
      `UPDATE reply SET status = 'pending', sent_at = NULL WHERE letter_id = (SELECT id FROM letter WHERE message_id = '<r4@moe.go.th>')`,
    );
    await flushPrefix(config.redis.prefix);
    const workers = await startRoles(['worker'], config, silent);
    try {
      await waitFor(() => env.relay.messages.length > sentBefore + 1, 'the acknowledgement sent again');
      // The relay has it before the worker hears its 250 and records the reply as sent.
      const status = async () =>
        (await env.db.pool.query(`SELECT a.status FROM reply a JOIN letter l ON l.id = a.letter_id WHERE l.message_id = '<r4@moe.go.th>'`))
          .rows;
      await waitFor(async () => (await status())[0]?.status === 'sent', 'the reply recorded as sent');
      expect(await status()).toEqual([{ status: 'sent' }]);
    } finally {
      await workers.stop();
      await flushPrefix(config.redis.prefix);
    }
  });

  it("drops the reply caps' tallies of days and hours long past, and keeps the current ones", async () => {
    await env.db.pool.query(
      `INSERT INTO reply_tally (scope, window_start, replies) VALUES ('sender:old@moe.go.th', '2020-01-01T17:00Z', 3), ('all', date_trunc('hour', now(), 'UTC'), 4)
       ON CONFLICT (scope, window_start) DO UPDATE SET replies = excluded.replies`,
    );
    const config = testConfig(env.db.url, { relay: { url: env.relay.url } });
    const workers = await startRoles(['worker'], config, silent);
    try {
      await waitFor(
        async () => (await env.db.pool.query(`SELECT 1 FROM reply_tally WHERE window_start < '2021-01-01'`)).rowCount === 0,
        'the old tally dropped',
      );
      const { rows } = await env.db.pool.query(
        `SELECT scope FROM reply_tally WHERE scope = 'all' AND window_start = date_trunc('hour', now(), 'UTC')`,
      );
      expect(rows).toEqual([{ scope: 'all' }]);
    } finally {
      await workers.stop();
      await flushPrefix(config.redis.prefix);
    }
  });
});
