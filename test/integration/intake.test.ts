import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { startRoles, type Running } from '../../bin/roles';
import { findInboundWithRaw, MessageTooLarge, storeInbound } from '../../registry/inbound';
import {
  createTestDatabase,
  flushPrefix,
  sendLetter,
  silent,
  smtpDialogue,
  testConfig,
  type TestDatabase,
  useTestDatabase,
} from '../support/services';

// The SMTP edge alone (no workers): what it keeps, what it refuses, and when it says yes.
describe('SMTP intake', () => {
  let db: TestDatabase;
  let gateway: Running;
  let port: number;
  const config = () => testConfig(db.url, { smtp: { port: 0, maxSizeBytes: 1024 * 1024 } });
  let prefix: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const c = config();
    prefix = c.redis.prefix;
    gateway = await startRoles(['gateway'], c, silent);
    port = gateway.smtpPort!;
  });
  afterAll(async () => {
    await gateway.stop();
    await db.drop();
    await flushPrefix(prefix);
  });

  it('commits the raw message, envelope, client IP, HELO and SHA-256 before answering 250 with the inbound id', async () => {
    const reply = await sendLetter(port, { subject: 'ที่ ศธ 0206/1457 เรื่อง ทดสอบการรับ' });
    const id = reply.match(/^250 2\.\d\.0 Kept as ([0-9a-f-]{36})/)?.[1];
    expect(id).toBeDefined();
    const { rows } = await db.pool.query('SELECT * FROM inbound WHERE id = $1', [id]);
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(row).toMatchObject({
      edge: 'smtp',
      client_ip: '127.0.0.1',
      mail_from: 'saraban@moe.go.th',
      rcpt_to: ['saraban@example.go.th'],
      book: 'RB',
    });
    expect(row.helo).toBeTruthy();
    const { raw } = (await findInboundWithRaw(db.pool, id!))!;
    expect(raw.length).toBe(row.size);
    expect(createHash('sha256').update(raw).digest('hex')).toBe(row.sha256);
    expect(raw.toString()).toContain('Subject: =?UTF-8?');
  });

  it('advertises the size limit in EHLO and offers no AUTH', async () => {
    const [, ehlo] = await smtpDialogue(port, ['EHLO sender.moe.go.th', 'QUIT']);
    expect(ehlo).toContain(`SIZE ${1024 * 1024}`);
    expect(ehlo).not.toMatch(/AUTH/);
    const [, , auth] = await smtpDialogue(port, ['EHLO sender.moe.go.th', 'AUTH PLAIN AGNsZXJrAHNlY3JldA==', 'QUIT']);
    expect(auth).toMatch(/^5\d\d /);
  });

  it('refuses any recipient that is not a central address with 550 5.1.1: never a relay', async () => {
    const replies = await smtpDialogue(port, [
      'EHLO sender.moe.go.th',
      'MAIL FROM:<clerk@moe.go.th>',
      'RCPT TO:<someone@gmail.com>',
      'RCPT TO:<director@example.go.th>',
      'QUIT',
    ]);
    expect(replies[3]).toBe('550 5.1.1 <someone@gmail.com>: not a central address (saraban) of this agency; no relaying [SB-NO-MAILBOX]');
    expect(replies[4]).toMatch(/^550 5\.1\.1 .*\[SB-NO-MAILBOX\]$/);
    await expect(sendLetter(port, { to: 'someone@gmail.com' })).rejects.toThrow(/550/);
  });

  it('answers in Thai to a client that speaks SMTPUTF8', async () => {
    const replies = await smtpDialogue(port, [
      'EHLO sender.moe.go.th',
      'MAIL FROM:<clerk@moe.go.th> SMTPUTF8',
      'RCPT TO:<ผู้อำนวยการ@example.go.th>',
      'QUIT',
    ]);
    expect(replies[3]).toBe('550 5.1.1 <ผู้อำนวยการ@example.go.th>: ไม่ใช่ที่อยู่อีเมลกลาง (สารบรรณ) ของหน่วยงานนี้ และไม่รับส่งต่อ [SB-NO-MAILBOX]');
  });

  it('refuses a message over the limit with 552 5.3.4 after reading it, and keeps nothing of it', async () => {
    const before = (await db.pool.query('SELECT count(*)::int AS n FROM inbound')).rows[0].n;
    const big = Buffer.alloc(1024 * 1024 + 1, 'a');
    const error = await sendLetter(port, { attachments: [{ filename: 'big.pdf', content: big }] }).catch((e: Error) => e);
    expect(String(error)).toMatch(/552 5\.3\.4/);
    const after = await db.pool.query('SELECT count(*)::int AS n FROM inbound');
    expect(after.rows[0].n).toBe(before);
    const chunks = await db.pool.query(
      'SELECT count(*)::int AS n FROM inbound_chunk c LEFT JOIN inbound i ON i.id = c.inbound_id WHERE i.id IS NULL',
    );
    expect(chunks.rows[0].n).toBe(0);
    // The connection is still usable: the next letter is taken.
    await expect(sendLetter(port)).resolves.toMatch(/^250 /);
  });

  it('streams a large message into pieces rather than one buffer', async () => {
    const reply = await sendLetter(port, { attachments: [{ filename: 'scan.pdf', content: Buffer.alloc(600 * 1024, 'b') }] });
    const id = reply.match(/Kept as (\S+)/)![1];
    const { rows } = await db.pool.query(
      'SELECT count(*)::int AS n, sum(length(data))::int AS bytes FROM inbound_chunk WHERE inbound_id = $1',
      [id],
    );
    const size = (await db.pool.query('SELECT size FROM inbound WHERE id = $1', [id])).rows[0].size;
    expect(rows[0].bytes).toBe(size);
    expect(rows[0].n).toBeGreaterThanOrEqual(2);
  });

  it('sends a recipient of another book back to be sent again in its own transaction (452)', async () => {
    const twoBooks = testConfig(db.url, {
      books: [
        { code: 'RB', name: 'ทะเบียนหนังสือรับ', addresses: ['saraban@example.go.th'] },
        { code: 'HR', name: 'ทะเบียนรับ กองการเจ้าหน้าที่', addresses: ['saraban-hr@example.go.th'] },
      ],
    });
    const other = await startRoles(['gateway'], twoBooks, silent);
    try {
      const replies = await smtpDialogue(other.smtpPort!, [
        'EHLO a',
        'MAIL FROM:<clerk@moe.go.th>',
        'RCPT TO:<saraban@example.go.th>',
        'RCPT TO:<saraban-hr@example.go.th>',
        'QUIT',
      ]);
      expect(replies[3]).toMatch(/^250 /);
      expect(replies[4]).toMatch(/^452 .*belongs to another register; send it again in its own message \[SB-OTHER-BOOK\]$/);
    } finally {
      await other.stop();
      await flushPrefix(twoBooks.redis.prefix);
    }
  });
});

// storeInbound itself, at the sizes where the way a message is written changes.
describe('keeping a message in the register', () => {
  const env = useTestDatabase();

  const PIECE = 512 * 1024;
  const arriving = (bytes: Buffer, source?: string) => ({
    edge: 'imap' as const,
    // Delivered in network-sized pieces, as a socket would.
    stream: Readable.from(Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536))),
    mailFrom: 'saraban@moe.go.th',
    rcptTo: ['saraban@example.go.th'],
    book: 'RB',
    receivedAt: new Date(),
    source,
  });
  const pieces = async (id: string) =>
    (await env.db.pool.query('SELECT seq, length(data)::int AS bytes FROM inbound_chunk WHERE inbound_id = $1 ORDER BY seq', [id])).rows;

  it.each([
    ['an empty message', 0, [0]],
    ['a message of one piece', 1000, [1000]],
    ['a message of exactly two pieces', 2 * PIECE, [PIECE, PIECE]],
    ['a message of two pieces and a bit', 2 * PIECE + 7, [PIECE, PIECE, 7]],
  ])('keeps %s whole, in the pieces it needs', async (_name, size, expected) => {
    const bytes = randomBytes(size);
    const kept = await storeInbound(env.db.pool, arriving(bytes), 10 * PIECE);
    expect(kept).toMatchObject({ size, alreadyKept: false, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect((await pieces(kept.id)).map((p) => p.bytes)).toEqual(expected);
    expect((await findInboundWithRaw(env.db.pool, kept.id))!.raw.equals(bytes)).toBe(true);
  });

  it('keeps a message whose envelope, as a mailbox gave it, holds a NUL, the NUL replaced', async () => {
    const kept = await storeInbound(
      env.db.pool,
      { ...arriving(Buffer.from('Subject: x\r\n\r\nx\r\n')), mailFrom: 'a\u0000b@moe.go.th' },
      PIECE,
    );
    const { rows } = await env.db.pool.query('SELECT mail_from FROM inbound WHERE id = $1', [kept.id]);
    expect(rows[0].mail_from).toBe('a\uFFFDb@moe.go.th');
  });

  it('finds no message for an id it never kept', async () => {
    expect(await findInboundWithRaw(env.db.pool, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('keeps the same bytes from the same source once, leaving no pieces of the second copy', async () => {
    for (const size of [1000, 2 * PIECE + 7]) {
      const bytes = randomBytes(size);
      const first = await storeInbound(env.db.pool, arriving(bytes, 'imap:clerk'), 10 * PIECE);
      const again = await storeInbound(env.db.pool, arriving(bytes, 'imap:clerk'), 10 * PIECE);
      expect(again).toMatchObject({ id: first.id, alreadyKept: true });
      const orphans = await env.db.pool.query(
        'SELECT count(*)::int AS n FROM inbound_chunk c WHERE NOT EXISTS (SELECT 1 FROM inbound i WHERE i.id = c.inbound_id)',
      );
      expect(orphans.rows[0].n).toBe(0);
      expect((await findInboundWithRaw(env.db.pool, first.id))!.raw.equals(bytes)).toBe(true);
    }
  });

  it('keeps nothing of a message over the limit, whatever pieces were written', async () => {
    const before = (await env.db.pool.query('SELECT count(*)::int AS n FROM inbound_chunk')).rows[0].n;
    await expect(storeInbound(env.db.pool, arriving(randomBytes(3 * PIECE)), 2 * PIECE + 1)).rejects.toBeInstanceOf(MessageTooLarge);
    expect((await env.db.pool.query('SELECT count(*)::int AS n FROM inbound_chunk')).rows[0].n).toBe(before);
    expect(env.db.pool.idleCount).toBe(env.db.pool.totalCount); // the connection went back to the pool
  });
});

describe('SMTP intake when a service is down', () => {
  const env = useTestDatabase();

  it('answers 451 4.3.0, never 250, when PostgreSQL cannot be reached', async () => {
    const config = testConfig('postgres://postgres@127.0.0.1:1/nowhere');
    const gateway = await startRoles(['gateway'], config, silent);
    try {
      const error = await sendLetter(gateway.smtpPort!).catch((e: Error) => e);
      expect(String(error)).toMatch(/451 4\.3\.0 cannot keep the message right now; it will be accepted when you retry \[SB-TRY-LATER\]/);
    } finally {
      await gateway.stop();
      await flushPrefix(config.redis.prefix);
    }
  });

  it('still answers 250 when Redis cannot be reached: the message is kept for the reconciler', async () => {
    const config = testConfig(env.db.url, { redis: { url: 'redis://127.0.0.1:1', prefix: 'unused' } });
    const gateway = await startRoles(['gateway'], config, silent);
    try {
      const reply = await sendLetter(gateway.smtpPort!);
      const id = reply.match(/^250 .*Kept as (\S+)/)![1];
      const { rows } = await env.db.pool.query('SELECT processed_at FROM inbound WHERE id = $1', [id]);
      expect(rows).toEqual([{ processed_at: null }]);
    } finally {
      await gateway.stop();
    }
  });
});
