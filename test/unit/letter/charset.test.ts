import iconv from 'iconv-lite';
import { relabelThaiCharsets, repairHeaderLine, repairMessage } from '../../../letter/charset';

const tis620 = (text: string) => iconv.encode(text, 'windows-874');
const lines = (...parts: (string | Buffer)[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));

describe('repairing a header line', () => {
  it('reads raw TIS-620 bytes as windows-874 and writes them as UTF-8', () => {
    const repaired = repairHeaderLine(tis620('Subject: ที่ สธ 0032.301/915 เรื่อง ขอเชิญประชุม'));
    expect(repaired.toString('utf8')).toBe('Subject: ที่ สธ 0032.301/915 เรื่อง ขอเชิญประชุม');
  });

  it('reads the 0x80-0x9F punctuation Outlook writes (curly quotes, dashes)', () => {
    expect(repairHeaderLine(Buffer.from([0x93, 0xb7, 0xb4, 0xca, 0xcd, 0xba, 0x94, 0x20, 0x96])).toString('utf8')).toBe('“ทดสอบ” –');
  });

  it('leaves ASCII and UTF-8 lines as they are, as the same buffer', () => {
    const ascii = Buffer.from('Subject: =?UTF-8?B?4Lio4LiY?=');
    const utf8 = Buffer.from('From: "กองคลัง" <finance@example.go.th>');
    expect(repairHeaderLine(ascii)).toBe(ascii);
    expect(repairHeaderLine(utf8)).toBe(utf8);
  });

  it('renames Thai charset labels a decoder may not know to windows-874', () => {
    expect(relabelThaiCharsets('Subject: =?x-windows-874?B?tOjHuQ==?= =?TIS-620?Q?=B4?=')).toBe(
      'Subject: =?windows-874?B?tOjHuQ==?= =?windows-874?Q?=B4?=',
    );
    expect(relabelThaiCharsets('Content-Type: text/plain; charset="ISO-8859-11"')).toBe('Content-Type: text/plain; charset="windows-874"');
    expect(relabelThaiCharsets('Content-Type: text/plain; charset=ms874; format=flowed')).toBe(
      'Content-Type: text/plain; charset=windows-874; format=flowed',
    );
    expect(relabelThaiCharsets("Content-Disposition: attachment; filename*=tis-620''%B4.pdf")).toBe(
      "Content-Disposition: attachment; filename*=windows-874''%B4.pdf",
    );
  });

  it('leaves other charsets and the word tis-620 in running text alone', () => {
    const text = 'Subject: about tis-620 and =?UTF-8?B?4Lio?=; charset=utf-8';
    expect(relabelThaiCharsets(text)).toBe(text);
  });
});

describe('repairing a raw message for the parser', () => {
  it('returns the message itself when it needs nothing', () => {
    const raw = Buffer.from('From: a@example.go.th\r\nSubject: hello\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nสวัสดี\r\n');
    expect(repairMessage(raw)).toBe(raw);
  });

  it('repairs raw TIS-620 in the top-level header and labels the 8-bit body without a charset', () => {
    const body = tis620('เรียน ผู้ว่าราชการจังหวัด\r\n');
    const raw = lines(tis620('From: "โรงพยาบาล" <h@example.go.th>\r\nSubject: ขอเชิญประชุม\r\n'), 'Content-Type: text/plain\r\n\r\n', body);
    const repaired = repairMessage(raw);
    expect(repaired.toString('utf8')).toContain('From: "โรงพยาบาล" <h@example.go.th>\r\nSubject: ขอเชิญประชุม\r\n');
    expect(repaired.toString('latin1')).toContain('Content-Type: text/plain; charset=windows-874\r\n\r\n');
    expect(repaired.subarray(repaired.length - body.length).equals(body)).toBe(true);
  });

  it('adds a Content-Type to a message with an 8-bit body and none at all', () => {
    const raw = lines('Subject: x\n\n', tis620('เรียน\n'));
    expect(repairMessage(raw).toString('latin1')).toBe(
      `Subject: x\nContent-Type: text/plain; charset=windows-874\n\n${tis620('เรียน\n').toString('latin1')}`,
    );
  });

  it('adds the charset at the end of a folded Content-Type', () => {
    const raw = lines('Content-Type: text/plain;\r\n\tformat=flowed\r\n\r\n', tis620('เรียน'));
    expect(repairMessage(raw).toString('latin1')).toContain('Content-Type: text/plain;\r\n\tformat=flowed; charset=windows-874\r\n\r\n');
  });

  it('repairs the header blocks of parts but not base64, declared-charset or binary bodies', () => {
    const latin1 = Buffer.from('caf\xe9\r\n', 'latin1');
    const binary = Buffer.from([0x25, 0x50, 0x44, 0x46, 0xb7, 0xd5, 0xe8, 0xff, 0x00, 0x0d, 0x0a]);
    const raw = lines(
      'Content-Type: multipart/mixed; boundary="b"\r\n\r\n',
      '--b\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n4LmA4Lij4Li14Lii4LiZ\r\n',
      '--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
      latin1,
      '--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n',
      tis620('Content-Disposition: attachment; filename="หนังสือ.pdf"\r\n'),
      '\r\n',
      binary,
      '--b--\r\n',
    );
    const repaired = repairMessage(raw);
    const text = repaired.toString('utf8');
    expect(text).toContain('Content-Disposition: attachment; filename="หนังสือ.pdf"\r\n');
    expect(text).toContain('Content-Type: text/plain; charset=iso-8859-1\r\n');
    expect(text).toContain('Content-Type: application/octet-stream\r\n');
    expect(repaired.includes(latin1)).toBe(true);
    expect(repaired.includes(binary)).toBe(true);
    expect(repaired.includes('4LmA4Lij4Li14Lii4LiZ')).toBe(true);
  });

  it('leaves an attached message byte for byte: the sender is told its hash', () => {
    const inner = lines(tis620('Subject: ขอเชิญประชุม\r\n'), 'Content-Type: text/plain\r\n\r\n', tis620('เรียน\r\n'));
    const raw = lines(
      'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n',
      inner,
      '--b--\r\n',
    );
    expect(repairMessage(raw)).toBe(raw);
  });
});
