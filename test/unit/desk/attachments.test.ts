import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { contentDisposition, fileInMessage } from '../../../desk/attachments';
import { readMessage } from '../../../worker/read';

const fixture = (name: string) => readFileSync(path.join(__dirname, '../../fixtures', name));
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('a file of a letter, read again from the message as kept', () => {
  it.each(['01-utf8-letter.eml', '04-outlook-windows874-urgent.eml', '10-forwarded.eml', '14-winmail-dat.eml'])(
    'is found for every file the letters worker listed in %s, byte for byte',
    async (name) => {
      const raw = fixture(name);
      const { details } = await readMessage(raw, 'saraban@moe.go.th');
      expect(details.attachments.length).toBeGreaterThan(0);
      for (const listed of details.attachments) {
        const file = await fileInMessage(raw, listed.sha256);
        expect(file && [file.length, sha256(file)]).toEqual([listed.size, listed.sha256]);
      }
    },
  );

  it('is found inside a message the cover note attaches', async () => {
    const pdf = Buffer.from('%PDF-1.4\n% หนังสือที่ส่งต่อ\n%%EOF\n');
    const raw = Buffer.from(
      [
        'From: a@moe.go.th',
        'Subject: Fwd: หนังสือ',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="outer"',
        '',
        '--outer',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'ส่งต่อ',
        '--outer',
        'Content-Type: message/rfc822',
        '',
        'From: b@obec.go.th',
        'Subject: หนังสือ',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="inner"',
        '',
        '--inner',
        'Content-Type: application/pdf; name="letter.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        pdf.toString('base64'),
        '--inner--',
        '--outer--',
        '',
      ].join('\r\n'),
    );
    expect(await fileInMessage(raw, sha256(pdf))).toEqual(pdf);
  });

  it('is nothing when no part of the message has that hash', async () => {
    expect(await fileInMessage(fixture('01-utf8-letter.eml'), sha256(Buffer.from('something else')))).toBeNull();
  });
});

describe('how a file is handed to the browser', () => {
  it('shows a PDF inline and downloads anything else, with the Thai name kept', () => {
    expect(contentDisposition('หนังสือ.pdf', 'application/pdf')).toBe(
      `inline; filename="_______.pdf"; filename*=UTF-8''${encodeURIComponent('หนังสือ.pdf')}`,
    );
    expect(contentDisposition('page.html', 'text/html')).toMatch(/^attachment; filename="page.html"/);
    expect(contentDisposition('a"b\\c.doc', 'application/msword')).toMatch(/^attachment; filename="a_b_c.doc"/);
  });
});
