import { Writable } from 'node:stream';
import pino from 'pino';
import { startRoles, type Running } from '../../bin/roles';
import { normaliseSubject } from '../../letter/loop';
import { tableResolver } from '../support/dns';
import { flushPrefix, sendLetter, testConfig, useDatabaseAndRelay, waitFor, type RelayedMessage } from '../support/services';

// Mail loops on the real services: our SMTP port, the workers, a relay. On the relay's side an
// answering machine replies to whatever we send, the worst kind: a fresh Message-ID each time,
// no Auto-Submitted, no In-Reply-To, the sender's own address, our text quoted (long enough
// for a typed letter, so each answer is registered and would get a new number).

// The agency's mail is authentic (SPF pass for 127.0.0.1, DMARC published) and under .go.th:
// the trusted tier, whose windows are wide. Only the loop check can stop this.
const records = new Map<string, string[]>([
  ['moe.go.th', ['v=spf1 ip4:127.0.0.1 -all']],
  ['_dmarc.moe.go.th', ['v=DMARC1; p=quarantine']],
]);

describe('an answering machine that replies to every receipt', () => {
  const env = useDatabaseAndRelay();
  let app: Running;
  let prefix: string;
  const logged: Array<Record<string, unknown>> = [];
  const answered = new Set<RelayedMessage>();
  let answering: NodeJS.Timeout;
  // Whether the machine quotes what it answers (then its answer is long enough to be a typed letter).
  let quoting = true;

  beforeAll(async () => {
    const config = testConfig(env.db.url, { relay: { url: env.relay.url }, replies: {} });
    prefix = config.redis.prefix;
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(line: Buffer, _encoding, done) {
          logged.push(JSON.parse(line.toString()));
          done();
        },
      }),
    );
    app = await startRoles(['gateway', 'worker', 'desk'], config, logger, { resolver: tableResolver(records) });
    // The machine: each message to the agency is answered once, as it arrives.
    answering = setInterval(() => {
      for (const m of env.relay.messages) {
        if (answered.has(m) || !m.envelope.rcptTo.includes('saraban@moe.go.th')) continue;
        answered.add(m);
        void sendLetter(app.smtpPort!, {
          from: 'saraban@moe.go.th',
          subject: `Re: ${m.parsed.subject}`,
          text:
            'ขอบคุณสำหรับอีเมลของท่าน ขณะนี้ผู้รับผิดชอบไม่อยู่ที่สำนักงาน จะติดต่อกลับโดยเร็วที่สุด\n\n' +
            (quoting
              ? m.parsed
                  .text!.split('\n')
                  .map((line) => `> ${line}`)
                  .join('\n')
              : ''),
          attachments: [],
        });
      }
    }, 50);
  });
  afterAll(async () => {
    clearInterval(answering);
    await app.stop();
    await flushPrefix(prefix);
  });

  const count = async (sql: string) => (await env.db.pool.query(sql)).rows[0].n as number;

  /** Sends the letter and waits until the exchange is quiet; returns what went back and forth. */
  async function exchange(letter: { subject: string; messageId: string }) {
    const before = { relayed: env.relay.messages.length, answered: answered.size };
    const started = Date.now();
    await sendLetter(app.smtpPort!, { from: 'saraban@moe.go.th', ...letter });
    // Quiet: the loop stopped, every message decided, no reply left to send, every reply answered.
    await waitFor(
      async () =>
        (await count(
          `SELECT count(*)::int AS n FROM reply WHERE withheld LIKE 'loop:%' AND subject_key = '${normaliseSubject(letter.subject)}'`,
        )) === 1 &&
        (await count(`SELECT count(*)::int AS n FROM inbound WHERE processed_at IS NULL`)) === 0 &&
        (await count(`SELECT count(*)::int AS n FROM reply WHERE status = 'pending'`)) === 0,
      'the loop to be stopped',
    );
    const seconds = (Date.now() - started) / 1000;
    // Nothing more comes: the machine has nothing new to answer.
    await new Promise((r) => setTimeout(r, 1500));
    const ours = env.relay.messages.slice(before.relayed).filter((m) => m.envelope.rcptTo.includes('saraban@moe.go.th'));
    return { ours: ours.map((m) => m.parsed.subject), answers: answered.size - before.answered, seconds };
  }

  it('stops an exchange that registers every answer within three rounds; the third answer is registered, not answered', async () => {
    quoting = true;
    const { ours, answers, seconds } = await exchange({
      subject: 'ที่ ศธ 0206/1457 ลงวันที่ 20 พฤศจิกายน 2569 เรื่อง ขอเชิญประชุม',
      messageId: '<loop-1@moe.go.th>',
    });
    expect(ours).toEqual([
      expect.stringMatching(/^ได้รับหนังสือแล้ว เลขรับ 1\/\d+ \/ Received, registration no\. 1\/\d+: ที่ ศธ 0206\/1457/),
      expect.stringMatching(/^ได้รับหนังสือแล้ว เลขรับ 2\/\d+ \/ Received, registration no\. 2\/\d+: Re: ได้รับหนังสือแล้ว เลขรับ 1\//),
    ]);
    expect(answers).toBe(2);
    // Registration never depends on the reply rules: the letter and both answers are in the register.
    expect(await count('SELECT count(*)::int AS n FROM letter')).toBe(3);
    const { rows } = await env.db.pool.query(
      `SELECT r.status, r.withheld, r.tier FROM reply r JOIN letter l ON l.id = r.letter_id WHERE l.number = 3`,
    );
    expect(rows).toEqual([
      { status: 'suppressed', withheld: 'loop: the same subject 3 times in 60 minutes, no new letter', tier: 'trusted' },
    ]);

    // The operator sees it: in the log, in /metrics.
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 40, msg: 'mail loop stopped: this reply is not sent', replyStatus: 'suppressed', tier: 'trusted' }),
    );
    const metrics = await (await fetch(`http://127.0.0.1:${app.deskPort}/metrics`)).text();
    expect(metrics).toContain('saraban_register_totals{kind="loops_stopped"} 1');
    expect(metrics).toContain('saraban_register_totals{kind="acknowledgements_sent"} 2');
    expect(seconds).toBeLessThan(30);
  });

  it('stops an exchange of notices within three rounds: answers too short to be letters, each refused', async () => {
    quoting = false;
    const { ours, answers } = await exchange({
      subject: 'ที่ ศธ 0206/1458 ลงวันที่ 20 พฤศจิกายน 2569 เรื่อง ขอเชิญประชุมครั้งที่สอง',
      messageId: '<loop-2@moe.go.th>',
    });
    expect(ours).toEqual([
      expect.stringMatching(/^ได้รับหนังสือแล้ว เลขรับ 4\/\d+ /),
      expect.stringMatching(/^ไม่ได้ลงทะเบียนรับ: ไม่พบไฟล์หนังสือ \/ Not registered: no letter attached - Re: ได้รับหนังสือแล้ว เลขรับ 4\//),
    ]);
    expect(answers).toBe(2);
    const { rows } = await env.db.pool.query(
      `SELECT i.outcome, r.kind, r.status, r.withheld FROM inbound i JOIN reply r ON r.inbound_id = i.id WHERE r.subject_key LIKE '%ครั้งที่สอง' ORDER BY i.received_at`,
    );
    expect(rows.map((r) => [r.outcome, r.kind, r.status])).toEqual([
      ['registered', 'acknowledgement', 'sent'],
      ['refused', 'notice', 'sent'],
      ['refused', 'notice', 'suppressed'],
    ]);
  });

  it("never answers another gateway's reply, nor a letter whose sender asks for no automatic reply", async () => {
    const before = env.relay.messages.length;
    await sendLetter(app.smtpPort!, {
      from: 'saraban@moe.go.th',
      subject: 'ได้รับหนังสือแล้ว เลขรับ 7/2569 / Received, registration no. 7/2569: ที่ สป 0001/1 เรื่อง ทดสอบ',
      messageId: '<ack.x@moe.go.th>',
      headers: { 'X-Saraban-Loop': 'moe.go.th' },
    });
    await sendLetter(app.smtpPort!, {
      from: 'saraban@moe.go.th',
      subject: 'ที่ ศธ 0206/2000 เรื่อง แจ้งผลการประชุม',
      messageId: '<xars@moe.go.th>',
      headers: { 'X-Auto-Response-Suppress': 'All' },
    });
    await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM inbound WHERE processed_at IS NULL`)) === 0, 'both decided');
    const { rows } = await env.db.pool.query(
      `SELECT i.outcome, i.decision->>'reason' AS reason, r.status, r.withheld FROM inbound i LEFT JOIN reply r ON r.inbound_id = i.id
        WHERE i.decision->>'messageId' = '<ack.x@moe.go.th>' OR i.id = (SELECT inbound_id FROM letter WHERE message_id = '<xars@moe.go.th>')
        ORDER BY i.received_at`,
    );
    expect(rows).toEqual([
      { outcome: 'automatic', reason: 'gateway-loop-header', status: null, withheld: null },
      { outcome: 'registered', reason: null, status: 'suppressed', withheld: 'sender asked for none (X-Auto-Response-Suppress: All)' },
    ]);
    await new Promise((r) => setTimeout(r, 500));
    expect(env.relay.messages.length).toBe(before);
  });
});
