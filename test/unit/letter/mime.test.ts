import iconv from 'iconv-lite';
import {
  decodedBody,
  decodedPlainBase64,
  deliveryReport,
  forwardedMessage,
  headerFields,
  htmlToText,
  isDocument,
  mimeTree,
  NO_REPORT,
  parseParameters,
  setAsideAttachments,
  type MimeEntity,
} from '../../../letter/mime';

const shape = (e: MimeEntity): unknown => (e.parts.length ? [e.type, e.parts.map(shape)] : e.type);

describe('reading the MIME structure', () => {
  it('reads nested multiparts with their types and parameters', () => {
    const raw = Buffer.from(
      [
        'Content-Type: multipart/mixed; boundary="outer"',
        '',
        'preamble',
        '--outer',
        'Content-Type: multipart/alternative; boundary=inner',
        '',
        '--inner',
        'Content-Type: text/plain; charset=windows-874',
        '',
        'plain',
        '--inner',
        'Content-Type: text/html',
        '',
        '<p>html</p>',
        '--inner--',
        '--outer',
        'Content-Type: application/pdf; name="a;b.pdf"',
        'Content-Disposition: attachment',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0=',
        '--outer--',
        'epilogue',
      ].join('\r\n'),
    );
    const tree = mimeTree(raw);
    expect(shape(tree)).toEqual(['multipart/mixed', [['multipart/alternative', ['text/plain', 'text/html']], 'application/pdf']]);
    const [alternative, pdf] = tree.parts;
    expect(alternative.parts[0].params).toEqual({ charset: 'windows-874' });
    expect(raw.toString('latin1', alternative.parts[0].bodyStart, alternative.parts[0].end)).toBe('plain');
    expect(pdf.params).toEqual({ name: 'a;b.pdf' });
    expect(pdf.disposition).toBe('attachment');
    expect(decodedBody(raw, pdf).toString('latin1')).toBe('%PDF-');
  });

  it('reads through a forwarded message that uses the same boundary as the message forwarding it', () => {
    const inner = [
      'Subject: inner',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      '',
      'text',
      '--b',
      'Content-Type: application/pdf',
      '',
      'PDF',
      '--b--',
      '',
    ];
    const raw = Buffer.from(
      [
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        '',
        'note',
        '--b',
        'Content-Type: message/rfc822',
        '',
        ...inner,
        '--b--',
        '',
      ].join('\r\n'),
    );
    const tree = mimeTree(raw);
    expect(shape(tree)).toEqual([
      'multipart/mixed',
      ['text/plain', ['message/rfc822', [['multipart/mixed', ['text/plain', 'application/pdf']]]]],
    ]);
    const message = tree.parts[1];
    expect(headerFields(raw, message.parts[0])[0]).toEqual({ name: 'subject', value: 'inner' });
    expect(decodedBody(raw, message).toString('latin1')).toBe(inner.join('\r\n'));
  });

  it('ends an unterminated inner multipart at the next delimiter of its container', () => {
    const raw = Buffer.from(
      [
        'Content-Type: multipart/mixed; boundary="outer"',
        '',
        '--outer',
        'Content-Type: multipart/alternative; boundary="inner"',
        '',
        '--inner',
        '',
        'text',
        '--outer',
        'Content-Type: application/pdf',
        '',
        'PDF',
        '--outer--',
      ].join('\n'),
    );
    expect(shape(mimeTree(raw))).toEqual(['multipart/mixed', [['multipart/alternative', ['text/plain']], 'application/pdf']]);
  });

  it('does not take a line that merely starts with the boundary for a delimiter', () => {
    const raw = Buffer.from('Content-Type: multipart/mixed; boundary=b\n\n--b\n\n--bx is text\n--b--\n');
    const tree = mimeTree(raw);
    expect(tree.parts).toHaveLength(1);
    expect(raw.toString('latin1', tree.parts[0].bodyStart, tree.parts[0].end)).toBe('--bx is text');
  });

  it('decodes quoted-printable bodies, soft line breaks included', () => {
    const raw = Buffer.from('Content-Transfer-Encoding: quoted-printable\r\n\r\n=B7=D5=E8 =\r\n=CA=B8 a=3Db');
    expect(iconv.decode(decodedBody(raw, mimeTree(raw)), 'windows-874')).toBe('ที่ สธ a=b');
  });

  it('decodes base64 as mail writes it, with stray characters, and in padded blocks written one after another', () => {
    const base64 = (body: string) => Buffer.from(`Content-Transfer-Encoding: base64\r\n\r\n${body}`);
    const decoded = (body: string) => decodedBody(base64(body), mimeTree(base64(body))).toString('latin1');
    expect(decoded('QUJD\r\nREVG\r\nRw==\r\n')).toBe('ABCDEFG');
    expect(decoded('QUJD\r\n!RE VG\r\n')).toBe('ABCDEF');
    expect(decoded('QQ==\r\nQUI=\r\nQUJD')).toBe('AABABC');
    expect(decodedPlainBase64(base64('QQ==\r\nQUJD'), mimeTree(base64('QQ==\r\nQUJD')))).toBeNull();
  });

  // A pattern in which line breaks could match in two places backtracked for minutes on such a part.
  it('decodes a hostile base64 body of a megabyte of line breaks and one stray character at once', () => {
    const body = `QUJD${'\r\n'.repeat(500_000)}!`;
    expect(
      decodedBody(
        Buffer.from(`Content-Transfer-Encoding: base64\r\n\r\n${body}`),
        mimeTree(Buffer.from(`Content-Transfer-Encoding: base64\r\n\r\n${body}`)),
      ).toString(),
    ).toBe('ABC');
  });

  it('reads parameters with quoted semicolons and escaped quotes', () => {
    expect(parseParameters('Text/Plain; Charset="UTF-8"; name="a \\"b\\"; c.txt"')).toEqual({
      value: 'text/plain',
      params: { charset: 'UTF-8', name: 'a "b"; c.txt' },
    });
  });
});

/** A multipart/mixed message whose parts are [headers, body] pairs, CRLF line ends. */
function multipart(type: string, parts: [string[], string][], top: string[] = []): Buffer {
  const lines = [...top, `Content-Type: ${type}; boundary="b"`, ''];
  for (const [headers, body] of parts) lines.push('--b', ...headers, '', body);
  lines.push('--b--', '');
  return Buffer.from(lines.join('\r\n'));
}

const NOTE: [string[], string] = [['Content-Type: text/plain; charset=utf-8'], 'ส่งต่อหนังสือตามแนบ'];
const FORWARDED: [string[], string] = [
  ['Content-Type: message/rfc822'],
  'From: saraban@moe.go.th\r\nSubject: ที่ ศธ 1/2569\r\n\r\nเรียน ผู้ว่าราชการจังหวัด',
];

describe('judging the structure of a message', () => {
  it('takes a note that only carries another message as a forward of that message', () => {
    const raw = multipart('multipart/mixed', [NOTE, FORWARDED]);
    const tree = mimeTree(raw);
    expect(forwardedMessage(tree)).toBe(tree.parts[1]);
  });

  it('takes a message that is itself message/rfc822 as the forward', () => {
    const raw = Buffer.from(`Content-Type: message/rfc822\r\n\r\n${FORWARDED[1]}`);
    const tree = mimeTree(raw);
    expect(forwardedMessage(tree)).toBe(tree);
  });

  it('takes a message with a document of its own as the letter, and the attached message as an enclosure', () => {
    const pdf: [string[], string] = [['Content-Type: application/pdf; name="letter.pdf"', 'Content-Transfer-Encoding: base64'], 'JVBERi0='];
    expect(forwardedMessage(mimeTree(multipart('multipart/mixed', [NOTE, pdf, FORWARDED])))).toBeNull();
  });

  it('does not count an HTML alternative, an inline logo or a signature as a document of the note', () => {
    const raw = Buffer.from(
      [
        'Content-Type: multipart/mixed; boundary="outer"',
        '',
        '--outer',
        'Content-Type: multipart/alternative; boundary="inner"',
        '',
        '--inner',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'ส่งต่อหนังสือตามแนบ',
        '--inner',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>ส่งต่อหนังสือตามแนบ</p>',
        '--inner--',
        '--outer',
        'Content-Type: image/png',
        'Content-Disposition: inline',
        '',
        'logo',
        '--outer',
        'Content-Type: application/pkcs7-signature; name="smime.p7s"',
        '',
        'signature',
        '--outer',
        ...FORWARDED[0],
        '',
        FORWARDED[1],
        '--outer--',
        '',
      ].join('\r\n'),
    );
    const tree = mimeTree(raw);
    const [alternative, logo, signature, forwarded] = tree.parts;
    expect([...alternative.parts, logo, signature].map(isDocument)).toEqual([false, false, false, false]);
    expect(forwardedMessage(tree)).toBe(forwarded);
  });

  it('counts a text file sent as an attachment and an image sent as one as documents', () => {
    const tree = mimeTree(
      multipart('multipart/mixed', [
        [['Content-Type: text/plain; name="list.txt"'], 'รายชื่อ'],
        [['Content-Type: image/jpeg', 'Content-Disposition: attachment; filename="scan.jpg"'], 'jpeg'],
      ]),
    );
    expect(tree.parts.map(isDocument)).toEqual([true, true]);
  });

  it('does not take a bounce that returns our message for a forward', () => {
    const raw = multipart('multipart/report; report-type=delivery-status', [NOTE, FORWARDED]);
    expect(forwardedMessage(mimeTree(raw))).toBeNull();
  });

  it('reads a delivery report: its status text and the Message-ID of the message it returns', () => {
    const raw = multipart('multipart/report; report-type=delivery-status', [
      [['Content-Type: text/plain'], 'Delivery failed'],
      [['Content-Type: message/delivery-status'], 'Reporting-MTA: dns; mx.example.org\r\n\r\nAction: failed\r\nStatus: 5.1.1'],
      [['Content-Type: text/rfc822-headers'], 'Message-ID: <ack.1@example.go.th>\r\nSubject: x'],
    ]);
    expect(deliveryReport(raw, mimeTree(raw))).toEqual({
      deliveryStatus: 'Reporting-MTA: dns; mx.example.org\n\nAction: failed\nStatus: 5.1.1',
      originalMessageId: '<ack.1@example.go.th>',
    });
  });

  it('prefers the Original-Message-ID the status fields name', () => {
    const raw = multipart('multipart/report; report-type=delivery-status', [
      [['Content-Type: message/delivery-status'], 'Original-Message-ID: <ack.2@example.go.th>\r\n\r\nAction: failed'],
      [['Content-Type: text/rfc822-headers'], 'Message-ID: <other@example.go.th>'],
    ]);
    expect(deliveryReport(raw, mimeTree(raw)).originalMessageId).toBe('<ack.2@example.go.th>');
  });

  it('gives no report for a message that is not a delivery report', () => {
    const disposition = multipart('multipart/report; report-type=disposition-notification', [
      [['Content-Type: message/disposition-notification'], 'Disposition: manual-action/MDN-sent-manually; displayed'],
    ]);
    expect(deliveryReport(disposition, mimeTree(disposition))).toEqual(NO_REPORT);
    const letter = multipart('multipart/mixed', [NOTE]);
    expect(deliveryReport(letter, mimeTree(letter))).toEqual(NO_REPORT);
  });
});

describe('reading the text of an HTML body', () => {
  it('drops head, style and script, breaks lines at blocks and decodes entities', () => {
    const html =
      '<html><head><title>t</title><style>p{}</style></head><body><script>x()</script>' +
      '<p>เรียน&nbsp;ผู้ว่าราชการจังหวัด</p><div>ส่งหนังสือ &amp; เอกสาร &#3585;&#x0E02; &unknown;</div></body></html>';
    expect(htmlToText(html).trim()).toBe('เรียน ผู้ว่าราชการจังหวัด\nส่งหนังสือ & เอกสาร กข &unknown;');
  });

  it('leaves a numeric entity outside Unicode as written', () => {
    expect(htmlToText('a &#x110000; b')).toBe('a &#x110000; b');
  });
});

describe('setting large attachments aside for the parser', () => {
  const base64 = (bytes: Buffer) => bytes.toString('base64').replace(/.{76}/g, '$&\r\n');
  const pdf = Buffer.alloc(6000, 7);
  const parts: [string[], string][] = [
    NOTE,
    [['Content-Type: application/pdf; name="a.pdf"', 'Content-Transfer-Encoding: base64'], base64(pdf)],
    [['Content-Type: text/csv; name="list.csv"', 'Content-Transfer-Encoding: base64'], base64(Buffer.alloc(6000, 0x41))],
    [['Content-Type: application/octet-stream; name="small.bin"', 'Content-Transfer-Encoding: base64'], base64(Buffer.alloc(100, 1))],
  ];

  it('replaces the body of a large base64 file with a stand-in and gives its content back for it', () => {
    const raw = multipart('multipart/mixed', parts);
    const setAside = setAsideAttachments(raw, mimeTree(raw), 'run-1');
    expect(setAside.forParser.length).toBeLessThan(raw.length - 7000);
    const standIn = Buffer.from('saraban-set-aside:run-1:0');
    expect(setAside.forParser.includes(standIn.toString('base64'))).toBe(true);
    expect(setAside.contentOf(standIn).equals(pdf)).toBe(true);
    // Text parts (they are read as the body) and small files stay for the parser.
    expect(setAside.forParser.includes(parts[2][1])).toBe(true);
    expect(setAside.forParser.includes(parts[3][1])).toBe(true);
    const other = Buffer.from('saraban-set-aside:other:0');
    expect(setAside.contentOf(other)).toBe(other);
  });

  it('leaves the message as it is when nothing is worth setting aside, or the base64 is not plain', () => {
    const small = multipart('multipart/mixed', [NOTE, parts[3]]);
    expect(setAsideAttachments(small, mimeTree(small), 'run-2').forParser).toBe(small);
    const stray = multipart('multipart/mixed', [[parts[1][0], `${base64(pdf)}!`]]);
    expect(setAsideAttachments(stray, mimeTree(stray), 'run-3').forParser).toBe(stray);
  });
});
