import { Readable } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer';
import nodemailer, { type Transporter } from 'nodemailer';
import { readAgencyDirectory, type Config } from '../../config/load';
import { parseAgencyDirectory } from '../../letter/agencies';
import { buddhistYear } from '../../letter/calendar';
import { storeInbound } from '../../registry/inbound';
import { planDueDigests } from '../../registry/replies';
import { processInbound, type LetterDeps } from '../../worker/letters';
import { sendReply, type MailDeps } from '../../worker/mail';
import { tableResolver } from '../support/dns';
import { letterOptions, silent, testConfig, useDatabaseAndRelay, type RelayedMessage } from '../support/services';

// A ministry's morning, and a sender that proves nothing sending hundreds: every letter is
// registered, and every number reaches its sender, one receipt each while the sender's window
// allows, the rest in digests. Registration goes straight through the letters job with an
// injected clock (the SMTP edge has tests of its own); receipts go to a real SMTP relay.

// moe.go.th: SPF passes for our test sender's address (127.0.0.1) and DMARC is published, so its
// letters are authentic (DMARC pass, SPF aligned). example-school.test publishes nothing.
const records = new Map<string, string[]>([
  ['moe.go.th', ['v=spf1 ip4:127.0.0.1 -all']],
  ['_dmarc.moe.go.th', ['v=DMARC1; p=quarantine']],
]);

describe('receipts at a ministry’s volume', () => {
  const env = useDatabaseAndRelay();
  let config: Config;
  let transport: Transporter;

  beforeAll(() => {
    // The reply rules as shipped.
    config = testConfig(env.db.url, { relay: { url: env.relay.url }, replies: {} });
    transport = nodemailer.createTransport({ url: config.relay.url, pool: true, maxConnections: 8 });
  });
  afterAll(() => transport.close());

  const T0 = Date.parse('2026-11-20T01:30:00Z'); // 08:30 in Bangkok
  const at = (seconds: number) => new Date(T0 + seconds * 1000);
  const year = buddhistYear(at(0));

  /**
   * A letter as an agency's mail server sends it: a covering note and the signed letter scanned
   * (JPEG: not read, so that the test measures replies, not reading; PDFs have tests of their own).
   */
  async function keep(sender: string, n: number, receivedAt: Date): Promise<string> {
    const raw = await new MailComposer(
      letterOptions({
        from: sender,
        subject: `ที่ ศธ 0206/${n} ลงวันที่ 20 พฤศจิกายน 2569 เรื่อง ขอความร่วมมือรายงานข้อมูล ครั้งที่ ${n}`,
        // Every letter of the morning has the same covering note: its reference makes it a letter of its own.
        text: 'เรียน ผู้ว่าราชการจังหวัด\n\nส่งหนังสือมาเพื่อโปรดทราบ รายละเอียดตามสิ่งที่ส่งมาด้วย\n',
        messageId: `<letter-${n}@${sender.split('@')[1]}>`,
        attachments: [
          { filename: `หนังสือ-${n}.jpg`, content: Buffer.from(`\xff\xd8\xff\xe0 scan of letter ${n}`), contentType: 'image/jpeg' },
        ],
      }),
    )
      .compile()
      .build();
    const stored = await storeInbound(
      env.db.pool,
      {
        edge: 'smtp',
        stream: Readable.from([raw]),
        mailFrom: sender,
        rcptTo: ['saraban@example.go.th'],
        book: 'RB',
        clientIp: '127.0.0.1',
        helo: 'mail.example',
        receivedAt,
      },
      config.smtp.maxSizeBytes,
    );
    return stored.id;
  }

  /** Registers the letters through the letters job, each at its own moment, four at a time; returns the replies to send. */
  async function register(letters: Array<{ id: string; at: Date }>): Promise<number[]> {
    const toSend: number[] = [];
    const { directory } = parseAgencyDirectory(readAgencyDirectory(config));
    const deps = (clock: () => Date): LetterDeps => ({
      config,
      pool: env.db.pool,
      clock,
      logger: silent,
      agencies: directory,
      resolver: tableResolver(records),
      queueReply: async (id) => void toSend.push(id),
      queueStamp: async () => undefined,
    });
    for (let i = 0; i < letters.length; i += 4) {
      const outcomes = await Promise.all(
        letters.slice(i, i + 4).map(({ id, at }) =>
          processInbound(
            deps(() => at),
            id,
          ),
        ),
      );
      expect(outcomes.map((o) => o.kind)).toEqual(outcomes.map(() => 'registered'));
    }
    return toSend;
  }

  const mail = (clock: () => Date): MailDeps => ({ config, pool: env.db.pool, transport, clock, logger: silent });
  const send = async (ids: number[], clock: () => Date) => {
    const results = await Promise.all(ids.map((id) => sendReply(mail(clock), id, 1)));
    expect(results).toEqual(ids.map(() => 'sent'));
  };

  const to = (address: string) => env.relay.messages.filter((m) => m.envelope.rcptTo.includes(address));
  const receiptNumber = (m: RelayedMessage) => Number(m.parsed.subject!.match(/^ได้รับหนังสือแล้ว เลขรับ (\d+)\//)?.[1] ?? NaN);

  it('sends 300 receipts for 300 letters from one authenticated agency over ten minutes; the 301st waits for the digest', async () => {
    const sender = 'saraban@moe.go.th';
    const letters = [];
    // One every two seconds: 300 in ten minutes.
    for (let n = 1; n <= 300; n++) letters.push({ id: await keep(sender, n, at(n * 2 - 2)), at: at(n * 2 - 2) });
    const toSend = await register(letters);
    expect(toSend).toHaveLength(300);
    await send(toSend, () => at(600));

    const receipts = to(sender);
    expect(receipts.map(receiptNumber).sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(receipts.every((m) => m.parsed.headers.get('x-saraban-loop') === 'example.go.th')).toBe(true);
    const { rows } = await env.db.pool.query(
      `SELECT tier, status, count(*)::int AS n FROM reply WHERE lower(recipient) = $1 GROUP BY 1, 2`,
      [sender],
    );
    expect(rows).toEqual([{ tier: 'trusted', status: 'sent', n: 300 }]);

    // Within the same ten minutes, the trusted tier's window (300) is full: the next receipt waits.
    const more = await register([{ id: await keep(sender, 301, at(599)), at: at(599) }]);
    expect(more).toEqual([]);
    const held = await env.db.pool.query(`SELECT status, withheld FROM reply WHERE lower(recipient) = $1 AND status <> 'sent'`, [sender]);
    expect(held.rows).toEqual([{ status: 'held', withheld: 'window: 300 replies in 10 minutes to a sender trusted' }]);
  });

  it('answers 500 messages from one unverified sender within its windows, and every other number in a digest at most every half hour', async () => {
    const sender = 'clerk@example-school.test';
    const start = 3600; // an hour after the ministry's morning
    const letters = [];
    // One every twelve seconds: 500 in 100 minutes.
    for (let n = 1; n <= 500; n++) letters.push({ id: await keep(sender, 1000 + n, at(start + n * 12)), at: at(start + n * 12) });

    // Minute by minute: that minute's letters registered and their receipts sent, then the
    // reconciler's tick, which plans the digests due and sends them.
    for (let minute = 0; minute <= 100 + 31; minute++) {
      const end = at(start + (minute + 1) * 60);
      const due = letters.filter((l) => l.at < end && l.at >= at(start + minute * 60));
      await send(await register(due), () => end);
      const planned = await planDueDigests(env.db.pool, end, config.replies.digestEveryMinutes, 'example.go.th');
      await send(planned, () => end);
    }

    const { rows: numbered } = await env.db.pool.query(
      `SELECT l.number, l.title FROM letter l JOIN inbound i ON i.id = l.inbound_id WHERE i.mail_from = $1 ORDER BY l.number`,
      [sender],
    );
    expect(numbered).toHaveLength(500);
    const mailed = to(sender);
    const receipts = mailed.filter((m) => /^ได้รับหนังสือแล้ว เลขรับ/.test(m.parsed.subject!));
    const digestMails = mailed.filter((m) => m.parsed.messageId?.startsWith('<digest.'));
    expect(receipts.length + digestMails.length).toBe(mailed.length);

    // Each number once: in its own receipt, or in one digest, with its subject.
    const inDigests = digestMails.flatMap((m) => [...m.parsed.text!.matchAll(/^\d+\. เลขรับ (\d+)\/\d+ \(RB\)/gm)].map((x) => Number(x[1])));
    const everyNumber = [...receipts.map(receiptNumber), ...inDigests].sort((a, b) => a - b);
    expect(everyNumber).toEqual(numbered.map((l) => l.number));
    const sample = numbered[numbered.length - 1];
    expect(digestMails.some((m) => m.parsed.text!.includes(`เลขรับ ${sample.number}/${year} (RB)`))).toBe(true);
    expect(digestMails.some((m) => m.parsed.text!.includes(`เรื่อง: ${sample.title}`))).toBe(true);

    // Receipts within the unverified tier's windows (20 in any ten minutes, 200 a day) ...
    const { rows: answered } = await env.db.pool.query(
      `SELECT created_at FROM reply WHERE lower(recipient) = $1 AND kind = 'acknowledgement' AND status = 'sent' ORDER BY created_at`,
      [sender],
    );
    const times = answered.map((r) => (r.created_at as Date).getTime());
    const windows = config.replies.unverified.windows;
    for (const { minutes, replies } of windows) {
      const busiest = Math.max(...times.map((t) => times.filter((u) => u > t - minutes * 60_000 && u <= t).length));
      expect(busiest).toBeLessThanOrEqual(replies);
    }
    expect(receipts.length).toBe(windows.find((w) => w.minutes === 1440)!.replies);
    // ... and the digests at least half an hour apart.
    const { rows: sentDigests } = await env.db.pool.query(
      `SELECT created_at FROM reply WHERE lower(recipient) = $1 AND kind = 'digest' ORDER BY created_at`,
      [sender],
    );
    const gaps = sentDigests.slice(1).map((d, i) => (d.created_at as Date).getTime() - (sentDigests[i].created_at as Date).getTime());
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(config.replies.digestEveryMinutes * 60_000);
    const { rows: waiting } = await env.db.pool.query(
      `SELECT count(*)::int AS n FROM reply WHERE lower(recipient) = $1 AND status = 'held' AND digest_id IS NULL`,
      [sender],
    );
    expect(waiting[0].n).toBe(0);
  });
});
