import net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { startRoles } from '../../bin/roles';
import { freePort, flushPrefix, sendLetter, silent, startRelay, testConfig, waitFor, useTestDatabase } from '../support/services';

// Sending the acknowledgement: retried with back-off while the relay is away, given up when it refuses.
describe('the acknowledgement on its way out', () => {
  const env = useTestDatabase();

  const ackOf = async (messageId: string) =>
    (
      await env.db.pool.query(
        'SELECT a.status, a.attempts, a.last_error FROM reply a JOIN letter l ON l.id = a.letter_id WHERE l.message_id = $1',
        [messageId],
      )
    ).rows[0];

  it('is retried with back-off until the relay answers, then recorded as sent', async () => {
    const relayPort = await freePort();
    const config = testConfig(env.db.url, { relay: { url: `smtp://127.0.0.1:${relayPort}` }, workers: { mailBackoffMs: 300 } });
    const app = await startRoles(['gateway', 'worker'], config, silent);
    let relay: Awaited<ReturnType<typeof startRelay>> | undefined;
    try {
      await sendLetter(app.smtpPort!, { messageId: '<retry-1@moe.go.th>' });
      await waitFor(async () => (await ackOf('<retry-1@moe.go.th>'))?.attempts >= 2, 'two failed attempts');
      expect((await ackOf('<retry-1@moe.go.th>')).status).toBe('pending');

      relay = await startRelay(relayPort);
      await waitFor(async () => (await ackOf('<retry-1@moe.go.th>')).status === 'sent', 'the acknowledgement to be sent', 30_000);
      expect(relay.messages.map((m) => m.parsed.inReplyTo)).toEqual(['<retry-1@moe.go.th>']);
    } finally {
      await app.stop();
      await relay?.close();
      await flushPrefix(config.redis.prefix);
    }
  });

  async function refusingRelay(code: number) {
    const server = new SMTPServer({
      hideENHANCEDSTATUSCODES: false, // as real relays answer: "550 5.1.1 ..."
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (_address, _session, callback) => callback(Object.assign(new Error('refused by the test relay'), { responseCode: code })),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `smtp://127.0.0.1:${(server.server.address() as net.AddressInfo).port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  it('is marked failed at once when the relay says the recipient does not exist (550 5.1.1)', async () => {
    const refusing = await refusingRelay(550);
    const config = testConfig(env.db.url, { relay: { url: refusing.url }, workers: { mailBackoffMs: 60_000 } });
    const app = await startRoles(['gateway', 'worker', 'desk'], config, silent);
    try {
      await sendLetter(app.smtpPort!, { messageId: '<refused-1@moe.go.th>' });
      await waitFor(async () => (await ackOf('<refused-1@moe.go.th>'))?.status === 'failed', 'the acknowledgement to be marked failed');
      expect(await ackOf('<refused-1@moe.go.th>')).toMatchObject({ attempts: 1, last_error: expect.stringMatching(/550 5\.1\.1/) });
      const metrics = await (await fetch(`http://127.0.0.1:${app.deskPort}/metrics`)).text();
      expect(metrics).toContain('saraban_register_totals{kind="acknowledgements_failed"} 1');
    } finally {
      await app.stop();
      await refusing.close();
      await flushPrefix(config.redis.prefix);
    }
  });

  it('keeps retrying when the relay refuses for another reason (a setting the operator can fix)', async () => {
    const refusing = await refusingRelay(554);
    const config = testConfig(env.db.url, { relay: { url: refusing.url }, workers: { mailBackoffMs: 200 } });
    const app = await startRoles(['gateway', 'worker'], config, silent);
    try {
      await sendLetter(app.smtpPort!, { messageId: '<refused-2@moe.go.th>' });
      await waitFor(async () => (await ackOf('<refused-2@moe.go.th>'))?.attempts >= 2, 'a second attempt');
      expect((await ackOf('<refused-2@moe.go.th>')).status).toBe('pending');
    } finally {
      await app.stop();
      await refusing.close();
      await flushPrefix(config.redis.prefix);
    }
  });
});
