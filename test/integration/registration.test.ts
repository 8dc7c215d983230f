import { createPool, migrate, readMigrations, type Pool } from '../../registry/db';
import { AlreadyDecided, recordNotRegistered, registerLetter, type RegistrationRequest } from '../../registry/letters';
import { keepMessage, replyRules, schemaAsOf, useTestDatabase } from '../support/services';

// registerLetter against a real PostgreSQL: the numbering rules of the incoming register.
describe('registering a letter', () => {
  const env = useTestDatabase();

  const keep = (book = 'RB') => keepMessage(env.db.pool, 'Subject: x\r\n\r\nletter\r\n', book);

  const request = (inboundId: string, book = 'RB'): RegistrationRequest => ({
    inboundId,
    book,
    details: {
      messageId: `<${inboundId}@moe.go.th>`,
      fromAddress: 'clerk@moe.go.th',
      fromName: null,
      subject: 'เรื่อง ทดสอบ',
      attachments: [],
    },
    reply: { kind: 'acknowledgement', reason: null, recipient: 'clerk@moe.go.th', messageId: `<ack.${inboundId}@example.go.th>` },
    replyLimits: replyRules(),
  });

  it('gives 2026-12-31T17:30Z number 1 of 2570 (00:30 on 1 January in Bangkok)', async () => {
    const late = await registerLetter(env.db.pool, request(await keep('NY')), () => new Date('2026-12-31T16:30:00Z'));
    const first = await registerLetter(env.db.pool, request(await keep('NY')), () => new Date('2026-12-31T17:30:00Z'));
    expect([late.letter.year, late.letter.number]).toEqual([2569, 1]);
    expect([first.letter.year, first.letter.number]).toEqual([2570, 1]);
    const second = await registerLetter(env.db.pool, request(await keep('NY')), () => new Date('2027-01-02T03:00:00Z'));
    expect([second.letter.year, second.letter.number]).toEqual([2570, 2]);
  });

  it('returns the same letter when the same message is registered again, writing nothing new', async () => {
    const id = await keep('ID');
    const clock = () => new Date('2026-06-01T03:00:00Z');
    const once = await registerLetter(env.db.pool, request(id, 'ID'), clock);
    const again = await registerLetter(env.db.pool, request(id, 'ID'), clock);
    expect(once.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.letter).toEqual(once.letter);
    expect(once.replyId).not.toBeNull();
    expect(again.replyId).toBe(once.replyId); // still pending: the re-run queues it again
    const counts = await env.db.pool.query(
      `SELECT (SELECT count(*) FROM letter WHERE inbound_id = $1)::int AS letters,
              (SELECT count(*) FROM reply WHERE inbound_id = $1)::int AS acks,
              (SELECT count(*) FROM audit_event WHERE inbound_id = $1)::int AS events,
              (SELECT last_number FROM book_counter WHERE book = 'ID' AND year = 2569) AS last`,
      [id],
    );
    expect(counts.rows[0]).toEqual({ letters: 1, acks: 1, events: 1, last: 1 });
  });

  it('numbers 120 letters 1..120 with no gap and no repeat while four workers race, each message registered twice', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) ids.push(await keep('RACE'));
    // Four pools stand for four worker processes; every message is handed to two of them.
    const pools: Pool[] = Array.from({ length: 4 }, () => createPool(env.db.url, 5));
    try {
      // A clock that moves on each reading, as a real one does.
      let tick = Date.parse('2026-08-23T03:00:00Z');
      const clock = () => new Date((tick += 1000));
      await Promise.all(
        [...ids, ...ids.slice().reverse()].map((id, i) => registerLetter(pools[i % pools.length], request(id, 'RACE'), clock)),
      );
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
    const { rows } = await env.db.pool.query(`SELECT number, inbound_id, registered_at FROM letter WHERE book = 'RACE' ORDER BY number`);
    expect(rows.map((r) => r.number)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.inbound_id)).size).toBe(120);
    // A later number never carries an earlier registration time.
    const times = rows.map((r) => (r.registered_at as Date).getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('gives the number back when the transaction fails: the next letter still gets the next number', async () => {
    const clock = () => new Date('2026-03-01T03:00:00Z');
    const first = await registerLetter(env.db.pool, request(await keep('RB2'), 'RB2'), clock);
    // A constraint that fails the audit insert: the last step, after the number was taken.
    const failing = request(await keep('RB2'), 'RB2');
    await env.db.pool.query("ALTER TABLE audit_event ADD CONSTRAINT no_rb2 CHECK ((detail->>'book') IS DISTINCT FROM 'RB2') NOT VALID");
    await expect(registerLetter(env.db.pool, failing, clock)).rejects.toThrow(/no_rb2/);
    await env.db.pool.query('ALTER TABLE audit_event DROP CONSTRAINT no_rb2');
    const next = await registerLetter(env.db.pool, failing, clock);
    expect([first.letter.number, next.letter.number]).toEqual([1, 2]);
  });

  it('registers and numbers every letter whatever the reply rules hold back: none of them decides registration', async () => {
    // No reply at all may go out: every window is empty and everyone's hour is full.
    const none = replyRules({ unverified: { windows: [{ minutes: 1440, replies: 0 }] }, allSendersPerHour: 0 });
    const clock = () => new Date('2026-09-01T03:00:00Z');
    const results = [];
    for (let i = 0; i < 5; i++) {
      const id = await keep('NOCAP');
      results.push(
        await registerLetter(
          env.db.pool,
          { ...request(id, 'NOCAP'), reply: { ...request(id).reply!, tier: 'unverified' }, replyLimits: none },
          clock,
        ),
      );
    }
    expect(results.map((r) => [r.outcome, r.letter.number, r.replyId])).toEqual([1, 2, 3, 4, 5].map((n) => ['registered', n, null]));
    const { rows } = await env.db.pool.query(
      `SELECT r.status FROM reply r JOIN letter l ON l.id = r.letter_id WHERE l.book = 'NOCAP' ORDER BY l.number`,
    );
    expect(rows.map((r) => r.status)).toEqual(['held', 'held', 'held', 'held', 'held']);
  });

  it('does not register a message that a racing run already held or refused', async () => {
    const id = await keep('RACE2');
    const clock = () => new Date('2026-10-01T03:00:00Z');
    await recordNotRegistered(
      env.db.pool,
      {
        inboundId: id,
        outcome: 'held',
        decision: { reason: 'top-secret' },
        reply: null,
        replyLimits: replyRules(),
      },
      clock,
    );
    await expect(registerLetter(env.db.pool, request(id, 'RACE2'), clock)).rejects.toBeInstanceOf(AlreadyDecided);
    const { rows } = await env.db.pool.query('SELECT count(*)::int AS n FROM letter WHERE inbound_id = $1', [id]);
    expect(rows[0].n).toBe(0);
  });
});

describe('finding the letter a message repeats', () => {
  const env = useTestDatabase();
  const clock = () => new Date('2026-05-01T03:00:00Z');
  const pdf = (sha256: string) => ({ filename: 'หนังสือ.pdf', contentType: 'application/pdf', size: 1000, sha256 });

  /** Keeps a message and registers it, or links it to the letter it repeats. */
  async function send(letter: { messageId: string; from?: string; reference?: string | null; files?: string[]; book?: string }) {
    const book = letter.book ?? 'DUP';
    const inboundId = await keepMessage(env.db.pool, 'Subject: x\r\n\r\nletter\r\n', book);
    const fromAddress = letter.from ?? 'saraban@moe.go.th';
    const files = letter.files ?? [];
    const reference = letter.reference ?? null;
    const reply = { kind: 'acknowledgement' as const, reason: null, recipient: fromAddress, messageId: `<ack.${inboundId}@example.go.th>` };
    return registerLetter(
      env.db.pool,
      {
        inboundId,
        book,
        details: {
          messageId: letter.messageId,
          fromAddress,
          fromName: null,
          subject: 'เรื่อง ทดสอบ',
          attachments: files.map(pdf),
          referenceNormalised: reference,
        },
        reply,
        duplicate: {
          keys: { messageId: letter.messageId, fromAddress, attachmentSha256s: files, referenceNormalised: reference },
          reply: { ...reply, kind: 'notice', reason: 'duplicate' },
          decision: { reason: 'duplicate' },
        },
        replyLimits: replyRules(),
      },
      clock,
    );
  }

  it('links the same Message-ID from the same sender to the letter, and not from another sender or in another book', async () => {
    const first = await send({ messageId: '<m1@moe.go.th>' });
    const again = await send({ messageId: '<m1@moe.go.th>' });
    expect(again.outcome).toBe('duplicate');
    expect(again.letter.id).toBe(first.letter.id);
    expect((await send({ messageId: '<m1@moe.go.th>', from: 'saraban@mof.go.th' })).outcome).toBe('registered');
    expect((await send({ messageId: '<m1@moe.go.th>', book: 'DUP2' })).outcome).toBe('registered');
  });

  it('links the same reference with one of the same files to the earliest such letter; another file is a new letter', async () => {
    const first = await send({ messageId: '<r1@moe.go.th>', reference: 'ศธ 0206/77', files: ['a1', 'a2'] });
    const other = await send({ messageId: '<r2@moe.go.th>', reference: 'ศธ 0206/77', files: ['b1'] });
    expect(other.outcome).toBe('registered');
    // One file of each: the earlier letter is the one.
    const again = await send({ messageId: '<r3@moe.go.th>', reference: 'ศธ 0206/77', files: ['b1', 'a2'] });
    expect(again.outcome).toBe('duplicate');
    expect(again.letter.id).toBe(first.letter.id);
    // The same file under another reference is another letter (a reply quoting it, say).
    expect((await send({ messageId: '<r4@moe.go.th>', reference: 'ศธ 0206/78', files: ['a1'] })).outcome).toBe('registered');
    // And the same letter sent to another book is that book's letter.
    expect((await send({ messageId: '<r5@moe.go.th>', reference: 'ศธ 0206/77', files: ['a1'], book: 'DUP2' })).outcome).toBe('registered');
  });

  it('prefers the letter with the same Message-ID to an earlier one with the same reference and file', async () => {
    const earlier = await send({ messageId: '<p1@moe.go.th>', reference: 'ศธ 0206/90', files: ['p'] });
    const same = await send({ messageId: '<p2@moe.go.th>', reference: 'ศธ 0206/91', files: ['q'] });
    const again = await send({ messageId: '<p2@moe.go.th>', reference: 'ศธ 0206/90', files: ['p'] });
    expect(earlier.outcome).toBe('registered');
    expect(same.outcome).toBe('registered');
    expect(again.outcome).toBe('duplicate');
    expect(again.letter.id).toBe(same.letter.id);
  });
});

describe('upgrading a register to running reply tallies (migration 5)', () => {
  const env = useTestDatabase();

  it('starts the tallies from the replies already planned this Bangkok day and this hour, not the suppressed', async () => {
    const { pool } = env.db;
    // The register as the release before migration 5 left it.
    await schemaAsOf(pool, 4);
    const planned = async (recipient: string, status: string, age: string) => {
      const { rows } = await pool.query(
        `INSERT INTO inbound (id, received_at, edge, rcpt_to, book, size, sha256)
         VALUES (gen_random_uuid(), now(), 'smtp', '{saraban@example.go.th}', 'RB', 1, 'x') RETURNING id`,
      );
      await pool.query(
        `INSERT INTO reply (inbound_id, kind, recipient, message_id, status, created_at) VALUES ($1, 'acknowledgement', $2, $3, $4, now() - $5::interval)`,
        [rows[0].id, recipient, `<ack.${rows[0].id}@example.go.th>`, status, age],
      );
    };
    await planned('Busy@moe.go.th', 'sent', '0 seconds');
    await planned('busy@moe.go.th', 'pending', '0 seconds');
    await planned('busy@moe.go.th', 'suppressed', '0 seconds');
    await planned('busy@moe.go.th', 'sent', '3 days');
    // 5, 6 and what came after them, nothing before.
    expect(await migrate(pool)).toEqual(readMigrations().flatMap((m) => (m.version >= 5 ? [m.version] : [])));
    const { rows } = await pool.query(`SELECT scope, replies FROM reply_tally ORDER BY scope`);
    expect(rows).toEqual([
      { scope: 'all', replies: 2 },
      { scope: 'sender:busy@moe.go.th', replies: 2 },
    ]);
  });
});
