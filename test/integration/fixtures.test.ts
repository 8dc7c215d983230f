import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dkimSign } from 'mailauth';
import nodemailer from 'nodemailer';
import { startRoles, type Running } from '../../bin/roles';
import { buddhistYear } from '../../letter/calendar';
import { tableResolver } from '../support/dns';
import { flushPrefix, silent, testConfig, useDatabaseAndRelay, waitFor, type RelayedMessage } from '../support/services';

// Each real-shaped letter of test/fixtures through SMTP, in order, and what became of
// it: the register row, and what its sender received (acknowledgement, notice or nothing).

const FIXTURES = path.resolve(__dirname, '../fixtures');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));

// The agencies' SPF records let 127.0.0.1 (the test's sender) send for them; none publishes DMARC.
const SENDER_DOMAINS = [
  'example-esa.go.th',
  'example-district.go.th',
  'example-hospital.go.th',
  'example-pao.go.th',
  'moi.go.th',
  'example-police.go.th',
  'example-municipality.go.th',
];
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const records = new Map<string, string[]>([
  ...SENDER_DOMAINS.map((d): [string, string[]] => [d, ['v=spf1 ip4:127.0.0.1 -all']]),
  // An agency that signs its mail and publishes a strict DMARC policy, and whose SPF does not include us.
  ['moe.go.th', ['v=spf1 ip4:192.0.2.10 -all']],
  ['_dmarc.moe.go.th', ['v=DMARC1; p=reject']],
  ['s1._domainkey.moe.go.th', [`v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`]],
]);

describe('the fixture letters, sent to saraban@ one after another', () => {
  const env = useDatabaseAndRelay();
  let app: Running;
  let prefix: string;
  const year = buddhistYear(new Date());

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'saraban-agencies-'));
    const directory = path.join(dir, 'agencies.csv');
    writeFileSync(directory, 'match,name\nexample-esa.go.th,สำนักงานเขตพื้นที่การศึกษาประถมศึกษาตัวอย่าง เขต 1\nmoi.go.th,กระทรวงมหาดไทย\n');
    const config = testConfig(env.db.url, { relay: { url: env.relay.url }, letters: { agencyDirectory: directory } });
    prefix = config.redis.prefix;
    app = await startRoles(['gateway', 'worker'], config, silent, { resolver: tableResolver(records) });
  });
  afterAll(async () => {
    await app.stop();
    await flushPrefix(prefix);
  });

  /** Sends raw bytes with this envelope; resolves once the worker has decided on the message. */
  async function deliver(raw: Buffer, envelopeFrom: string) {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: app.smtpPort!, ignoreTLS: true });
    const reply = (await transport.sendMail({ envelope: { from: envelopeFrom, to: ['saraban@example.go.th'] }, raw })).response;
    transport.close();
    const inboundId = reply.match(/Kept as (\S+)/)![1];
    const row = await waitFor(async () => {
      const { rows } = await env.db.pool.query(
        'SELECT outcome, duplicate_of, decision FROM inbound WHERE id = $1 AND processed_at IS NOT NULL',
        [inboundId],
      );
      return rows[0];
    }, `a decision on ${inboundId}`);
    const letter = (await env.db.pool.query('SELECT * FROM letter WHERE inbound_id = $1', [inboundId])).rows[0];
    const reply_ = (await env.db.pool.query('SELECT * FROM reply WHERE inbound_id = $1', [inboundId])).rows[0];
    return { inboundId, outcome: row.outcome as string, duplicateOf: row.duplicate_of as number | null, letter, reply: reply_ };
  }
  const send = (name: string, envelopeFrom: string) => deliver(fixture(name), envelopeFrom);

  /** The mail our relay received in answer to this Message-ID (waits for it when one is expected). */
  async function answerTo(messageId: string): Promise<RelayedMessage> {
    return (await waitFor(() => env.relay.messages.find((m) => m.parsed.inReplyTo === messageId), `the reply to ${messageId}`))!;
  }

  let first: Awaited<ReturnType<typeof send>>;

  it('01: registers the common letter with its reference, date and title, and acknowledges it', async () => {
    first = await send('01-utf8-letter.eml', 'saraban@example-esa.go.th');
    expect(first.outcome).toBe('registered');
    expect(first.letter).toMatchObject({
      number: 1,
      year,
      reference: 'ศธ 0206/1457',
      reference_normalised: 'ศธ 0206/1457',
      circular: false,
      agency: 'สำนักงานเขตพื้นที่การศึกษาประถมศึกษาตัวอย่าง เขต 1',
      agency_source: 'directory',
      suspect: false,
    });
    expect(first.letter.letter_date.toISOString().slice(0, 10)).toBe('2026-11-20');
    expect(first.letter.title).toMatch(/^ขอความอนุเคราะห์ข้อมูลสถานศึกษา/);
    expect(first.letter.authenticity).toMatchObject({ verdict: 'authentic', spf: 'pass' });
    expect(first.letter.attachments).toEqual([
      expect.objectContaining({ filename: 'หนังสือ ศธ 0206-1457.pdf', contentType: 'application/pdf', size: 68042 }),
    ]);
    const ack = await answerTo(first.letter.message_id);
    expect(ack.envelope.rcptTo).toEqual(['saraban@example-esa.go.th']);
    expect(ack.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(ack.parsed.text).toContain(`เลขรับ: 1/${year}`);
    expect(ack.parsed.text).toContain('ที่: ศธ 0206/1457');
  });

  it('02: registers a declared TIS-620 letter with its Thai intact', async () => {
    const { outcome, letter } = await send('02-tis620-declared.eml', 'saraban@example-district.go.th');
    expect(outcome).toBe('registered');
    expect(letter.subject).toMatch(/^ที่ ตย 0318\/2290 /);
    expect(letter.from_name).toBe('ที่ว่าการอำเภอตัวอย่าง');
    expect(letter.reference_normalised).toBe('ตย 0318/2290');
    await answerTo(letter.message_id);
  });

  it('03: decodes raw 8-bit TIS-620 headers that a plain parse turns into garbage', async () => {
    const { outcome, letter } = await send('03-tis620-raw-headers.eml', 'saraban@example-hospital.go.th');
    expect(outcome).toBe('registered');
    expect(letter.subject).toBe('ที่ สธ 0032.301/915 เรื่อง ขอเชิญประชุมคณะกรรมการ');
    expect(letter.from_name).toBe('โรงพยาบาลตัวอย่าง');
    expect(letter.title).toBe('ขอเชิญประชุมคณะกรรมการ');
    await answerTo(letter.message_id);
  });

  it('04: registers the Outlook letter as most urgent, circular, reference normalised from Thai digits', async () => {
    const { outcome, letter } = await send('04-outlook-windows874-urgent.eml', 'saraban@example-pao.go.th');
    expect(outcome).toBe('registered');
    expect(letter).toMatchObject({ urgency: 'ด่วนที่สุด', reference_normalised: 'ตย 51001/ว 332', circular: true });
    await answerTo(letter.message_id);
  });

  it('05: registers the Interior circular with its date and both attachments', async () => {
    const { outcome, letter } = await send('05-circular-thai-digits.eml', 'saraban@moi.go.th');
    expect(outcome).toBe('registered');
    expect(letter).toMatchObject({ circular: true, reference_normalised: 'มท 0201.2/ว 5951', agency: 'กระทรวงมหาดไทย' });
    expect(letter.letter_date.toISOString().slice(0, 10)).toBe('2021-08-23');
    expect(letter.attachments).toHaveLength(2);
    await answerTo(letter.message_id);
  });

  it('06: does not register a message without the letter, and asks for it to be sent again with the letter attached', async () => {
    const result = await send('06-no-attachment.eml', 'saraban@example-esa.go.th');
    expect(result.outcome).toBe('refused');
    expect(result.letter).toBeUndefined();
    expect(result.reply).toMatchObject({ kind: 'notice', reason: 'no-letter-attached' });
    const notice = await answerTo('<06.7316b3d5fef9@mail.example-agency.go.th>');
    expect(notice.parsed.text).toContain('SB-NO-LETTER');
    // The file types this office's settings accept (the test settings keep the defaults).
    expect(notice.parsed.text).toContain('PDF, DOC, DOCX, ODT, RTF, JPG, JPEG, PNG, TIF, TIFF, GIF หรือ ZIP');
    expect(notice.parsed.headers.get('auto-submitted')).toBe('auto-replied');
  });

  it('07 and 13: answers neither an out-of-office reply nor a mailing list', async () => {
    const autoReply = await send('07-auto-reply.eml', 'somchai@example-esa.go.th');
    const list = await send('13-mailing-list.eml', 'news-bounces@lists.example.go.th');
    expect([autoReply.outcome, list.outcome]).toEqual(['automatic', 'automatic']);
    expect([autoReply.reply, list.reply]).toEqual([undefined, undefined]);
  });

  it('08: answers no bounce, and marks the acknowledgement it names as failed', async () => {
    // The bounce names <ack-123@example.go.th>: make that the Message-ID of the first acknowledgement.
    await env.db.pool.query(`UPDATE reply SET message_id = '<ack-123@example.go.th>' WHERE inbound_id = $1`, [first.inboundId]);
    const bounce = await send('08-bounce.eml', '');
    expect(bounce.outcome).toBe('automatic');
    expect(bounce.reply).toBeUndefined();
    const { rows } = await env.db.pool.query('SELECT status, last_error FROM reply WHERE inbound_id = $1', [first.inboundId]);
    expect(rows[0]).toMatchObject({ status: 'failed', last_error: expect.stringMatching(/^bounced: /) });
  });

  it('09: holds a ลับที่สุด letter out of the register and tells the sender to use another channel', async () => {
    const result = await send('09-top-secret.eml', 'saraban@example-police.go.th');
    expect(result.outcome).toBe('held');
    expect(result.letter).toBeUndefined();
    expect(result.reply).toMatchObject({ kind: 'notice', reason: 'top-secret' });
    const notice = await answerTo('<09.4b581cdce628@mail.example-agency.go.th>');
    expect(notice.parsed.text).toContain('SB-TOP-SECRET');
  });

  it('10 and 12: links the forwarded letter and the resent letter to the first registration, and tells the existing number', async () => {
    for (const [name, from] of [
      ['10-forwarded.eml', 'clerk@example-esa.go.th'],
      ['12-duplicate-of-01.eml', 'saraban@example-esa.go.th'],
    ]) {
      const result = await send(name, from);
      expect(result.outcome).toBe('duplicate');
      expect(result.duplicateOf).toBe(first.letter.id);
      expect(result.letter).toBeUndefined();
      expect(result.reply).toMatchObject({ kind: 'notice', reason: 'duplicate', letter_id: first.letter.id });
    }
    const duplicates = () => env.relay.messages.filter((m) => m.parsed.text?.includes('SB-DUPLICATE'));
    await waitFor(() => duplicates().length >= 2, 'the two duplicate notices');
    const notices = duplicates();
    expect(notices).toHaveLength(2);
    for (const n of notices) expect(n.parsed.text).toContain(`1/${year}`);
  });

  it('11: registers a scan-only PDF from its subject alone, with the abbreviated date', async () => {
    const { outcome, letter } = await send('11-scan-only-pdf.eml', 'saraban@example-esa.go.th');
    expect(outcome).toBe('registered');
    expect(letter.letter_date.toISOString().slice(0, 10)).toBe('2026-11-21');
    expect(letter.flags).toEqual(['pdf-no-text-layer']);
    await answerTo(letter.message_id);
  });

  it('14: registers the Outlook rich-text letter and lists winmail.dat', async () => {
    const { outcome, letter } = await send('14-winmail-dat.eml', 'saraban@example-municipality.go.th');
    expect(outcome).toBe('registered');
    expect(letter.attachments).toEqual([expect.objectContaining({ filename: 'winmail.dat', contentType: 'application/ms-tnef' })]);
    await answerTo(letter.message_id);
  });

  it('numbered the registered letters 1..7 with no gap, and sent nothing else', async () => {
    const { rows } = await env.db.pool.query('SELECT number FROM letter ORDER BY number');
    expect(rows.map((r) => r.number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // 7 acknowledgements and 4 notices (06, 09, 10, 12); nothing to 07, 08, 13.
    await waitFor(() => env.relay.messages.length >= 11, 'eleven replies');
    await new Promise((r) => setTimeout(r, 500));
    expect(env.relay.messages).toHaveLength(11);
  });

  describe('authenticity', () => {
    const letterFrom = (from: string, id: string) =>
      Buffer.from(
        [
          `From: <${from}>`,
          'To: saraban@example.go.th',
          `Message-ID: <${id}@moe.go.th>`,
          'Date: Tue, 24 Nov 2026 09:15:00 +0700',
          'Subject: =?UTF-8?B?' + Buffer.from('ที่ ศธ 0001/1 เรื่อง ทดสอบการยืนยันตัวตนผู้ส่ง').toString('base64') + '?=',
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=utf-8',
          'Content-Transfer-Encoding: 8bit',
          '',
          'เรียน ผู้อำนวยการ ' + 'หนังสือฉบับนี้พิมพ์ไว้ในเนื้อความทั้งฉบับเพื่อทดสอบ '.repeat(10),
          '',
        ].join('\r\n'),
      );

    it('acknowledges a letter that passes DMARC (DKIM-signed by the agency)', async () => {
      const message = letterFrom('saraban@moe.go.th', 'dkim-pass');
      const key = { signingDomain: 'moe.go.th', selector: 's1', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) };
      const { signatures } = await dkimSign(message, { ...key, signatureData: [key] });
      const result = await deliver(Buffer.concat([Buffer.from(signatures), message]), 'saraban@moe.go.th');
      expect(result.outcome).toBe('registered');
      expect(result.letter.authenticity).toMatchObject({ verdict: 'authentic', dmarc: 'pass' });
      expect(result.letter.suspect).toBe(false);
      await answerTo('<dkim-pass@moe.go.th>');
    });

    it('registers a forged letter (DMARC fail) as suspect and mails nobody', async () => {
      const before = env.relay.messages.length;
      const result = await deliver(letterFrom('saraban@moe.go.th', 'forged'), 'saraban@moe.go.th');
      expect(result.outcome).toBe('registered');
      expect(result.letter).toMatchObject({ suspect: true, authenticity: expect.objectContaining({ verdict: 'forged', dmarc: 'fail' }) });
      expect(result.reply).toBeUndefined();
      await new Promise((r) => setTimeout(r, 500));
      expect(env.relay.messages).toHaveLength(before);
    });
  });
});
