import { repliesCommand } from '../../bin/replies';
import type { Config } from '../../config/load';
import { startRoles, type Running } from '../../bin/roles';
import { flushPrefix, sendLetter, silent, spawnSaraban, testConfig, useDatabaseAndRelay, waitFor } from '../support/services';

// Held replies as an operator meets them, on the real services: the workers' reconciler sends
// the sender's digest, `saraban replies list --held` shows what waits, and `saraban replies
// release` sends a held receipt, once.
describe('replies held back by a window', () => {
  const env = useDatabaseAndRelay();
  let app: Running;
  let reconciling: Running | undefined;
  let config: Config;
  const sender = 'clerk@example-school.test';

  beforeAll(async () => {
    // One receipt an hour to this unverified sender. This worker's reconciler looks once, at
    // its start; a second worker's, started once the letters are in, twice a second.
    config = testConfig(env.db.url, {
      relay: { url: env.relay.url },
      replies: { unverified: { windows: [{ minutes: 60, replies: 1 }] } },
      reconciler: { intervalMs: 3_600_000 },
    });
    app = await startRoles(['gateway', 'worker'], config, silent);
  });
  afterAll(async () => {
    await reconciling?.stop();
    await app.stop();
    await flushPrefix(config.redis.prefix);
  });

  const mailed = (messageId: string) => env.relay.messages.filter((m) => m.parsed.messageId === messageId);
  const heldReplies = async () =>
    (
      await env.db.pool.query(
        `SELECT r.id, r.message_id, r.digest_id, l.number, l.year, l.reference, l.title FROM reply r JOIN letter l ON l.id = r.letter_id
          WHERE r.status = 'held' ORDER BY l.number`,
      )
    ).rows;

  it('are listed in the digest, shown to the operator, and a released one is sent once', async () => {
    for (const n of [1, 2, 3]) {
      await sendLetter(app.smtpPort!, {
        from: sender,
        subject: `ที่ ศธ 0206/${n} เรื่อง แจ้งผลการประชุม ครั้งที่ ${n}`,
        messageId: `<r${n}@school>`,
      });
    }
    // The first gets its receipt; the other two are held ...
    await waitFor(
      async () =>
        (await env.db.pool.query(`SELECT status FROM reply ORDER BY status`)).rows.map((r) => r.status).join() === 'held,held,sent',
      'one receipt sent and two held',
    );
    // ... and a worker's reconciler sends one digest for both.
    reconciling = await startRoles(['worker'], { ...config, reconciler: { ...config.reconciler, intervalMs: 500 } }, silent);
    const digest = (await waitFor(() => env.relay.messages.find((m) => m.parsed.messageId?.startsWith('<digest.')), 'the digest'))!;
    expect(digest.envelope.rcptTo).toEqual([sender]);
    expect(digest.parsed.subject).toBe('ได้รับหนังสือแล้ว 2 ฉบับ / Received: 2 letters registered');
    expect(env.relay.messages.filter((m) => m.parsed.subject?.startsWith('ได้รับหนังสือแล้ว เลขรับ'))).toHaveLength(1);
    const held = await heldReplies();
    expect(held.map((r) => [r.number, r.digest_id])).toEqual([
      [2, expect.any(Number)],
      [3, expect.any(Number)],
    ]);
    // Each number with its reference and title, in the order of the numbers.
    held.forEach((r, i) => expect(digest.parsed.text).toContain(`${i + 1}. เลขรับ ${r.number}/${r.year} (RB) `));
    held.forEach((r) =>
      expect(digest.parsed.text).toMatch(new RegExp(`เลขรับ ${r.number}/.*\n {3}ที่: ${r.reference} {2}เรื่อง: ${r.title}\n`)),
    );

    const list = spawnSaraban(['replies', 'list', '--held'], config);
    expect(await list.exited).toBe(0);
    const lines = list.output().trim().split('\n');
    expect(lines[0]).toBe('id\tstatus\tkind\tto\tletter\tplanned at\twhy');
    expect(lines.slice(1).map((l) => l.split('\t')[0])).toEqual(held.map((r) => String(r.id)).reverse());
    expect(lines[1]).toContain(`held\tacknowledgement\t${sender}\tRB 3/`);
    expect(lines[1]).toContain(`window: 1 replies in 60 minutes to a sender unverified; in digest ${held[1].digest_id}`);

    const release = spawnSaraban(['replies', 'release', String(held[0].id)], config);
    expect(await release.exited).toBe(0);
    expect(release.output()).toContain(`released 1 reply: ${held[0].id}`);
    await waitFor(() => mailed(held[0].message_id).length === 1, 'the released receipt');
    const again = spawnSaraban(['replies', 'release', String(held[0].id)], config);
    expect(await again.exited).toBe(1);
    expect(again.output()).toContain(`reply ${held[0].id} is not held`);

    // The rest of the sender's held replies, by its address in any letter case.
    const printed: string[] = [];
    const io = { out: (line: string) => printed.push(line), err: (line: string) => printed.push(line), clock: () => new Date() };
    expect(await repliesCommand(config, ['release', '--sender', 'Clerk@Example-School.test'], io)).toBe(0);
    expect(printed).toEqual([`released 1 reply: ${held[1].id}`, 'queued to be sent']);
    await waitFor(() => mailed(held[1].message_id).length === 1, 'the second released receipt');
    // Several reconciler ticks later, each was sent once, and no digest lists them again.
    await new Promise((r) => setTimeout(r, 2000));
    expect(held.map((r) => mailed(r.message_id).length)).toEqual([1, 1]);
    expect(env.relay.messages.filter((m) => m.parsed.messageId?.startsWith('<digest.'))).toHaveLength(1);
    const { rows } = await env.db.pool.query(
      `SELECT status, released_at IS NOT NULL AS released FROM reply WHERE id = ANY($1) ORDER BY id`,
      [held.map((r) => r.id)],
    );
    expect(rows).toEqual([
      { status: 'sent', released: true },
      { status: 'sent', released: true },
    ]);
  });

  it('are released with Redis out of reach, and sent once by the workers when their reconciler next looks', async () => {
    await sendLetter(app.smtpPort!, { from: sender, subject: 'ที่ ศธ 0206/4 เรื่อง แจ้งผลการประชุม ครั้งที่ 4', messageId: '<r4@school>' });
    await waitFor(async () => (await heldReplies()).length === 1, 'the fourth receipt to be held');
    const [held] = await heldReplies();
    const printed: string[] = [];
    const io = { out: (line: string) => printed.push(line), err: (line: string) => printed.push(line), clock: () => new Date() };
    const away = { ...config, redis: { ...config.redis, url: 'redis://127.0.0.1:1' } };
    expect(await repliesCommand(away, ['release', String(held.id)], io)).toBe(0);
    expect(printed).toEqual([
      `released 1 reply: ${held.id}`,
      expect.stringMatching(/^not queued now \(.*\); a worker's reconciler queues it within reconciler\.intervalMs$/),
    ]);
    await waitFor(() => mailed(held.message_id).length === 1, 'the released receipt, queued by the reconciler');
    await new Promise((r) => setTimeout(r, 1500));
    expect(mailed(held.message_id)).toHaveLength(1);
  });

  it('says what to write when the command line is wrong (exit 2), and when there was nothing to release (exit 1)', async () => {
    const run = async (args: string[]) => {
      const printed: string[] = [];
      const io = { out: (line: string) => printed.push(line), err: (line: string) => printed.push(line), clock: () => new Date() };
      return { code: await repliesCommand(config, args, io), printed: printed.join('\n') };
    };
    expect(await run(['release'])).toEqual({
      code: 2,
      printed: 'saraban replies release needs the id of one reply (see saraban replies list --held) or --sender ADDRESS',
    });
    expect(await run(['release', '7', '--sender', sender])).toEqual({ code: 2, printed: 'give either a reply id or --sender, not both' });
    expect(await run(['list', '--limit', 'all'])).toEqual({ code: 2, printed: '--limit must be a whole number of replies, not "all"' });
    expect(await run(['forget'])).toMatchObject({ code: 2, printed: expect.stringMatching(/^saraban replies: say list or release\n/) });
    expect(await run(['release', '999999'])).toEqual({
      code: 1,
      printed: 'reply 999999 is not held (nor suppressed): it was sent, released already, or does not exist',
    });
  });
});
