import { composeNotice, smtpRefusals, smtpRefusalsUtf8, type NoticeFacts, type SmtpRefusalReason } from '../../../letter/notices';

const base: NoticeFacts = {
  reason: 'no-letter-attached',
  agency: { name: 'สำนักงานทดสอบ', nameEn: 'Test Office', domain: 'example.go.th' },
  receivedAt: new Date('2026-11-20T02:05:00Z'),
  subject: 'ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม',
  letterMessageId: '<letter-1@moe.go.th>',
};
const existing = {
  book: { code: 'RB', name: 'ทะเบียนหนังสือรับ' },
  number: 1234,
  year: 2569,
  registeredAt: new Date('2026-11-18T08:30:00Z'),
};

/** Text before the English paragraph, and the paragraph itself. */
function halves(text: string): { thai: string; english: string } {
  const at = text.indexOf('Test Office received your message');
  expect(at).toBeGreaterThan(0);
  return { thai: text.slice(0, at), english: text.slice(at) };
}

describe('the notice for a message with no letter attached', () => {
  const notice = composeNotice(base);

  it('says in Thai that no letter was found and asks for it again as PDF, Word, image or ZIP', () => {
    const { thai } = halves(notice.text);
    expect(thai).toMatch(/^เรียน ผู้ส่งหนังสือ\n/);
    expect(thai).toContain('สำนักงานทดสอบ ได้รับข้อความของท่าน');
    expect(thai).toContain('วันที่รับ: 20 พฤศจิกายน 2569 เวลา 09.05 น.');
    expect(thai).toContain('เรื่อง: ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม');
    expect(thai).toContain('ยังไม่ได้ลงทะเบียนรับ');
    expect(thai).toContain('ไม่พบไฟล์หนังสือแนบมา');
    expect(thai).toContain('แนบไฟล์หนังสือในรูปแบบ PDF, Word, รูปภาพ (JPEG, PNG) หรือ ZIP');
    expect(thai).toContain('จึงเรียนมาเพื่อโปรดดำเนินการ');
  });

  it('says the same in English', () => {
    const { english } = halves(notice.text);
    expect(english).toContain('on 2026-11-20 09:05 (UTC+07:00)');
    expect(english).toContain('has not been registered');
    expect(english).toContain('no letter was attached');
    expect(english).toContain('attached as PDF, Word, image (JPEG, PNG) or ZIP.');
  });

  it('carries its reason code in the text and on the message', () => {
    expect(notice.reasonCode).toBe('SB-NO-LETTER');
    expect(notice.text).toContain('รหัสเหตุผล / Reason code: SB-NO-LETTER');
  });

  it('has a subject saying why, in both languages, then theirs', () => {
    expect(notice.subject).toBe('ไม่ได้ลงทะเบียนรับ: ไม่พบไฟล์หนังสือ / Not registered: no letter attached - ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม');
  });

  it('lists the allowed types the caller gives, in each language', () => {
    const { text } = composeNotice({ ...base, allowedTypes: ['PDF', { th: 'รูปภาพ', en: 'image' }] });
    expect(text).toContain('ในรูปแบบ PDF หรือ รูปภาพ');
    expect(text).toContain('attached as PDF or image.');
  });
});

describe('the notice for a top-secret (ลับที่สุด) letter', () => {
  const notice = composeNotice({ ...base, reason: 'top-secret', subject: 'ลับที่สุด เรื่อง แผนการ' });

  it('says in Thai it may not come by e-mail, is held for the supervisor, and to use another channel', () => {
    const { thai } = halves(notice.text);
    expect(thai).toContain('"ลับที่สุด"');
    expect(thai).toContain('ไม่อาจส่งทางไปรษณีย์อิเล็กทรอนิกส์ได้');
    expect(thai).toContain('ไม่ได้ลงทะเบียนรับ');
    expect(thai).toContain('ผู้บังคับบัญชา');
    expect(thai).toContain('ช่องทางอื่น');
    expect(thai).toContain('นำส่งด้วยตนเอง');
  });

  it('says the same in English', () => {
    const { english } = halves(notice.text);
    expect(english).toContain('marked top secret');
    expect(english).toContain('not been registered');
    expect(english).toContain('held for the supervisor');
    expect(english).toContain('by hand through an authorised officer');
  });

  it('does not repeat the subject of a secret letter by e-mail', () => {
    expect(notice.text).not.toContain('แผนการ');
    expect(notice.subject).toBe('ไม่ได้ลงทะเบียนรับ: หนังสือชั้นลับที่สุด / Not registered: top secret letter');
  });

  it('carries the code SB-TOP-SECRET', () => {
    expect(notice.reasonCode).toBe('SB-TOP-SECRET');
    expect(notice.text).toContain('Reason code: SB-TOP-SECRET');
  });
});

describe('the notice for a letter already registered', () => {
  const notice = composeNotice({ ...base, reason: 'duplicate', existing });

  it('gives the existing book, number and date in Thai and says no new number was given', () => {
    const { thai } = halves(notice.text);
    expect(thai).toContain('ทะเบียน: ทะเบียนหนังสือรับ (RB)');
    expect(thai).toContain('เลขรับ: 1234/2569');
    expect(thai).toContain('วันที่ลงทะเบียนรับ: 18 พฤศจิกายน 2569 เวลา 15.30 น.');
    expect(thai).toContain('ลงทะเบียนรับไว้แล้ว เลขรับ 1234/2569 จึงไม่ได้ออกเลขรับใหม่');
    expect(thai).toContain('จึงเรียนมาเพื่อโปรดทราบ');
  });

  it('says the same in English', () => {
    const { english } = halves(notice.text);
    expect(english).toContain('already registered in book RB as number 1234/2569 on 2026-11-18 15:30 (UTC+07:00)');
    expect(english).toContain('no new number was given');
  });

  it('puts the existing number in the subject and carries SB-DUPLICATE', () => {
    expect(notice.subject).toMatch(
      /^ไม่ได้ลงทะเบียนรับซ้ำ: ลงทะเบียนไว้แล้ว เลขรับ 1234\/2569 \/ Not registered again: already registered as no\. 1234\/2569 - ที่ ศธ/,
    );
    expect(notice.reasonCode).toBe('SB-DUPLICATE');
    expect(notice.text).toContain('Reason code: SB-DUPLICATE');
  });

  it('refuses to be written without the registered letter', () => {
    expect(() => composeNotice({ ...base, reason: 'duplicate' })).toThrow(/facts\.existing/);
  });
});

describe('the notice for a letter that could not be opened', () => {
  const notice = composeNotice({ ...base, reason: 'unreadable-letter', existing, unreadableFiles: ['หนังสือ.pdf'] });

  it('says in Thai it was registered, gives the number, and asks for a readable copy', () => {
    const { thai } = halves(notice.text);
    expect(thai).toContain('เลขรับ: 1234/2569');
    expect(thai).toContain('ได้ลงทะเบียนรับแล้ว เลขรับ 1234/2569 แต่ไม่สามารถเปิดไฟล์หนังสือที่แนบมาได้');
    expect(thai).toContain('ไฟล์ที่เปิดไม่ได้: หนังสือ.pdf');
    expect(thai).toContain('เปิดอ่านได้โดยไม่ต้องใช้รหัสผ่าน');
  });

  it('says the same in English', () => {
    const { english } = halves(notice.text);
    expect(english).toContain('registered in book RB as number 1234/2569');
    expect(english).toContain('could not be opened');
    expect(english).toContain('send a copy that opens without a password');
  });

  it('is a registration, not a refusal, in its subject, and carries SB-UNREADABLE', () => {
    expect(notice.subject).toMatch(/^ลงทะเบียนรับแล้ว เลขรับ 1234\/2569 แต่เปิดไฟล์หนังสือไม่ได้ \/ Registered as no\. 1234\/2569, but/);
    expect(notice.reasonCode).toBe('SB-UNREADABLE');
  });
});

describe('the notice for a letter an officer returned (ส่งคืน)', () => {
  const because = 'หนังสือไม่ได้ลงนาม โปรดส่งฉบับที่ลงนามแล้ว';
  const notice = composeNotice({ ...base, reason: 'returned', existing, returnedBecause: because });

  it("gives the number and the officer's reason in Thai, and asks for the reason to be met", () => {
    const { thai } = halves(notice.text);
    expect(thai).toContain('เลขรับ: 1234/2569');
    expect(thai).toContain(`ส่งคืนผู้ส่ง ด้วยเหตุผลดังนี้\n${because}\n`);
    expect(thai).toContain('อ้างถึงเลขรับ 1234/2569');
  });

  it('says in English it was returned for the reason given in Thai', () => {
    const { english } = halves(notice.text);
    expect(english).toContain('registered in book RB as number 1234/2569 has been considered and returned to you');
  });

  it('names the return and the number in its subject and carries SB-RETURNED', () => {
    expect(notice.subject).toMatch(/^ส่งคืนหนังสือ เลขรับ 1234\/2569 \/ Letter returned, registration no\. 1234\/2569 - ที่ ศธ/);
    expect(notice.reasonCode).toBe('SB-RETURNED');
  });

  it('refuses to be written without the reason', () => {
    expect(() => composeNotice({ ...base, reason: 'returned', existing, returnedBecause: ' ' })).toThrow(/returnedBecause/);
  });
});

describe('every notice', () => {
  it('is marked as an automatic reply to the message (RFC 3834), for Exchange, and with our loop header', () => {
    expect(composeNotice(base).headers).toEqual({
      'Auto-Submitted': 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
      'X-Saraban-Loop': 'example.go.th',
      'In-Reply-To': '<letter-1@moe.go.th>',
      References: '<letter-1@moe.go.th>',
    });
  });

  it('has no In-Reply-To when the message had no Message-ID, and copes with no subject', () => {
    const notice = composeNotice({ ...base, letterMessageId: null, subject: ' \r\n ' });
    expect(notice.headers).toEqual({
      'Auto-Submitted': 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
      'X-Saraban-Loop': 'example.go.th',
    });
    expect(notice.subject).toMatch(/ - \(ไม่มีชื่อเรื่อง\)$/);
  });

  it('keeps the subject on one line', () => {
    expect(composeNotice({ ...base, subject: 'เรื่อง\r\n ขอเชิญ' }).subject).toMatch(/ - เรื่อง ขอเชิญ$/);
  });

  it('uses the Thai agency name in English when there is no English name', () => {
    expect(composeNotice({ ...base, agency: { name: 'สำนักงานทดสอบ', domain: 'example.go.th' } }).text).toContain(
      'สำนักงานทดสอบ received your message',
    );
  });
});

describe('SMTP refusals', () => {
  const reasons: SmtpRefusalReason[] = ['unknown-recipient', 'too-large', 'not-kept', 'other-book'];
  const detail = { address: 'saraban@moi.go.th', limitBytes: 26214400 };

  it('are the documented texts', () => {
    expect(smtpRefusals['unknown-recipient']({ address: 'nobody@test.go.th' })).toEqual({
      code: 550,
      text: '<nobody@test.go.th>: not a central address (saraban) of this agency; no relaying [SB-NO-MAILBOX]',
    });
    expect(smtpRefusals['too-large']({ limitBytes: 26214400 })).toEqual({
      code: 552,
      text: 'message larger than 25 MB (26214400 bytes); send the letter in parts or as a link [SB-TOO-LARGE]',
    });
    expect(smtpRefusals['not-kept']({})).toEqual({
      code: 451,
      text: 'cannot keep the message right now; it will be accepted when you retry [SB-TRY-LATER]',
    });
    expect(smtpRefusals['other-book']({ address: 'saraban-hr@test.go.th' })).toEqual({
      code: 452,
      text: '<saraban-hr@test.go.th> belongs to another register; send it again in its own message [SB-OTHER-BOOK]',
    });
  });

  it.each(reasons)('%s is printable ASCII with a reason code, even for a Thai address', (reason) => {
    const { text } = smtpRefusals[reason]({ address: 'สารบรรณ@ทดสอบ.ไทย\r\nRSET', limitBytes: 1572864 });
    expect(text).toMatch(/^[\x20-\x7e]*$/);
    expect(text).toMatch(/\[SB-[A-Z-]+\]$/);
  });

  it.each(reasons)('%s in Thai has the same code and reply code, and no control characters', (reason) => {
    const ascii = smtpRefusals[reason](detail);
    const thai = smtpRefusalsUtf8[reason]({ ...detail, address: 'saraban@moi.go.th\r\nRSET' });
    expect(thai.code).toBe(ascii.code);
    expect(thai.text).toMatch(/[\u0e00-\u0e7f]/);
    expect(thai.text.match(/\[SB-[A-Z-]+\]$/)?.[0]).toBe(ascii.text.match(/\[SB-[A-Z-]+\]$/)?.[0]);
    expect(thai.text).not.toMatch(/\p{Cc}/u);
  });

  it.each(reasons)('%s fits an SMTP reply line (512 octets) with the longest address', (reason) => {
    for (const address of [`${'a'.repeat(64)}@${'b'.repeat(185)}.go.th`, `${'ส'.repeat(300)}@ทดสอบ.ไทย`]) {
      for (const texts of [smtpRefusals, smtpRefusalsUtf8]) {
        const { code, text } = texts[reason]({ address, limitBytes: 26214400 });
        expect(Buffer.byteLength(`${code} 5.1.1 ${text}\r\n`)).toBeLessThanOrEqual(512);
      }
    }
  });

  it('states a limit that is not a whole number of megabytes', () => {
    expect(smtpRefusals['too-large']({ limitBytes: 1572864 }).text).toContain('larger than 1.5 MB (1572864 bytes)');
    expect(smtpRefusals['too-large']({}).text).toContain('larger than this agency accepts');
  });
});

describe('every notice', () => {
  it("names the office's contact, in Thai and English, when the settings give one", () => {
    const agency = { name: 'สำนักงานทดสอบ', nameEn: 'Test Office', domain: 'example.go.th', contact: { phone: '0 2123 4567 ต่อ 101' } };
    for (const reason of ['no-letter-attached', 'top-secret'] as const) {
      const { text } = composeNotice({ reason, agency, receivedAt: new Date('2026-11-20T02:05:00Z'), subject: 'x', letterMessageId: null });
      expect(text).toContain('ติดต่อสอบถาม: สำนักงานทดสอบ โทร. 0 2123 4567 ต่อ 101');
      expect(text).toContain('Contact: Test Office, tel. 0 2123 4567 ต่อ 101');
    }
  });
});
