import { createHash } from 'node:crypto';
import pino from 'pino';
import { startRoles, type Running } from '../../bin/roles';
import { findInboundWithRaw } from '../../registry/inbound';
import { flushPrefix, openSmtpSession, sendLetter, silent, testConfig, useDatabaseAndRelay, waitFor } from '../support/services';

const MB = 1024 * 1024;

/** A message of about `bytes`, its own by `tag`: headers, then 76-character lines none of which starts with a dot. */
function largeMessage(tag: string, bytes: number): string {
  const line = (n: number) => `${tag}-${n}-`.padEnd(76, 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo');
  const lines = [`From: clerk@moe.go.th`, `To: saraban@example.go.th`, `Subject: scan ${tag}`, `Message-ID: <${tag}@moe.go.th>`, ''];
  for (let n = 0, length = 0; length < bytes; n++) length += lines[lines.push(line(n)) - 1].length + 2;
  return lines.join('\r\n');
}

/** A sender in DATA that has sent the first part of its message and then waits; finish() sends the rest. */
async function stalledSender(port: number, message: string, sentBeforeStall: number) {
  const session = await openSmtpSession(port);
  for (const command of ['EHLO slow.moe.go.th', 'MAIL FROM:<clerk@moe.go.th>', 'RCPT TO:<saraban@example.go.th>']) {
    expect(await session.command(command)).toMatch(/^250/);
  }
  expect(await session.command('DATA')).toMatch(/^354/);
  // Cut at a line's end, so that the rest is whole lines (finishData ends it with CRLF and the dot).
  const cut = message.indexOf('\r\n', sentBeforeStall) + 2;
  session.write(message.slice(0, cut));
  return {
    /** What the gateway must keep: the message as sent, with the CRLF before the dot. */
    kept: Buffer.from(`${message}\r\n`),
    finish: async () => {
      try {
        return await session.finishData(message.slice(cut));
      } finally {
        await session.close();
      }
    },
  };
}

/** The messages the gateway has pieces of but no inbound row for yet: still arriving. */
async function arriving(pool: ReturnType<typeof useDatabaseAndRelay>['db']['pool']): Promise<string[]> {
  const { rows } = await pool.query(
    `SELECT DISTINCT inbound_id FROM inbound_chunk c WHERE NOT EXISTS (SELECT 1 FROM inbound i WHERE i.id = c.inbound_id)`,
  );
  return rows.map((r) => r.inbound_id as string);
}

// A sender that stalls in the middle of a large message holds nothing the others need: its
// pieces are each their own statement, and no transaction or connection waits for its next byte.
describe('slow senders of large messages', () => {
  const env = useDatabaseAndRelay();
  let gateway: Running;
  let prefix: string;
  const logged: string[] = [];

  beforeAll(async () => {
    const config = testConfig(env.db.url, { relay: { url: env.relay.url } });
    prefix = config.redis.prefix;
    // The gateway as it runs in service: one pool of 20 connections for intake. What it says
    // goes with a failure.
    gateway = await startRoles(['gateway'], config, pino({ level: 'warn' }, { write: (line: string) => void logged.push(line) }));
  });
  afterAll(async () => {
    await gateway.stop();
    await flushPrefix(prefix);
  });

  it('answers 250 to 50 small letters while 30 senders are stalled half-way through 5 MB messages, then keeps those whole', async () => {
    const stalled = await Promise.all(
      Array.from({ length: 30 }, (_, i) => stalledSender(gateway.smtpPort!, largeMessage(`slow-${i}`, 5 * MB), 2.5 * MB)),
    );
    // Each has given the gateway pieces of its message and waits (well within smtp-server's 60 s
    // idle limit): a transaction held per message from its first piece took all 20 connections.
    await waitFor(async () => (await arriving(env.db.pool)).length === 30, '30 messages stalled, each with pieces kept', 45_000).catch(
      async (err: Error) => {
        throw new Error(`${err.message}; ${(await arriving(env.db.pool)).length} were; the gateway logged:\n${logged.join('')}`);
      },
    );

    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        sendLetter(gateway.smtpPort!, { subject: `ที่ ศธ 0206/${i + 1} เรื่อง ขอเชิญประชุม`, messageId: `<small-${i}@moe.go.th>` }).catch(
          (err: Error) => err.message,
        ),
      ),
    );
    expect(replies.filter((reply) => !/^250 /.test(reply))).toEqual([]);
    expect((await arriving(env.db.pool)).length).toBe(30); // still stalled while the 50 came in

    const finished = await Promise.all(stalled.map((s) => s.finish()));
    expect(finished.filter((reply) => !/^250 /.test(reply))).toEqual([]);
    for (const [i, reply] of finished.entries()) {
      const { raw } = (await findInboundWithRaw(env.db.pool, reply.match(/Kept as (\S+)/)![1]))!;
      expect(createHash('sha256').update(raw).digest('hex')).toBe(createHash('sha256').update(stalled[i].kept).digest('hex'));
    }
    expect(await arriving(env.db.pool)).toEqual([]);
  }, 300_000);

  it('gives up messages whose senders sent nothing for reconciler.unfinishedMessageMinutes, deleting their pieces, and keeps one still arriving', async () => {
    const stallAndFind = async (tag: string, bytes: number) => {
      const before = await arriving(env.db.pool);
      const sender = await stalledSender(gateway.smtpPort!, largeMessage(tag, bytes), 1.1 * MB);
      const id = await waitFor(async () => (await arriving(env.db.pool)).find((a) => !before.includes(a)), `the pieces of ${tag}`);
      return { ...sender, id: id! };
    };
    // Given up: one whose rest would be its last piece, one whose rest would be more pieces.
    const lastPieceLeft = await stallAndFind('gone-last', 1.2 * MB);
    const piecesLeft = await stallAndFind('gone-more', 2 * MB);
    const young = await stallAndFind('young', 2 * MB);
    const pieces = async (id: string) =>
      (await env.db.pool.query('SELECT count(*)::int AS n FROM inbound_chunk WHERE inbound_id = $1', [id])).rows[0].n as number;
    const youngPieces = await pieces(young.id);
    expect(youngPieces).toBeGreaterThanOrEqual(2);
    // Their senders went quiet an hour ago and more; the young one's a minute short of the hour.
    const quietFor = (id: string, minutes: number) =>
      env.db.pool.query(`UPDATE inbound_arriving SET last_piece_at = now() - make_interval(mins => $2) WHERE inbound_id = $1`, [
        id,
        minutes,
      ]);
    await quietFor(lastPieceLeft.id, 61);
    await quietFor(piecesLeft.id, 24 * 60);
    await quietFor(young.id, 59);

    // A worker's reconciler sweeps at start-up (the default setting: 60 minutes).
    const config = testConfig(env.db.url, { relay: { url: env.relay.url } });
    expect(config.reconciler.unfinishedMessageMinutes).toBe(60);
    const worker = await startRoles(['worker'], config, silent);
    try {
      await waitFor(async () => (await pieces(lastPieceLeft.id)) + (await pieces(piecesLeft.id)) === 0, 'the pieces given up deleted');
    } finally {
      await worker.stop();
      await flushPrefix(config.redis.prefix);
    }
    expect(await pieces(young.id)).toBe(youngPieces);

    // The young one is kept whole; the senders given up are answered 451, so they send again.
    expect(await young.finish()).toMatch(new RegExp(`^250 .*Kept as ${young.id}$`));
    const { raw } = (await findInboundWithRaw(env.db.pool, young.id))!;
    expect(raw.equals(young.kept)).toBe(true);
    for (const gone of [lastPieceLeft, piecesLeft]) {
      expect(await gone.finish()).toMatch(/^451 4\.3\.0 .*\[SB-TRY-LATER\]$/);
      expect(await pieces(gone.id)).toBe(0);
    }
    const { rows } = await env.db.pool.query(`SELECT id FROM inbound WHERE id = ANY($1)`, [[lastPieceLeft.id, piecesLeft.id, young.id]]);
    expect(rows).toEqual([{ id: young.id }]);
    const left = await env.db.pool.query('SELECT inbound_id FROM inbound_arriving WHERE inbound_id = ANY($1)', [
      [lastPieceLeft.id, piecesLeft.id, young.id],
    ]);
    expect(left.rows).toEqual([]);
  }, 300_000);
});
