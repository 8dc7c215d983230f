import { docxFile } from '../../devkit/docx';
import { Writable } from 'node:stream';
import pino from 'pino';
import { readAgencyDirectory } from '../../config/load';
import { parseAgencyDirectory } from '../../letter/agencies';
import { recordNotRegistered, registerLetter } from '../../registry/letters';
import { processInbound, type LetterDeps } from '../../worker/letters';
import { keepMessage, replyRules, samplePdf, testConfig, useTestDatabase } from '../support/services';

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
    return { config, pool: env.db.pool, clock, logger, agencies: directory, queueReply: async () => undefined, queueStamp: async () => undefined };
  }

  const keep = (raw: string) => keepMessage(env.db.pool, raw);

  /** Keeps the message (from this envelope sender), runs the letters job on it now, and returns what it decided and the letter's row. */
  async function runJob(raw: string, mailFrom?: string) {
    const id = await keepMessage(env.db.pool, raw, 'RB', mailFrom);
    const outcome = await processInbound(
      deps(() => new Date()),
      id,
    );
    const { rows } = await env.db.pool.query('SELECT * FROM letter WHERE inbound_id = $1', [id]);
    return { id, outcome, row: rows[0] as Record<string, unknown> | undefined };
  }

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
    const { outcome, row } = await runJob(letter('=?UTF-16BE?B?DkDYPQBB?=', '<half@moe.go.th>'));
    expect(outcome.kind).toBe('registered');
    expect(row!.subject).toBe('เ\uFFFDA');
  });

  it.each([
    ['half of a UTF-16 pair', 'ลับที่สุด \ud83d', 'ลับที่สุด \uFFFD'],
    ['a NUL', 'ลับที่สุด a\u0000b', 'ลับที่สุด a\uFFFDb'],
  ])('records a held message whose decision holds %s, replaced', async (what, subject, stored) => {
    const id = await keep(letter('x', `<held-${what.length}@moe.go.th>`));
    await recordNotRegistered(
      env.db.pool,
      {
        inboundId: id,
        outcome: 'held',
        decision: { reason: 'top-secret', subject },
        reply: null,
        replyLimits: replyRules(),
      },
      () => new Date(),
    );
    const { rows } = await env.db.pool.query('SELECT outcome, decision FROM inbound WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ outcome: 'held', decision: { reason: 'top-secret', subject: stored } });
  });

  // A NUL cannot be stored in PostgreSQL's text or jsonb; an encoded word can decode to one.
  it('registers a letter whose subject and sender name decode to a NUL, the NUL replaced', async () => {
    const raw = letter('=?utf-8?B?YQBi?=', '<nul@moe.go.th>').replace(
      'From: saraban@moe.go.th',
      'From: =?utf-8?B?YQBi?= <saraban@moe.go.th>',
    );
    const { outcome, row } = await runJob(raw);
    expect(outcome.kind).toBe('registered');
    expect({ subject: row!.subject, from_name: row!.from_name }).toEqual({ subject: 'a\uFFFDb', from_name: 'a\uFFFDb' });
  });

  it('takes a bounce whose delivery status holds a NUL as automatic mail', async () => {
    const raw = [
      'From: MAILER-DAEMON@moe.go.th',
      'To: saraban@example.go.th',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <bounce-nul@moe.go.th>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--b',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.moe.go.th',
      '',
      'Final-Recipient: rfc822; clerk@moe.go.th',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 no\u0000such user',
      '--b',
      'Content-Type: text/rfc822-headers',
      '',
      'Message-ID: <ack.00000000-0000-4000-8000-000000000000@example.go.th>',
      '--b--',
      '',
    ].join('\r\n');
    const { outcome } = await runJob(raw);
    expect(outcome).toMatchObject({ kind: 'automatic' });
  });

  it('keeps automatic mail aside, unanswered, whatever else is true of it: ลับที่สุด and no letter attached', async () => {
    const raw = [
      'From: saraban@moe.go.th',
      'To: saraban@example.go.th',
      'Subject: ลับที่สุด ไม่อยู่ที่สำนักงาน',
      'Message-ID: <auto-secret@moe.go.th>',
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'ไม่อยู่',
      '',
    ].join('\n');
    const { id, outcome, row } = await runJob(raw);
    expect(outcome).toEqual({ kind: 'automatic', reason: 'auto-submitted' });
    expect(row).toBeUndefined();
    const { rows } = await env.db.pool.query('SELECT count(*)::int AS n FROM reply WHERE inbound_id = $1', [id]);
    expect(rows[0].n).toBe(0);
  });

  it('registers a letter whose Message-ID is longer than a line may be without one', async () => {
    const long = `<${'x'.repeat(6000)}@moe.go.th>`;
    const { outcome, row } = await runJob(letter('long id', long));
    expect(outcome.kind).toBe('registered');
    expect({ message_id: row!.message_id, reference: row!.reference }).toEqual({ message_id: null, reference: 'ศธ 0206/999' });
  });

  it("passes over a reference thousands of characters long and takes the letter's own", async () => {
    const raw = letter('long reference', '<long-ref@moe.go.th>').replace('ที่ ศธ 0206/999', `ที่ ศธ 0206${'.1'.repeat(2500)}/1 ที่ ศธ 0206/999`);
    const { outcome, row } = await runJob(raw);
    expect(outcome.kind).toBe('registered');
    expect(row!.reference).toBe('ศธ 0206/999');
  });

  it('registers a letter whose envelope sender is too long to be an address, and plans no reply to it', async () => {
    // An IMAP mailbox's Return-Path reaches us unchecked by any SMTP server.
    const sender = `${'x'.repeat(6000)}@moe.go.th`;
    const { id, outcome } = await runJob(letter('long sender', '<long-sender@moe.go.th>'), sender);
    expect(outcome.kind).toBe('registered');
    const { rows } = await env.db.pool.query('SELECT count(*)::int AS n FROM reply WHERE inbound_id = $1', [id]);
    expect(rows[0].n).toBe(0);
    expect(logged.find((l) => l.level === 40 && l.inboundId === id)).toMatchObject({ senderBytes: 6010 });
  });

  /** A message of more parts than mailparser reads (1,000): it refuses to parse it. */
  const unparseable = (messageId: string) =>
    [
      'From: saraban@moe.go.th',
      'To: saraban@example.go.th',
      'Subject: ที่ ศธ 0206/1 เรื่อง ขอเชิญประชุม',
      `Message-ID: ${messageId}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      ...Array.from({ length: 1100 }, (_, i) => `--b\n\npart ${i}`),
      '--b--',
      '',
    ].join('\n');

  it('refuses a message mailparser cannot parse, and its decision and the log say why', async () => {
    const { id, outcome } = await runJob(unparseable('<many-parts@moe.go.th>'));
    expect(outcome).toEqual({ kind: 'refused', reason: 'no-letter-attached' });
    const { rows } = await env.db.pool.query('SELECT decision FROM inbound WHERE id = $1', [id]);
    const problems = [{ kind: 'unparseable-message', detail: 'Max allowed child nodes exceeded' }];
    expect(rows[0].decision.problems).toEqual(problems);
    expect(logged.find((l) => l.level === 40 && l.inboundId === id)).toMatchObject({ problems, msg: 'message read with problems' });
  });

  it('registers the cover note of a forward it cannot read, and flags the letter with the problem', async () => {
    const inner = Buffer.from(unparseable('<inner@moe.go.th>')).toString('base64').replace(/.{76}/g, '$&\n');
    const raw = letter('Fwd: ขอเชิญประชุม', '<cover@moe.go.th>')
      .replace(
        'Content-Type: text/plain; charset=utf-8\n\n',
        'Content-Type: multipart/mixed; boundary="outer"\n\n--outer\nContent-Type: text/plain; charset=utf-8\n\n',
      )
      .concat(`--outer\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n${inner}\n--outer--\n`);
    const { id, outcome, row } = await runJob(raw);
    expect(outcome.kind).toBe('registered');
    // The cover note has a reference but no date: a clerk completes it.
    expect(row!.flags).toEqual(['unreadable-forwarded-message', 'to-complete']);
    expect(logged.find((l) => l.level === 40 && l.inboundId === id)).toMatchObject({
      problems: [{ kind: 'unreadable-forwarded-message', detail: 'Max allowed child nodes exceeded' }],
    });
  });

  it('reads the reference, date and title of a letter sent as a Word (.docx) file, as it would from a PDF', async () => {
    const docx = await docxFile([
      'ที่ ศธ ๐๔๐๐๒/ว๑๒๓',
      'กระทรวงศึกษาธิการ',
      '๕ มกราคม ๒๕๗๐',
      'เรื่อง ขอความอนุเคราะห์ข้อมูลสถานศึกษา',
      'เรียน ผู้ว่าราชการจังหวัด',
      'ด้วยกระทรวงศึกษาธิการมีความประสงค์จะขอข้อมูล จึงเรียนมาเพื่อโปรดพิจารณา',
    ]);
    const raw = [
      'From: saraban@moe.go.th',
      'To: saraban@example.go.th',
      'Subject: ส่งหนังสือ',
      'Message-ID: <word-letter@moe.go.th>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'ส่งหนังสือตามแนบ',
      '--b',
      'Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document; name="letter.docx"',
      'Content-Disposition: attachment; filename="letter.docx"',
      'Content-Transfer-Encoding: base64',
      '',
      docx.toString('base64').replace(/.{76}/g, '$&\n'),
      '--b--',
      '',
    ].join('\n');
    const { outcome, row } = await runJob(raw);
    expect(outcome.kind).toBe('registered');
    expect(row).toMatchObject({
      reference_normalised: 'ศธ 04002/ว 123',
      title: 'ขอความอนุเคราะห์ข้อมูลสถานศึกษา',
      flags: [],
    });
    expect((row!.letter_date as Date).toISOString().slice(0, 10)).toBe('2027-01-05');
  });

  describe('a message that answers one of our replies', () => {
    const answer = (inReplyTo: string, messageId: string, extra: { pdf?: boolean } = {}) =>
      [
        'From: clerk@moe.go.th',
        'To: saraban@example.go.th',
        'Subject: Re: ได้รับหนังสือของท่านแล้ว',
        `Message-ID: ${messageId}`,
        `In-Reply-To: ${inReplyTo}`,
        `References: <first@moe.go.th> ${inReplyTo}`,
        'MIME-Version: 1.0',
        ...(extra.pdf
          ? [
              'Content-Type: multipart/mixed; boundary="b"',
              '',
              '--b',
              'Content-Type: text/plain; charset=utf-8',
              '',
              'ส่งฉบับแก้ไขตามแนบ',
              '--b',
              'Content-Type: application/pdf; name="letter.pdf"',
              'Content-Transfer-Encoding: base64',
              '',
              samplePdf('ที่ ศธ 0206/1 ลงวันที่ 1 ธันวาคม 2569').toString('base64'),
              '--b--',
            ]
          : ['Content-Type: text/plain; charset=utf-8', '', 'ได้รับแล้ว ขอบคุณครับ', '', 'เมื่อ 7 ธ.ค. 2569 saraban@example.go.th เขียนว่า:', '> หนังสือของท่านได้ลงทะเบียนรับแล้ว']),
        '',
      ].join('\n');

    async function ourReplyTo(inboundId: string) {
      const { rows } = await env.db.pool.query('SELECT message_id, letter_id FROM reply WHERE inbound_id = $1', [inboundId]);
      return rows[0] as { message_id: string; letter_id: number | null };
    }

    it('is correspondence about the letter when it carries no document: kept, linked, never numbered, never answered', async () => {
      const first = await runJob(letter('ขอเชิญประชุม', '<first@moe.go.th>'));
      expect(first.outcome.kind).toBe('registered');
      const ack = await ourReplyTo(first.id);
      const letters = (await env.db.pool.query('SELECT count(*)::integer AS n FROM letter')).rows[0].n;

      const { id, outcome, row } = await runJob(answer(ack.message_id, '<thanks@moe.go.th>'));
      expect(outcome).toEqual({ kind: 'correspondence', letterId: first.row!.id });
      expect(row).toBeUndefined();
      expect((await env.db.pool.query('SELECT count(*)::integer AS n FROM letter')).rows[0].n).toBe(letters);
      const { rows } = await env.db.pool.query('SELECT outcome, about_letter_id, decision FROM inbound WHERE id = $1', [id]);
      expect(rows[0]).toMatchObject({ outcome: 'correspondence', about_letter_id: first.row!.id, decision: { excerpt: 'ได้รับแล้ว ขอบคุณครับ' } });
      expect((await env.db.pool.query('SELECT count(*)::integer AS n FROM reply WHERE inbound_id = $1', [id])).rows[0].n).toBe(0);
      // In the letter's history, where its officers see it.
      const history = await env.db.pool.query(`SELECT action FROM audit_event WHERE letter_id = $1 ORDER BY seq`, [first.row!.id]);
      expect(history.rows.map((r) => r.action)).toContain('inbound.correspondence');
    });

    it('is a letter like any other when it carries a document', async () => {
      const first = await runJob(letter('ขอเชิญประชุมครั้งที่สอง', '<first-2@moe.go.th>'));
      const ack = await ourReplyTo(first.id);
      const { outcome } = await runJob(answer(ack.message_id, '<corrected@moe.go.th>', { pdf: true }));
      expect(outcome.kind).toBe('registered');
    });

    it('answering a notice about a message never registered is kept, linked to no letter, and not answered', async () => {
      const refused = await runJob(
        ['From: clerk@moe.go.th', 'To: saraban@example.go.th', 'Subject: ส่งหนังสือ', 'Message-ID: <bare@moe.go.th>', '', 'ตามแนบ', ''].join('\n'),
      );
      expect(refused.outcome.kind).toBe('refused');
      const notice = await ourReplyTo(refused.id);
      expect(notice.letter_id).toBeNull();
      const { outcome } = await runJob(answer(notice.message_id, '<sorry@moe.go.th>'));
      expect(outcome).toEqual({ kind: 'correspondence', letterId: null });
    });

    it('is not correspondence when what it answers is not ours', async () => {
      const { outcome } = await runJob(answer('<someone-else@moe.go.th>', '<not-ours@moe.go.th>'));
      expect(outcome.kind).toBe('refused');
    });
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
        replyLimits: replyRules(),
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
