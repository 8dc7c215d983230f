import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import nodemailer from 'nodemailer';
import { startRoles, type Running } from '../../bin/roles';
import { buddhistYear } from '../../letter/calendar';
import { LETTERS_QUEUE, letterJobId } from '../../worker/queues';
import {
  createTestDatabase,
  flushPrefix,
  letterOptions,
  REDIS_URL,
  samplePdf,
  sendLetter,
  silent,
  startRelay,
  testConfig,
  waitFor,
  type Relay,
  type TestDatabase,
} from '../support/services';

// The whole path on real services: nodemailer -> our SMTP port -> workers -> relay.
describe('a letter e-mailed to saraban@', () => {
  let db: TestDatabase;
  let relay: Relay;
  let app: Running;
  let prefix: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    relay = await startRelay();
    const config = testConfig(db.url, { relay: { url: relay.url } });
    prefix = config.redis.prefix;
    app = await startRoles(['gateway', 'worker', 'desk'], config, silent);
  });
  afterAll(async () => {
    await app.stop();
    await relay.close();
    await db.drop();
    await flushPrefix(prefix);
  });

  const letterCount = async () => (await db.pool.query('SELECT count(*)::int AS n FROM letter')).rows[0].n as number;

  it('is kept, registered and acknowledged to its sender with its number', async () => {
    const pdf = samplePdf();
    const reply = await sendLetter(app.smtpPort!, {
      messageId: '<letter-0001@moe.go.th>',
      attachments: [{ filename: 'หนังสือเชิญประชุม.pdf', content: pdf, contentType: 'application/pdf' }],
    });
    const inboundId = reply.match(/Kept as (\S+)/)![1];

    const ack = (await waitFor(() => relay.messages.find((m) => m.parsed.inReplyTo === '<letter-0001@moe.go.th>'), 'the acknowledgement'))!;
    const { rows } = await db.pool.query('SELECT * FROM letter WHERE inbound_id = $1', [inboundId]);
    expect(rows).toHaveLength(1);
    const letter = rows[0];
    expect(letter).toMatchObject({
      book: 'RB',
      year: buddhistYear(new Date()),
      number: 1,
      message_id: '<letter-0001@moe.go.th>',
      from_address: 'saraban@moe.go.th',
    });
    expect(letter.subject).toBe('ที่ ศธ 0206/1457 ลงวันที่ 20 พฤศจิกายน 2569 เรื่อง ขอเชิญประชุม');

    // Sent to the envelope sender, from the central address, as an automatic reply (RFC 3834).
    expect(ack.envelope).toEqual({ mailFrom: 'saraban@example.go.th', rcptTo: ['saraban@moe.go.th'] });
    const h = ack.parsed.headers;
    expect(h.get('auto-submitted')).toBe('auto-replied');
    expect(ack.parsed.references).toBe('<letter-0001@moe.go.th>');
    expect(ack.parsed.messageId).toBe(`<ack.${inboundId}@example.go.th>`);
    expect(ack.parsed.from?.value[0]).toEqual({ address: 'saraban@example.go.th', name: 'สำนักงานทดสอบ' });
    const text = ack.parsed.text!;
    expect(text).toContain(`เลขรับ: 1/${letter.year}`);
    expect(text).toContain('ทะเบียน: ทะเบียนหนังสือรับ (RB)');
    // The letter's own reference, date and title, as read from the subject.
    expect(text).toContain('ที่: ศธ 0206/1457\nลงวันที่: 20 พฤศจิกายน 2569\nเรื่อง: ขอเชิญประชุม\n');
    expect(text).toContain(
      `หนังสือเชิญประชุม.pdf - ${pdf.length.toLocaleString('en-US')} ไบต์ (bytes) - SHA-256 ${createHash('sha256').update(pdf).digest('hex')}`,
    );
    expect(text).toMatch(/registered it in book RB as number 1\//);

    const status = await db.pool.query('SELECT status, sent_at FROM reply WHERE letter_id = $1', [letter.id]);
    expect(status.rows[0].status).toBe('sent');

    // The finished job keeps the outcome and number in Redis, not a copy of the letter.
    const queue = new Queue(LETTERS_QUEUE, { connection: { url: REDIS_URL }, prefix });
    try {
      // The job is marked finished after it queued the acknowledgement, so it may lag behind it.
      const job = await waitFor(async () => {
        const found = await queue.getJob(letterJobId(inboundId));
        return (await found?.isCompleted()) ? found : undefined;
      }, 'the letters job to be finished');
      expect(job!.returnvalue).toEqual({
        kind: 'registered',
        created: true,
        letterId: letter.id,
        book: 'RB',
        year: letter.year,
        number: 1,
      });
    } finally {
      await queue.close();
    }
  });

  it('keeps automatic mail and null-sender mail without registering or answering it', async () => {
    const before = relay.messages.length;
    const lettersBefore = await letterCount();
    const replies = [
      await sendLetter(app.smtpPort!, { headers: { 'Auto-Submitted': 'auto-replied' }, subject: 'Out of office' }),
      await sendLetter(app.smtpPort!, { headers: { Precedence: 'bulk' }, subject: 'ข่าวประชาสัมพันธ์' }),
      await sendLetter(app.smtpPort!, { headers: { 'List-Id': '<news.example.org>' }, subject: 'Newsletter' }),
      await sendLetter(app.smtpPort!, { envelopeFrom: '', subject: 'Undelivered Mail Returned to Sender' }),
    ];
    const ids = replies.map((r) => r.match(/Kept as (\S+)/)![1]);
    await waitFor(async () => {
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM inbound WHERE id = ANY($1) AND outcome = 'automatic'`, [ids]);
      return rows[0].n === 4;
    }, 'the four automatic messages to be decided');
    // A letter sent after them is acknowledged: once it arrives, nothing earlier is still on its way.
    await sendLetter(app.smtpPort!, { messageId: '<after-automatic@moe.go.th>' });
    await waitFor(() => relay.messages.some((m) => m.parsed.inReplyTo === '<after-automatic@moe.go.th>'), 'the next acknowledgement');
    expect(relay.messages.length).toBe(before + 1);
    expect(await letterCount()).toBe(lettersBefore + 1);
  });

  it('registers 200 letters sent over 20 parallel connections as the next 200 numbers, with 200 acknowledgements', async () => {
    const start = await letterCount();
    const acksBefore = relay.messages.length;
    const transports = Array.from({ length: 20 }, () =>
      nodemailer.createTransport({
        host: '127.0.0.1',
        port: app.smtpPort!,
        ignoreTLS: true,
        pool: true,
        maxConnections: 1,
        maxMessages: Infinity,
      }),
    );
    try {
      await Promise.all(
        transports.map(async (t, c) => {
          for (let i = 0; i < 10; i++) {
            await t.sendMail(letterOptions({ messageId: `<bulk-${c}-${i}@moe.go.th>`, subject: `เรื่อง หนังสือที่ ${c}-${i}` }));
          }
        }),
      );
    } finally {
      transports.forEach((t) => t.close());
    }
    await waitFor(() => relay.messages.length >= acksBefore + 200, '200 acknowledgements', 60_000);
    const { rows } = await db.pool.query(`SELECT number, message_id FROM letter WHERE message_id LIKE '<bulk-%' ORDER BY number`);
    expect(rows.map((r) => r.number)).toEqual(Array.from({ length: 200 }, (_, i) => start + i + 1));
    const acked = relay.messages.slice(acksBefore).map((m) => m.parsed.inReplyTo);
    expect(new Set(acked).size).toBe(200);
    expect(new Set(acked)).toEqual(new Set(rows.map((r) => r.message_id)));
  });

  it('answers /healthz and counts what it did on /metrics', async () => {
    const base = `http://127.0.0.1:${app.deskPort}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', postgresql: { ok: true }, redis: { ok: true }, imap: [] });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const letters = await letterCount();
    expect(metrics).toContain(`saraban_messages_accepted_total{edge="smtp"} ${letters + 4}`);
    expect(metrics).toContain(`saraban_register_totals{kind="letters_registered"} ${letters}`);
    const { rows } = await db.pool.query(`SELECT count(*)::integer AS n FROM letter WHERE flags ? 'to-complete'`);
    expect(rows[0].n).toBeGreaterThan(0);
    expect(metrics).toContain(`saraban_register_totals{kind="letters_to_complete"} ${rows[0].n}`);
    expect(metrics).toContain(`saraban_register_totals{kind="acknowledgements_sent"} ${letters}`);
    expect(metrics).toMatch(/saraban_queue_jobs\{queue="letters",state="waiting"\} 0/);
    expect(metrics).toMatch(/saraban_queue_jobs\{queue="mail",state="failed"\} 0/);
    // Node's own metrics under one prefix, not saraban_process_process_...
    expect(metrics).toMatch(/^saraban_process_resident_memory_bytes \d+/m);
    expect(metrics).toMatch(/^saraban_nodejs_eventloop_lag_seconds /m);
    expect(metrics).not.toContain('saraban_process_process_');
  });
});

describe('/healthz when a service is down', () => {
  it('answers 503 and names the service that does not answer', async () => {
    const config = testConfig('postgres://postgres@127.0.0.1:1/nowhere');
    const desk = await startRoles(['desk'], config, silent);
    try {
      const response = await fetch(`http://127.0.0.1:${desk.deskPort}/healthz`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { postgresql: { ok: boolean }; redis: { ok: boolean } };
      expect(body.postgresql.ok).toBe(false);
      expect(body.redis.ok).toBe(true);
    } finally {
      await desk.stop();
      await flushPrefix(config.redis.prefix);
    }
  });
});
