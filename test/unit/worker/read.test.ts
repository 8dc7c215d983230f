import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { simpleParser } from 'mailparser';
import { repairMessage } from '../../../letter/charset';
import { readMessage } from '../../../worker/read';
import { onePagePdf } from '../../support/pdf';

// The real-shaped letters; test/fixtures/README.md says what each one is.
const FIXTURES = path.resolve(__dirname, '../../fixtures');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));
const read = (name: string) => readMessage(fixture(name), 'envelope@example.org');

// The PDF letter the fixtures carry (01, 02, 03, 04, 05, 09, 10, 12) and its hash.
const LETTER_PDF = {
  contentType: 'application/pdf',
  size: 68042,
  sha256: '29d4204e5b46b7bd0a82efce1e093d8dc1cab5d407fc43769f098902802f0617',
};
const LETTER_01 = {
  messageId: '<01.ddfe163345d3@mail.example-agency.go.th>',
  fromAddress: 'saraban@example-esa.go.th',
  fromName: 'สพป.ตัวอย่าง เขต 1',
  subject: 'ที่ ศธ 0206/1457 ลงวันที่ 20 พฤศจิกายน 2569 เรื่อง ขอความอนุเคราะห์ข้อมูลสถานศึกษาในพื้นที่',
  attachments: [{ filename: 'หนังสือ ศธ 0206-1457.pdf', ...LETTER_PDF }],
};
const NO_REPORT = { deliveryStatus: null, originalMessageId: null };
const TEXT_PDF = { present: true, textLayer: true, encrypted: false, unreadable: false };
const NO_PDF = { present: false, textLayer: false, encrypted: false, unreadable: false };
const SENT = new Date('2026-11-24T02:15:00Z');
const CRLF = Buffer.from('\r\n');

describe('reading the real-shaped letters', () => {
  it('reads 01: UTF-8 encoded words, a PDF with an RFC 2231 Thai name and its first page', async () => {
    const r = await read('01-utf8-letter.eml');
    expect(r.details).toEqual(LETTER_01);
    expect(r.date).toEqual(SENT);
    expect(r.text.subject).toBe(LETTER_01.subject);
    expect(r.text.body).toBe('เรียน ผู้ว่าราชการจังหวัดตัวอย่าง\nส่งหนังสือตามไฟล์แนบ จำนวน 1 ฉบับ\nงานสารบรรณ โทร 0 2123 4567');
    expect(r.pdf).toEqual(TEXT_PDF);
    expect(r.text.firstPage).toContain('ศธ 0206/1457');
    expect(r.text.firstPage).toContain('เรื่อง ขอความอนุเคราะห์ข้อมูลสถานศึกษาในพื้นที่');
    expect(r.forwardedBy).toBeNull();
    expect(r.report).toEqual(NO_REPORT);
    expect(r.headers).toEqual({ 'content-type': 'multipart/mixed; boundary="b0undary-saraban-1"' });
  });

  it('reads 02: a declared TIS-620 subject, sender name and body', async () => {
    const r = await read('02-tis620-declared.eml');
    expect(r.details).toEqual({
      messageId: '<02.bcac9d1d8eab@mail.example-agency.go.th>',
      fromAddress: 'saraban@example-district.go.th',
      fromName: 'ที่ว่าการอำเภอตัวอย่าง',
      subject: 'ที่ ตย 0318/2290 ลงวันที่ 18 พฤศจิกายน 2569 เรื่อง รายงานผลการดำเนินงาน',
      attachments: [{ filename: 'รายงาน.pdf', ...LETTER_PDF }],
    });
    expect(r.text.body).toBe('เรียน ผู้ว่าราชการจังหวัดตัวอย่าง\nขอส่งรายงานตามเอกสารแนบ');
    expect(r.pdf).toEqual(TEXT_PDF);
  });

  it('reads 03: raw 8-bit TIS-620 in Subject and From and a body with no charset', async () => {
    const raw = fixture('03-tis620-raw-headers.eml');
    const before = createHash('sha256').update(raw).digest('hex');
    const r = await readMessage(raw, 'envelope@example.org');
    expect(r.details).toEqual({
      messageId: '<03.3ea6c91e241f@mail.example-agency.go.th>',
      fromAddress: 'saraban@example-hospital.go.th',
      fromName: 'โรงพยาบาลตัวอย่าง',
      subject: 'ที่ สธ 0032.301/915 เรื่อง ขอเชิญประชุมคณะกรรมการ',
      attachments: [{ filename: 'เชิญประชุม.pdf', ...LETTER_PDF }],
    });
    expect(r.text.body).toBe('เรียน ผู้ว่าราชการจังหวัด\nขอเชิญประชุมตามหนังสือแนบ');
    // Only the parser's copy is repaired: the message as received stays byte for byte.
    expect(createHash('sha256').update(raw).digest('hex')).toBe(before);
  });

  it('reads 04: Outlook windows-874 encoded words, an HTML alternative and an RFC 2047 file name', async () => {
    const r = await read('04-outlook-windows874-urgent.eml');
    expect(r.details).toEqual({
      messageId: '<04.798f861ee74f@mail.example-agency.go.th>',
      fromAddress: 'saraban@example-pao.go.th',
      fromName: 'องค์การบริหารส่วนจังหวัดตัวอย่าง',
      subject: 'ด่วนที่สุด ที่ ตย ๕๑๐๐๑/ว ๓๓๒ ลงวันที่ ๒๓ พฤศจิกายน ๒๕๖๙ เรื่อง ขอเชิญประชุมด่วน',
      attachments: [{ filename: 'หนังสือเชิญประชุม ด่วนที่สุด.pdf', ...LETTER_PDF }],
    });
    expect(r.text.body).toBe('เรียน ผู้ว่าราชการจังหวัดตัวอย่าง\nด่วนที่สุด ส่งหนังสือตามแนบ');
    expect(r.pdf).toEqual(TEXT_PDF);
  });

  it('reads 05: the circular with Thai digits and both of its attachments', async () => {
    const r = await read('05-circular-thai-digits.eml');
    expect(r.details).toEqual({
      messageId: '<05.28a5c2818590@mail.example-agency.go.th>',
      fromAddress: 'saraban@moi.go.th',
      fromName: 'สำนักงานปลัดกระทรวงมหาดไทย',
      subject: 'ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑ ลงวันที่ ๒๓ สิงหาคม ๒๕๖๔ เรื่อง การกำหนดที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลางของส่วนราชการ',
      attachments: [
        { filename: 'มท0201.2ว5951.pdf', ...LETTER_PDF },
        {
          filename: 'แบบรายงาน.docx',
          contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
          size: 34,
          sha256: '0b6f5a9a96e873e8429cc21db012af89f2d744fe1fff7ca8c8e9e8420110c522',
        },
      ],
    });
    expect(r.pdf).toEqual(TEXT_PDF);
  });

  it('reads 06: a message without attachments, so without a PDF', async () => {
    const r = await read('06-no-attachment.eml');
    expect(r.details).toEqual({
      messageId: '<06.7316b3d5fef9@mail.example-agency.go.th>',
      fromAddress: 'saraban@example-esa.go.th',
      fromName: null,
      subject: 'ส่งหนังสือราชการ',
      attachments: [],
    });
    expect(r.text).toEqual({ subject: 'ส่งหนังสือราชการ', body: 'ส่งหนังสือตามไฟล์แนบครับ', firstPage: null });
    expect(r.pdf).toEqual(NO_PDF);
  });

  it('reads 07: the marks of an out-of-office reply', async () => {
    const r = await read('07-auto-reply.eml');
    expect(r.headers).toEqual({
      'auto-submitted': 'auto-replied',
      'x-auto-response-suppress': 'All',
      'content-type': 'text/plain; charset=UTF-8',
      // Kept to find a person's answer to one of our replies (an auto-reply is set aside before that).
      'in-reply-to': '<ack-123@example.go.th>',
    });
    expect(r.details.subject).toBe('ตอบกลับอัตโนมัติ: ไม่อยู่ที่สำนักงาน');
    expect(r.details.fromAddress).toBe('somchai@example-esa.go.th');
  });

  it('reads 08: a bounce as a delivery-status report naming our acknowledgement', async () => {
    const r = await readMessage(fixture('08-bounce.eml'), null);
    expect(r.headers['content-type']).toBe('multipart/report; report-type=delivery-status; boundary="report-boundary"');
    expect(r.headers['auto-submitted']).toBe('auto-replied');
    expect(r.details.fromAddress).toBe('mailer-daemon@mx.example-esa.go.th');
    expect(r.details.fromName).toBe('Mail Delivery System');
    expect(r.report).toEqual({
      deliveryStatus:
        'Reporting-MTA: dns; mx.example-esa.go.th\n\nFinal-Recipient: rfc822; nobody@example-esa.go.th\n' +
        'Action: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown',
      originalMessageId: '<ack-123@example.go.th>',
    });
  });

  it('reads 09: a top-secret letter like any other (the decision is made later)', async () => {
    const r = await read('09-top-secret.eml');
    expect(r.details.subject).toBe('ลับที่สุด ที่ ตช 0011.23/77 เรื่อง แผนการรักษาความปลอดภัย');
    expect(r.details.attachments).toEqual([{ filename: 'ลับที่สุด.pdf', ...LETTER_PDF }]);
    expect(r.pdf).toEqual(TEXT_PDF);
  });

  it('reads 10: the forwarded letter inside, and who forwarded it', async () => {
    const r = await read('10-forwarded.eml');
    expect(r.details).toEqual(LETTER_01);
    expect(r.date).toEqual(SENT);
    expect(r.forwardedBy).toEqual({
      address: 'clerk@example-esa.go.th',
      name: null,
      subject: 'Fwd: ที่ ศธ 0206/1457 เรื่อง ขอความอนุเคราะห์ข้อมูลสถานศึกษาในพื้นที่',
    });
    expect(r.text.body).toBe('เรียน ผู้ว่าราชการจังหวัดตัวอย่าง\nส่งหนังสือตามไฟล์แนบ จำนวน 1 ฉบับ\nงานสารบรรณ โทร 0 2123 4567');
    expect(r.pdf).toEqual(TEXT_PDF);
    expect(r.text.firstPage).toContain('ศธ 0206/1457');
    expect(r.headers).toEqual({ 'content-type': 'multipart/mixed; boundary="b0undary-saraban-1"' });
  });

  it('reads 11: a scanned PDF as present but without a text layer', async () => {
    const r = await read('11-scan-only-pdf.eml');
    expect(r.details.subject).toBe('ที่ ศธ 0206/1460 ลว. 21 พ.ย. 69 เรื่อง แจ้งกำหนดการตรวจเยี่ยม');
    expect(r.details.attachments).toEqual([
      {
        filename: 'scan0001.pdf',
        contentType: 'application/pdf',
        size: 67493,
        sha256: '1b490a2ee8fb35280f0b3f50fa5b3ef3fb71aa8b67122c87de656d15bd4779ce',
      },
    ]);
    expect(r.pdf).toEqual({ present: true, textLayer: false, encrypted: false, unreadable: false });
    expect(r.text.firstPage).toBeNull();
  });

  it('reads 12: the same letter as 01, with the same Message-ID', async () => {
    const r = await read('12-duplicate-of-01.eml');
    expect(r.details).toEqual(LETTER_01);
  });

  it('reads 13: the marks of a mailing list', async () => {
    const r = await read('13-mailing-list.eml');
    expect(r.headers).toEqual({
      'list-id': '<news.lists.example.go.th>',
      'list-unsubscribe': '<mailto:news-leave@lists.example.go.th>',
      precedence: 'list',
      'content-type': 'text/plain; charset=UTF-8',
    });
    expect(r.details.subject).toBe('จดหมายข่าวประจำเดือน');
  });

  it('reads 14: winmail.dat as an attachment received', async () => {
    const r = await read('14-winmail-dat.eml');
    expect(r.details.subject).toBe('ที่ ตย 52001/1120 เรื่อง ขอรับการสนับสนุนงบประมาณ');
    expect(r.details.attachments).toEqual([
      {
        filename: 'winmail.dat',
        contentType: 'application/ms-tnef',
        size: 204,
        sha256: '482f517a33e6625edf44047df4d4b8487366471f9e066a552b96c784bc4dcf82',
      },
    ]);
    expect(r.pdf).toEqual(NO_PDF);
  });
});

/** A message with the tests' From and Message-ID unless headers name others; parts are [headers, body] pairs of a multipart/mixed. */
function message(headers: (string | Buffer)[], parts?: [string[], string | Buffer][]): Buffer {
  const defaults = ['From: "Clerk" <clerk@example.go.th>', 'Message-ID: <t@example.go.th>'].filter(
    (d) =>
      !headers.some((h) =>
        h
          .toString()
          .toLowerCase()
          .startsWith(d.slice(0, d.indexOf(':') + 1).toLowerCase()),
      ),
  );
  const top = [...defaults, 'To: saraban@example.go.th', ...headers].map((h) => Buffer.concat([Buffer.from(h), CRLF]));
  if (!parts) return Buffer.concat([...top, Buffer.from('\r\nbody\r\n')]);
  const chunks: Buffer[] = [...top, Buffer.from(['MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '', ''].join('\r\n'))];
  for (const [h, body] of parts) chunks.push(Buffer.from(['--b', ...h, '', ''].join('\r\n')), Buffer.from(body), Buffer.from('\r\n'));
  chunks.push(Buffer.from('--b--\r\n'));
  return Buffer.concat(chunks);
}

function pdfPart(pdf: Buffer, filename = 'letter.pdf'): [string[], string] {
  const headers = [
    'Content-Type: application/pdf',
    'Content-Transfer-Encoding: base64',
    `Content-Disposition: attachment; filename="${filename}"`,
  ];
  return [headers, pdf.toString('base64').replace(/.{76}/g, '$&\r\n')];
}

describe('reading the PDF letter', () => {
  it('reads the first page of a PDF with a text layer', async () => {
    const r = await readMessage(message(['Subject: t'], [[['Content-Type: text/plain'], 'see file'], pdfPart(onePagePdf('Hello'))]), null);
    expect(r.pdf).toEqual(TEXT_PDF);
    expect(r.text.firstPage).toBe('Hello');
  });

  it('flags a PDF that needs a password as encrypted', async () => {
    const r = await readMessage(message(['Subject: t'], [pdfPart(onePagePdf('Hello', { encrypted: true }))]), null);
    expect(r.pdf).toEqual({ present: true, textLayer: false, encrypted: true, unreadable: false });
    expect(r.text.firstPage).toBeNull();
    expect(r.details.attachments).toHaveLength(1);
  });

  it('flags a .pdf file that is not a PDF as unreadable, and still lists it', async () => {
    const r = await readMessage(message(['Subject: t'], [pdfPart(Buffer.from('this is not a PDF at all'), 'หนังสือ.pdf')]), null);
    expect(r.pdf).toEqual({ present: true, textLayer: false, encrypted: false, unreadable: true });
    expect(r.details.attachments.map((a) => a.filename)).toEqual(['หนังสือ.pdf']);
  });

  it('recognises a PDF by its .pdf name when it is sent as application/octet-stream', async () => {
    const [headers, body] = pdfPart(onePagePdf('Hello'));
    headers[0] = 'Content-Type: application/octet-stream; name="letter.pdf"';
    const r = await readMessage(message(['Subject: t'], [[headers, body]]), null);
    expect(r.pdf.textLayer).toBe(true);
  });
});

describe('reading mail as it really arrives', () => {
  it('decodes subjects and bodies declared as ISO-8859-11, TIS-620 and x-windows-874', async () => {
    for (const charset of ['ISO-8859-11', 'TIS-620', 'x-windows-874', 'tis620-2533']) {
      const thai = iconv.encode('ที่ ศธ ๐๒๐๖ เรื่อง ทดสอบ', 'windows-874');
      const raw = Buffer.concat([
        Buffer.from(`Subject: =?${charset}?B?${thai.toString('base64')}?=\r\nContent-Type: text/plain; charset="${charset}"\r\n`),
        Buffer.from('Content-Transfer-Encoding: 8bit\r\n\r\n'),
        thai,
      ]);
      const r = await readMessage(raw, 'clerk@example.go.th');
      expect([charset, r.details.subject, r.text.body]).toEqual([charset, 'ที่ ศธ ๐๒๐๖ เรื่อง ทดสอบ', 'ที่ ศธ ๐๒๐๖ เรื่อง ทดสอบ']);
    }
  });

  it('reads a single-part message with raw TIS-620 headers and body and no Content-Type at all', async () => {
    const raw = iconv.encode('From: กองคลัง <finance@example.go.th>\r\nSubject: ขอส่งรายงาน\r\n\r\nเรียน ผู้ว่าราชการจังหวัด\r\n', 'windows-874');
    const r = await readMessage(raw, null);
    expect(r.details.fromName).toBe('กองคลัง');
    expect(r.details.subject).toBe('ขอส่งรายงาน');
    expect(r.text.body).toBe('เรียน ผู้ว่าราชการจังหวัด');
  });

  it('derives the body text from HTML when the message has no plain-text part', async () => {
    const html = '<html><head><style>p{color:red}</style></head><body><p>เรียน ผู้ว่าราชการจังหวัด</p><p>ส่งหนังสือ &amp; เอกสาร</p></body></html>';
    const raw = message(['Subject: t', 'Content-Type: text/html; charset=UTF-8']).toString().replace('body', html);
    const r = await readMessage(Buffer.from(raw), null);
    expect(r.text.body).toContain('เรียน ผู้ว่าราชการจังหวัด');
    expect(r.text.body).toContain('ส่งหนังสือ & เอกสาร');
    expect(r.text.body).not.toContain('<');
  });

  it('gives no date when the Date header is missing or unreadable, rather than inventing one', async () => {
    expect((await readMessage(message(['Subject: t']), null)).date).toBeNull();
    expect((await readMessage(message(['Subject: t', 'Date: someday']), null)).date).toBeNull();
    expect((await readMessage(message(['Subject: t', 'Date: Fri, 20 Nov 2026 08:05:00 +0700 (ICT)']), null)).date).toEqual(
      new Date('2026-11-20T01:05:00Z'),
    );
  });

  it('keeps the vendor auto-reply marks among the headers', async () => {
    const r = await readMessage(
      message(['Subject: t', 'X-Autoreply: yes', 'X-Autorespond: vacation', 'Precedence: bulk']),
      'a@example.go.th',
    );
    expect(r.headers).toEqual({ 'x-autoreply': 'yes', 'x-autorespond': 'vacation', precedence: 'bulk' });
  });

  it('lists every Authentication-Results header, topmost first and unfolded', async () => {
    const raw = message([
      'Authentication-Results: mx.example.go.th;\r\n\tspf=pass smtp.mailfrom=moe.go.th;\r\n\tdkim=pass header.d=moe.go.th',
      'Authentication-Results: forged.example; dmarc=pass',
      'Subject: t',
    ]);
    expect((await readMessage(raw, null)).authenticationResults).toEqual([
      'mx.example.go.th; spf=pass smtp.mailfrom=moe.go.th; dkim=pass header.d=moe.go.th',
      'forged.example; dmarc=pass',
    ]);
    expect((await read('10-forwarded.eml')).authenticationResults).toEqual([]);
  });

  it('reads a message that attaches another message next to its own PDF as a letter with an enclosure', async () => {
    const inner = message(['Subject: the old letter', 'Date: Fri, 20 Nov 2026 08:05:00 +0700']);
    const raw = message(
      ['Subject: ที่ ศธ 1/2569 เรื่อง ใหม่'],
      [pdfPart(onePagePdf('Hello')), [['Content-Type: message/rfc822', 'Content-Disposition: attachment; filename="old.eml"'], inner]],
    );
    const r = await readMessage(raw, null);
    expect(r.forwardedBy).toBeNull();
    expect(r.details.subject).toBe('ที่ ศธ 1/2569 เรื่อง ใหม่');
    expect(r.details.attachments.map((a) => [a.filename, a.contentType, a.size])).toEqual([
      ['letter.pdf', 'application/pdf', onePagePdf('Hello').length],
      ['old.eml', 'message/rfc822', inner.length],
    ]);
  });

  it('follows a forward of a forward to a letter with raw TIS-620 headers, and names the last forwarder', async () => {
    const headers = [
      iconv.encode('From: กองคลัง <finance@example.go.th>', 'windows-874'),
      iconv.encode('Subject: ที่ ศธ 5/2569', 'windows-874'),
    ];
    const letter = message(headers, [pdfPart(onePagePdf('Hello'))]).toString('latin1');
    const forward = (raw: string, by: string) =>
      message(
        [`Subject: Fwd from ${by}`],
        [
          [['Content-Type: text/plain'], 'ส่งต่อ'],
          [['Content-Type: message/rfc822'], Buffer.from(raw, 'latin1')],
        ],
      ).toString('latin1');
    const r = await readMessage(Buffer.from(forward(forward(letter, 'first'), 'second'), 'latin1'), null);
    expect(r.details.subject).toBe('ที่ ศธ 5/2569');
    expect(r.details.fromName).toBe('กองคลัง');
    expect(r.details.attachments.map((a) => a.filename)).toEqual(['letter.pdf']);
    expect(r.forwardedBy?.subject).toBe('Fwd from second');
    expect(r.pdf.textLayer).toBe(true);
  });

  it('reads a bounce that returns our whole message as a report, not as a forwarded letter', async () => {
    const ours = message(['Message-ID: <ack.42@example.go.th>', 'Subject: ได้รับหนังสือแล้ว']);
    const raw = message(
      ['Content-Type: multipart/report; report-type=delivery-status; boundary="r"'],
      [
        [['Content-Type: message/delivery-status'], 'Reporting-MTA: dns; mx.example.org\r\n\r\nAction: failed\r\nStatus: 5.1.1'],
        [['Content-Type: message/rfc822', 'Content-Transfer-Encoding: base64'], ours.toString('base64')],
      ],
    )
      .toString('latin1')
      .replace('Content-Type: multipart/mixed; boundary="b"\r\n', '')
      .replace(/^--b/gm, '--r');
    const r = await readMessage(Buffer.from(raw, 'latin1'), null);
    expect(r.forwardedBy).toBeNull();
    expect(r.report).toEqual({
      deliveryStatus: 'Reporting-MTA: dns; mx.example.org\n\nAction: failed\nStatus: 5.1.1',
      originalMessageId: '<ack.42@example.go.th>',
    });
  });

  // The worker decodes large attachments itself and lets mailparser read the rest; what the
  // sender is told (names, types, sizes, SHA-256) must be what a whole-message parse gives.
  it('lists the same attachments as mailparser reading the whole message, for every fixture', async () => {
    const names = readdirSync(FIXTURES).filter((n) => n.endsWith('.eml') && n !== '10-forwarded.eml');
    expect(names.length).toBeGreaterThanOrEqual(12);
    for (const name of names) {
      const raw = fixture(name);
      const parsed = await simpleParser(repairMessage(raw));
      const expected = parsed.attachments.map((a) => ({
        filename: a.filename ?? 'unnamed',
        contentType: a.contentType,
        size: a.content.length,
        sha256: createHash('sha256').update(a.content).digest('hex'),
      }));
      expect({ name, attachments: (await readMessage(raw, null)).details.attachments }).toEqual({ name, attachments: expected });
    }
  });

  it('decodes large attachments written with odd line lengths, stray characters and no padding as mailparser does', async () => {
    const bytes = [randomBytes(30_001), randomBytes(20_000), randomBytes(9_000), randomBytes(6_001), randomBytes(4_000)];
    const oddLines = bytes[0]
      .toString('base64')
      .match(/.{1,61}/g)!
      .join('\r\n');
    const stray = bytes[1]
      .toString('base64')
      .match(/.{1,76}/g)!
      .join(' \r\n\t!');
    const unpadded = bytes[2].toString('base64').replace(/=+$/, '') + 'x';
    // Two padded blocks one after the other: decoded one by one, not as one stream.
    const blocks = `${bytes[3].toString('base64')}\r\n${bytes[4].toString('base64')}`;
    const part = (type: string, name: string, body: string) => [
      `--b`,
      `Content-Type: ${type}; name="${name}"`,
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment',
      '',
      body,
    ];
    const raw = Buffer.from(
      [
        'From: a@example.go.th',
        'Subject: three',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'เรียน ผู้อำนวยการ',
        ...part('application/pdf', 'a.pdf', oddLines),
        ...part('text/csv', 'list.csv', Buffer.from('ลำดับ,ชื่อ\n'.repeat(600)).toString('base64')),
        ...part('image/png', 'b.png', stray),
        ...part('application/octet-stream', 'c.bin', unpadded),
        ...part('application/octet-stream', 'd.bin', blocks),
        '--b--',
        '',
      ].join('\r\n'),
    );
    const parsed = await simpleParser(raw);
    const r = await readMessage(raw, null);
    expect(r.details.attachments.map((a) => a.filename)).toEqual(['a.pdf', 'list.csv', 'b.png', 'c.bin', 'd.bin']);
    expect(r.details.attachments.map((a) => a.sha256)).toEqual(
      parsed.attachments.map((a) => createHash('sha256').update(a.content).digest('hex')),
    );
    expect(r.details.attachments[0].sha256).toBe(createHash('sha256').update(bytes[0]).digest('hex'));
    expect(r.details.attachments[2].sha256).toBe(createHash('sha256').update(bytes[1]).digest('hex'));
    expect(r.details.attachments[2].size).toBe(20_000);
    expect(r.details.attachments[4].sha256).toBe(
      createHash('sha256')
        .update(Buffer.concat([bytes[3], bytes[4]]))
        .digest('hex'),
    );
    expect(r.text.body).toBe('เรียน ผู้อำนวยการ');
  });

  it('reads a large base64 delivery-status part as the report it is, not as a file', async () => {
    const status = `Reporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; clerk@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; ${'x'.repeat(5000)}\r\n`;
    const raw = Buffer.from(
      [
        'From: MAILER-DAEMON@example.org',
        'Subject: Undelivered Mail',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
        '',
        '--r',
        'Content-Type: text/plain',
        '',
        'could not deliver',
        '--r',
        'Content-Type: message/delivery-status',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from(status)
          .toString('base64')
          .match(/.{1,76}/g)!
          .join('\r\n'),
        '--r--',
        '',
      ].join('\r\n'),
    );
    const r = await readMessage(raw, null);
    expect(r.text.body).not.toContain('saraban-set-aside');
    expect(r.text.body).toBe((await simpleParser(raw)).text!.replace(/\r\n?/g, '\n').trim());
    expect(r.report.deliveryStatus).toContain('Action: failed');
  });

  it('returns what the envelope tells for a message with nothing in it', async () => {
    const r = await readMessage(Buffer.alloc(0), 'clerk@example.go.th');
    expect(r.details).toEqual({ messageId: null, fromAddress: 'clerk@example.go.th', fromName: null, subject: '', attachments: [] });
    expect(r.pdf).toEqual(NO_PDF);
    expect(r.forwardedBy).toBeNull();
  });
});

describe('naming what could not be read', () => {
  // mailparser refuses a header block over 1 MiB and a message of more than 1,000 parts.
  const hugeHeader = () => message(['Subject: t', `X-Long: ${'a'.repeat(1_100_000)}`]);
  const manyParts = () =>
    message(
      ['Subject: ที่ ศธ 1/2569'],
      Array.from({ length: 1100 }, (_, i): [string[], string] => [[], `part ${i}`]),
    );

  it('reads every fixture with no problem', async () => {
    for (const name of readdirSync(FIXTURES).filter((n) => n.endsWith('.eml'))) {
      expect({ name, problems: (await read(name)).problems }).toEqual({ name, problems: [] });
    }
  });

  it('says that a message mailparser cannot parse was read as its envelope alone, and why', async () => {
    for (const [raw, detail] of [
      [hugeHeader(), 'Max header size for a MIME node exceeded'],
      [manyParts(), 'Max allowed child nodes exceeded'],
    ] as const) {
      const r = await readMessage(raw, 'clerk@example.go.th');
      expect(r.details).toEqual({ messageId: null, fromAddress: 'clerk@example.go.th', fromName: null, subject: '', attachments: [] });
      expect(r.problems).toEqual([{ kind: 'unparseable-message', detail }]);
    }
  });

  it('reads the cover note when the letter it forwards cannot be parsed, and says so', async () => {
    const raw = message(
      ['Subject: Fwd: ที่ ศธ 1/2569'],
      [
        [['Content-Type: text/plain; charset=utf-8'], 'ส่งต่อหนังสือตามแนบ'],
        [['Content-Type: message/rfc822', 'Content-Transfer-Encoding: base64'], manyParts().toString('base64').replace(/.{76}/g, '$&\r\n')],
      ],
    );
    const r = await readMessage(raw, null);
    expect(r.forwardedBy).toBeNull();
    expect(r.details.subject).toBe('Fwd: ที่ ศธ 1/2569');
    expect(r.text.body).toBe('ส่งต่อหนังสือตามแนบ');
    expect(r.problems).toEqual([{ kind: 'unreadable-forwarded-message', detail: 'Max allowed child nodes exceeded' }]);
  });

  it('says why the PDF could not be read', async () => {
    const r = await readMessage(message(['Subject: t'], [pdfPart(Buffer.from('this is not a PDF at all'))]), null);
    expect(r.problems).toEqual([{ kind: 'pdf-unreadable', detail: 'no PDF header in its first 1024 bytes' }]);
  });
});
