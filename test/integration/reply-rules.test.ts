import { createPool, type Pool } from '../../registry/db';
import { registerLetter } from '../../registry/letters';
import { listReplies, planDueDigests, releaseReplies, type ReplyLimits, type ReplyPlan } from '../../registry/replies';
import type { ReplyTier } from '../../letter/trust';
import { keepMessage, replyRules, useTestDatabase } from '../support/services';

// plan_reply and plan_digest (registry/sql/000010.sql) against a real PostgreSQL: which reply
// goes out now, which waits for the digest, which is a loop's, and what an operator can release.
describe('the rules for automatic replies', () => {
  const env = useTestDatabase();
  const T0 = Date.parse('2026-09-01T03:00:00Z');
  const minutes = (n: number) => new Date(T0 + n * 60_000);

  interface Planned {
    replyId: number | null;
    status: string;
    withheld: string | null;
  }

  /** Registers a letter from this sender at this time and plans its acknowledgement; returns what became of the reply. */
  async function reply(
    sender: string,
    at: Date,
    rules: ReplyLimits,
    facts: Partial<ReplyPlan> & { tier?: ReplyTier } = {},
    pool: Pool = env.db.pool,
  ): Promise<Planned> {
    // A book per sender: a book's registrations never go back in time, and each test sets its own clock.
    const book = sender.toLowerCase().split('@')[0];
    const inboundId = await keepMessage(env.db.pool, 'Subject: x\r\n\r\nletter\r\n', book, sender);
    const { replyId } = await registerLetter(
      pool,
      {
        inboundId,
        book,
        details: { messageId: `<${inboundId}@sender>`, fromAddress: sender, fromName: null, subject: 'x', attachments: [] },
        reply: {
          kind: 'acknowledgement',
          reason: null,
          recipient: sender,
          messageId: `<ack.${inboundId}@example.go.th>`,
          tier: 'unverified',
          subjectKey: null,
          bodyHash: null,
          letterKey: `ref:${inboundId}`,
          ...facts,
        },
        replyLimits: rules,
      },
      () => at,
    );
    const { rows } = await env.db.pool.query('SELECT status, withheld FROM reply WHERE inbound_id = $1', [inboundId]);
    return { replyId, status: rows[0].status, withheld: rows[0].withheld };
  }

  const statuses = (planned: Planned[]) => planned.map((p) => p.status);

  it('answers a sender up to its window, holds the rest with the reason, and answers again as the window slides', async () => {
    const rules = replyRules({ unverified: { windows: [{ minutes: 10, replies: 3 }] } });
    const planned = [];
    for (let i = 0; i < 5; i++) planned.push(await reply('slide@moe.go.th', minutes(i), rules));
    expect(statuses(planned)).toEqual(['pending', 'pending', 'pending', 'held', 'held']);
    expect(planned.map((p) => p.replyId === null)).toEqual([false, false, false, true, true]);
    expect(planned[3].withheld).toBe('window: 3 replies in 10 minutes to a sender unverified');
    // Ten minutes after the first reply it leaves the window (the held ones never counted): one more place.
    expect((await reply('slide@moe.go.th', minutes(10), rules)).status).toBe('pending');
    expect((await reply('SLIDE@moe.go.th', minutes(10.5), rules)).status).toBe('held');
    // Another sender has a window of its own.
    expect((await reply('other@moe.go.th', minutes(10.5), rules)).status).toBe('pending');
  });

  it("counts every window of the sender's tier: a day's window holds back what ten minutes would let through", async () => {
    const rules = replyRules({
      unverified: {
        windows: [
          { minutes: 10, replies: 2 },
          { minutes: 1440, replies: 3 },
        ],
      },
    });
    const planned = [];
    for (const at of [0, 1, 20, 21, 40, 60 * 24 + 1]) planned.push(await reply('day@moe.go.th', minutes(at), rules));
    expect(statuses(planned)).toEqual(['pending', 'pending', 'pending', 'held', 'held', 'pending']);
    expect(planned[3].withheld).toBe('window: 3 replies in 1440 minutes to a sender unverified');
  });

  it('gives each tier its own windows: more to a trusted sender than an authenticated one, fewest to an unverified one', async () => {
    const rules = replyRules({
      trusted: { windows: [{ minutes: 10, replies: 6 }] },
      authenticated: { windows: [{ minutes: 10, replies: 4 }] },
      unverified: { windows: [{ minutes: 10, replies: 2 }] },
    });
    const answered: Record<string, number> = {};
    for (const tier of ['trusted', 'authenticated', 'unverified'] as const) {
      answered[tier] = 0;
      for (let i = 0; i < 8; i++)
        if ((await reply(`${tier}@moe.go.th`, minutes(i / 10), rules, { tier })).replyId !== null) answered[tier]++;
    }
    expect(answered).toEqual({ trusted: 6, authenticated: 4, unverified: 2 });
  });

  it("counts each sender at most its tier's share towards everyone's hour: one busy sender cannot hold back the others", async () => {
    const rules = replyRules({
      trusted: { windows: [], hourlyShare: 2 },
      unverified: { windows: [], hourlyShare: 1 },
      allSendersPerHour: 5,
    });
    const at = new Date('2027-01-10T05:10:00Z');
    const busy = [];
    for (let i = 0; i < 12; i++) busy.push(await reply('ministry@moe.go.th', at, rules, { tier: 'trusted' }));
    expect(statuses(busy)).toEqual(Array(12).fill('pending'));
    // The busy sender took two places of the hour's five; three other senders take the rest.
    const others = [];
    for (const sender of ['a@x.go.th', 'b@x.go.th', 'c@x.go.th', 'd@x.go.th']) others.push(await reply(sender, at, rules));
    expect(statuses(others)).toEqual(['pending', 'pending', 'pending', 'held']);
    expect(others[3].withheld).toBe('all senders: 5 replies this hour');
    // Past the ceiling, no one gets more this hour, however little it used; the next hour starts again.
    expect((await reply('ministry@moe.go.th', at, rules, { tier: 'trusted' })).status).toBe('held');
    expect((await reply('d@x.go.th', new Date('2027-01-10T06:00:00Z'), rules)).status).toBe('pending');
    const { rows } = await env.db.pool.query(`SELECT replies FROM reply_tally WHERE scope = 'all' AND window_start = '2027-01-10T05:00Z'`);
    expect(rows[0].replies).toBe(5);
  });

  it('stops a loop: the same subject three times in an hour from one sender, with no new letter, and stays stopped', async () => {
    const rules = replyRules({ unverified: { windows: [] } });
    const same = { subjectKey: 'ขอเชิญประชุม', letterKey: 'ref:ศธ 0206/1457' };
    const planned = [];
    for (const at of [0, 5, 10]) planned.push(await reply('loop@moe.go.th', minutes(at), rules, same));
    expect(statuses(planned)).toEqual(['pending', 'pending', 'suppressed']);
    expect(planned[2]).toEqual({
      replyId: null,
      status: 'suppressed',
      withheld: 'loop: the same subject 3 times in 60 minutes, no new letter',
    });
    // Letters are not loops: a new reference, another subject, another sender are answered.
    expect((await reply('loop@moe.go.th', minutes(11), rules, { ...same, letterKey: 'ref:ศธ 0206/1458' })).status).toBe('pending');
    expect((await reply('loop@moe.go.th', minutes(12), rules, { ...same, subjectKey: 'ขอส่งรายงาน' })).status).toBe('pending');
    expect((await reply('other-loop@moe.go.th', minutes(13), rules, same)).status).toBe('pending');
    // Two hours on the shape is still stopped (loop.stopMinutes); a day after the last message it
    // stopped, it is answered again.
    expect(await reply('loop@moe.go.th', minutes(130), rules, same)).toMatchObject({
      status: 'suppressed',
      withheld: 'loop: the same subject or text was stopped as a loop before',
    });
    expect((await reply('loop@moe.go.th', minutes(130 + 1441), rules, same)).status).toBe('pending');
  });

  it('stops a loop by its text when each message has another subject', async () => {
    const rules = replyRules({ unverified: { windows: [] } });
    const planned = [];
    for (let i = 0; i < 3; i++)
      planned.push(await reply('text@moe.go.th', minutes(i), rules, { subjectKey: `s${i}`, bodyHash: 'b'.repeat(64), letterKey: null }));
    expect(statuses(planned)).toEqual(['pending', 'pending', 'suppressed']);
    expect(planned[2].withheld).toBe('loop: the same text 3 times in 60 minutes, no new letter');
    // Messages with no subject or text of their own (no keys) are never taken for a loop.
    const blank = [];
    for (let i = 0; i < 4; i++)
      blank.push(await reply('blank@moe.go.th', minutes(i), rules, { subjectKey: null, bodyHash: null, letterKey: null }));
    expect(statuses(blank)).toEqual(Array(4).fill('pending'));
  });

  it('records a reply the sender asked not to get as suppressed, with the reason, and plans an officer’s notice with no window', async () => {
    const rules = replyRules({ unverified: { windows: [{ minutes: 10, replies: 0 }] } });
    const asked = await reply('asked@moe.go.th', minutes(0), rules, { suppress: 'sender asked for none (X-Auto-Response-Suppress: All)' });
    expect(asked).toEqual({ replyId: null, status: 'suppressed', withheld: 'sender asked for none (X-Auto-Response-Suppress: All)' });
    // A plan without a tier is not an automatic reply (a notice an officer sends from the desk).
    expect((await reply('asked@moe.go.th', minutes(1), rules, { tier: undefined })).status).toBe('pending');
  });

  it('lets four workers planning replies to one sender at once give it no more than its window', async () => {
    const rules = replyRules({ unverified: { windows: [{ minutes: 10, replies: 5 }] } });
    const pools = Array.from({ length: 4 }, () => createPool(env.db.url, 3));
    try {
      const planned = await Promise.all(Array.from({ length: 24 }, (_, i) => reply('race@moe.go.th', minutes(0), rules, {}, pools[i % 4])));
      expect(planned.filter((p) => p.status === 'pending')).toHaveLength(5);
      expect(planned.filter((p) => p.status === 'held')).toHaveLength(19);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  describe('held replies', () => {
    const rules = replyRules({ unverified: { windows: [{ minutes: 60, replies: 1 }] } });

    it('are listed in one digest per sender, at most one per digestEveryMinutes, each held reply in one digest only', async () => {
      const sender = 'digest@moe.go.th';
      // Other tests' senders have held replies too: only this sender's digests are looked at.
      const digestsTo = async () =>
        (
          await env.db.pool.query(
            `SELECT d.id, d.status, d.recipient, d.message_id, (SELECT count(*)::int FROM reply r WHERE r.digest_id = d.id) AS listed
               FROM reply d WHERE d.kind = 'digest' AND lower(d.recipient) = $1 ORDER BY d.id`,
            [sender],
          )
        ).rows;
      const planned = [];
      for (let i = 0; i < 4; i++) planned.push(await reply(i === 3 ? 'Digest@MOE.go.th' : sender, minutes(i), rules));
      expect(statuses(planned)).toEqual(['pending', 'held', 'held', 'held']);

      // Three workers' ticks at once make one digest, to the address as the latest message gave it.
      const pools = Array.from({ length: 3 }, () => createPool(env.db.url, 2));
      try {
        await Promise.all(pools.map((p) => planDueDigests(p, minutes(5), 30, 'example.go.th')));
      } finally {
        await Promise.all(pools.map((p) => p.end()));
      }
      const [first, ...more] = await digestsTo();
      expect(more).toEqual([]);
      expect(first).toMatchObject({ status: 'pending', recipient: 'Digest@MOE.go.th', listed: 3 });
      expect(first.message_id).toMatch(/^<digest\.[0-9a-f-]{36}@example\.go\.th>$/);

      // Nothing new: no digest. Held again within half an hour: it waits for the next one.
      await planDueDigests(env.db.pool, minutes(6), 30, 'example.go.th');
      expect(await digestsTo()).toHaveLength(1);
      await reply(sender, minutes(10), rules);
      await reply(sender, minutes(20), rules);
      await planDueDigests(env.db.pool, minutes(34), 30, 'example.go.th');
      expect(await digestsTo()).toHaveLength(1);
      await planDueDigests(env.db.pool, minutes(35.5), 30, 'example.go.th');
      expect((await digestsTo()).map((d) => d.listed)).toEqual([3, 2]);
      await planDueDigests(env.db.pool, minutes(90), 30, 'example.go.th');
      expect(await digestsTo()).toHaveLength(2);
    });

    it('are released by an operator once, with an audit event; a second release, or a reply that was sent, finds nothing', async () => {
      const sender = 'release@moe.go.th';
      const planned = [];
      for (let i = 0; i < 4; i++) planned.push(await reply(sender, minutes(i), rules));
      const held = await listReplies(env.db.pool, { held: true, sender, limit: 10 });
      expect(held.map((r) => r.status)).toEqual(['held', 'held', 'held']);

      const one = held[2].id;
      expect(await releaseReplies(env.db.pool, { id: one }, minutes(5))).toEqual([one]);
      expect(await releaseReplies(env.db.pool, { id: one }, minutes(6))).toEqual([]);
      const sent = (
        await env.db.pool.query(`SELECT id FROM reply WHERE recipient = $1 AND status = 'pending' AND released_at IS NULL`, [sender])
      ).rows[0].id;
      expect(await releaseReplies(env.db.pool, { id: sent }, minutes(6))).toEqual([]);

      const rest = await releaseReplies(env.db.pool, { sender: 'RELEASE@moe.go.th' }, minutes(7));
      expect(rest.sort()).toEqual([held[0].id, held[1].id].sort());
      expect(await listReplies(env.db.pool, { held: true, sender, limit: 10 })).toEqual([]);
      const { rows } = await env.db.pool.query(
        `SELECT actor, detail->>'replyId' AS reply FROM audit_event WHERE action = 'reply.released' AND detail->>'recipient' = $1 ORDER BY seq`,
        [sender],
      );
      expect(rows).toEqual([one, ...rest].map((id) => ({ actor: 'operator', reply: String(id) })));
    });

    it('are not planned again by a released reply: a released reply is sent, not digested', async () => {
      const sender = 'released-digest@moe.go.th';
      await reply(sender, minutes(0), rules);
      const held = await reply(sender, minutes(1), rules);
      const [id] = (await listReplies(env.db.pool, { held: true, sender, limit: 1 })).map((r) => r.id);
      await releaseReplies(env.db.pool, { id }, minutes(2));
      expect(held.status).toBe('held');
      await planDueDigests(env.db.pool, minutes(3), 30, 'example.go.th');
      const { rows } = await env.db.pool.query(`SELECT count(*)::int AS n FROM reply WHERE kind = 'digest' AND recipient = $1`, [sender]);
      expect(rows[0].n).toBe(0);
    });
  });
});
