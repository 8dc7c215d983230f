import { composeAcknowledgement } from '../../../letter/acknowledgement';
import { composeDigest } from '../../../letter/digest';
import { normaliseBody, normaliseSubject, replyShape } from '../../../letter/loop';
import { composeNotice } from '../../../letter/notices';

const agency = { name: 'สำนักงานทดสอบ', nameEn: 'Test Office', domain: 'example.go.th' };
const book = { code: 'RB', name: 'ทะเบียนหนังสือรับ' };
const letterSubject = 'ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม';

describe('the subject as a loop sees it', () => {
  it.each([
    'Re: ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม',
    'RE: RE: Fwd: ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม',
    'Re[2]: FW: ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม',
    'ตอบกลับ: ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม',
    'ตอบ: ส่งต่อ: ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม',
    'Automatic reply: ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม',
    'ตอบกลับอัตโนมัติ: ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม',
    'Out of Office: Re: ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม',
    'AW: WG: ที่  ศธ 0206/1457   เรื่อง ขอเชิญประชุม',
    'Re： ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม',
  ])('takes the prefixes off %s', (subject) => {
    expect(normaliseSubject(subject)).toBe(normaliseSubject(letterSubject));
  });

  it('is the letter subject in lower case, white space and Thai marks normalised', () => {
    expect(normaliseSubject('  Meeting\tInvitation  ')).toBe('meeting invitation');
    // A tone mark typed before the upper vowel is the same word.
    expect(normaliseSubject('ท่ี ประชุม')).toBe(normaliseSubject('ที่ ประชุม'));
  });

  it('keeps a subject that merely starts with the letters of a prefix', () => {
    expect(normaliseSubject('Report: budget')).toBe('report: budget');
    expect(normaliseSubject('Trip plan')).toBe('trip plan');
    expect(normaliseSubject('ตอบข้อหารือ')).toBe('ตอบข้อหารือ');
  });

  it('takes off our own receipt title as an answering machine quotes it, whatever the number', () => {
    const ack = (number: number) =>
      composeAcknowledgement({
        agency,
        book,
        number,
        year: 2569,
        registeredAt: new Date('2026-11-20T02:05:00Z'),
        subject: letterSubject,
        letterMessageId: null,
        attachments: [],
      }).subject;
    expect(normaliseSubject(`Re: ${ack(5)}`)).toBe(normaliseSubject(letterSubject));
    expect(normaliseSubject(`Automatic reply: ${ack(1234)}`)).toBe(normaliseSubject(letterSubject));
  });

  it('takes off every notice title, stacked on a receipt title, down to the letter subject', () => {
    const receipt = composeAcknowledgement({
      agency,
      book,
      number: 7,
      year: 2569,
      registeredAt: new Date('2026-11-20T02:05:00Z'),
      subject: letterSubject,
      letterMessageId: null,
      attachments: [],
    }).subject;
    const existing = { book, number: 7, year: 2569, registeredAt: new Date('2026-11-20T02:05:00Z') };
    const notice = (reason: 'no-letter-attached' | 'duplicate' | 'unreadable-letter' | 'returned', subject: string) =>
      composeNotice({ reason, agency, receivedAt: new Date(), subject, letterMessageId: null, existing, returnedBecause: 'ส่งผิดหน่วยงาน' })
        .subject;
    const stacked = `Re: ${notice('no-letter-attached', `Re: ${notice('duplicate', `RE: ${receipt}`)}`)}`;
    expect(normaliseSubject(stacked)).toBe(normaliseSubject(letterSubject));
    expect(normaliseSubject(`Re: ${notice('unreadable-letter', letterSubject)}`)).toBe(normaliseSubject(letterSubject));
    expect(normaliseSubject(`Re: ${notice('returned', letterSubject)}`)).toBe(normaliseSubject(letterSubject));
  });

  it('leaves nothing of a title that repeats no subject: the top-secret notice and the digest', () => {
    const topSecret = composeNotice({ reason: 'top-secret', agency, receivedAt: new Date(), subject: 'x', letterMessageId: null }).subject;
    expect(normaliseSubject(`Re: ${topSecret}`)).toBe('');
    const digest = composeDigest({
      agency,
      entries: [
        {
          receivedAt: new Date(),
          subject: 'x',
          registered: { book, number: 1, year: 2569, registeredAt: new Date() },
          notice: null,
        },
        { receivedAt: new Date(), subject: 'y', registered: null, notice: 'no-letter-attached' },
      ],
    }).subject;
    expect(normaliseSubject(`Re: ${digest}`)).toBe('');
  });
});

describe('the body as a loop sees it', () => {
  it('cuts what a reply quotes: > lines, Outlook and Gmail quote headers, in English and Thai', () => {
    const own = 'ขณะนี้ไม่อยู่ที่สำนักงาน\nจะติดต่อกลับโดยเร็ว';
    expect(normaliseBody(`${own}\n\n> เลขรับ: 5/2569\n> เรื่อง: ขอเชิญประชุม`)).toBe(normaliseBody(own));
    expect(normaliseBody(`${own}\n-----Original Message-----\nเลขรับ: 6/2569`)).toBe(normaliseBody(own));
    expect(normaliseBody(`${own}\n________________________________\nFrom: saraban@example.go.th\nเลขรับ: 7/2569`)).toBe(normaliseBody(own));
    expect(normaliseBody(`${own}\nOn Fri, 20 Nov 2026 at 09:05, Saraban <saraban@example.go.th> wrote:\nเลขรับ: 8/2569`)).toBe(
      normaliseBody(own),
    );
    expect(normaliseBody(`${own}\nเมื่อ ศ. 20 พ.ย. 2569 เวลา 09:05 Saraban <saraban@example.go.th> เขียนว่า:\nเลขรับ: 9/2569`)).toBe(
      normaliseBody(own),
    );
  });

  it('reads the same text with other line breaks and spacing as the same', () => {
    expect(normaliseBody('Out of office\r\n\r\n  back on Monday ')).toBe(normaliseBody('Out of office back on Monday'));
  });
});

describe('the shape of a message', () => {
  const message = { subject: 'Re: ขอเชิญประชุม', body: 'ไม่อยู่', referenceNormalised: null, attachmentSha256s: [] as string[] };

  it('gives the same body hash to the same own text, and none to an empty body', () => {
    const a = replyShape({ ...message, body: 'ไม่อยู่\n> quoted 1' });
    const b = replyShape({ ...message, body: 'ไม่อยู่\n> quoted 2' });
    expect(a.bodyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.bodyHash).toBe(b.bodyHash);
    expect(replyShape({ ...message, body: '> only a quote' }).bodyHash).toBeNull();
    expect(replyShape({ ...message, body: '' }).bodyHash).toBeNull();
  });

  it('has no subject key when nothing of the subject is left', () => {
    expect(replyShape({ ...message, subject: 'Re: ' }).subjectKey).toBeNull();
    expect(replyShape(message).subjectKey).toBe('ขอเชิญประชุม');
  });

  it('names a letter by its reference, else by its files in any order, else not at all', () => {
    expect(replyShape({ ...message, referenceNormalised: 'ศธ 0206/1457', attachmentSha256s: ['b', 'a'] }).letterKey).toBe(
      'ref:ศธ 0206/1457',
    );
    const files = replyShape({ ...message, attachmentSha256s: ['b', 'a'] }).letterKey;
    expect(files).toMatch(/^files:[0-9a-f]{64}$/);
    expect(replyShape({ ...message, attachmentSha256s: ['a', 'b'] }).letterKey).toBe(files);
    expect(replyShape({ ...message, attachmentSha256s: ['a', 'c'] }).letterKey).not.toBe(files);
    expect(replyShape(message).letterKey).toBeNull();
  });
});
