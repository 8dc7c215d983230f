import { Writable } from 'node:stream';
import pino from 'pino';
import { readAgencyDirectory } from '../../config/load';
import { parseAgencyDirectory } from '../../letter/agencies';
import { recordNotRegistered, registerLetter } from '../../registry/letters';
import { processInbound, type LetterDeps } from '../../worker/letters';
import { keepMessage, testConfig, useTestDatabase } from '../support/services';

// The letters job against a real PostgreSQL, for what the register itself cannot see: text
// the reading gives back, and the clocks of the hosts that run workers.
describe('the letters job', () => {
  const env = useTestDatabase();
  const logged: Array<{ level: number; msg: string } & Record<string, unknown>> = [];

  function deps(clock: () => Date): LetterDeps {
    const config = testConfig(env.db.url);
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(line: Buffer, _encoding, done) {
          logged.push(JSON.parse(line.toString()));
          done();
        },
      }),
    );
    const { directory } = parseAgencyDirectory(readAgencyDirectory(config));
    return { config, pool: env.db.pool, clock, logger, agencies: directory, queueReply: async () => undefined };
  }

  const keep = (raw: string) => keepMessage(env.db.pool, raw);

  const letter = (subject: string, messageId: string) =>
    [
      'From: saraban@moe.go.th',
      'To: saraban@example.go.th',
      `Subject: ${subject}`,
      `Message-ID: ${messageId}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      // The letter is its body (no file attached): long enough for letters.minBodyChars.
      'ที่ ศธ 0206/999 เรื่อง ขอเชิญประชุม เรียน ผู้อำนวยการ ตามที่ได้แจ้งไว้แล้ว จึงเรียนมาเพื่อโปรดทราบและพิจารณา '.repeat(4),
      '',
    ].join('\n');

  it('registers a letter whose subject decodes to half of a UTF-16 pair, the half replaced as PostgreSQL would', async () => {
    // UTF-16BE bytes 0E40 D83D 0041: "เ", the first half of an emoji, "A".
    const id = await keep(letter('=?UTF-16BE?B?DkDYPQBB?=', '<half@moe.go.th>'));
    const outcome = await processInbound(
      deps(() => new Date()),
      id,
    );
    expect(outcome.kind).toBe('registered');
    const { rows } = await env.db.pool.query('SELECT subject FROM letter WHERE inbound_id = $1', [id]);
    expect(rows[0].subject).toBe('เ\uFFFDA');
  });

  it('records a held message whose decision holds half of a UTF-16 pair', async () => {
    const id = await keep(letter('x', '<held@moe.go.th>'));
    await recordNotRegistered(
      env.db.pool,
      {
        inboundId: id,
        outcome: 'held',
        decision: { reason: 'top-secret', subject: 'ลับที่สุด \ud83d' },
        reply: null,
        replyLimits: { perSenderPerDay: 9, globalPerHour: 9 },
      },
      () => new Date(),
    );
    const { rows } = await env.db.pool.query('SELECT outcome, decision FROM inbound WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ outcome: 'held', decision: { reason: 'top-secret', subject: 'ลับที่สุด \uFFFD' } });
  });

  it("warns when a letter takes a registration time well ahead of this worker's clock", async () => {
    const now = Date.now();
    // Another worker, its clock ten minutes ahead, registered the book's last letter.
    const ahead = await keep(letter('ahead', '<ahead@moe.go.th>'));
    await registerLetter(
      env.db.pool,
      {
        inboundId: ahead,
        book: 'RB',
        details: { messageId: '<ahead@moe.go.th>', fromAddress: 'saraban@moe.go.th', fromName: null, subject: 'ahead', attachments: [] },
        reply: null,
        replyLimits: { perSenderPerDay: 9, globalPerHour: 9 },
      },
      () => new Date(now + 10 * 60_000),
    );
    logged.length = 0;
    const id = await keep(letter('on time', '<on-time@moe.go.th>'));
    const outcome = await processInbound(
      deps(() => new Date(now)),
      id,
    );
    expect(outcome.kind).toBe('registered');
    if (outcome.kind !== 'registered') return;
    expect(outcome.letter.registeredAt.getTime()).toBe(now + 10 * 60_000);
    const warning = logged.find((l) => l.level === 40);
    expect(warning).toMatchObject({ inboundId: id, aheadSeconds: 600 });
    expect(warning?.msg).toMatch(/ahead of this worker's clock/);
  });
});
