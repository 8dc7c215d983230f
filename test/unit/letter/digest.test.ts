import { composeDigest, type DigestEntry } from '../../../letter/digest';

describe('the digest receipt', () => {
  const agency = { name: 'สำนักงานทดสอบ', nameEn: 'Test Office', domain: 'example.go.th' };
  const book = { code: 'RB', name: 'ทะเบียนหนังสือรับ' };
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 2, minute));
  const registered = (number: number, subject: string, reference: string | null = null): DigestEntry => ({
    receivedAt: at(number),
    subject,
    reference,
    registered: { book, number, year: 2569, registeredAt: at(number) },
    notice: null,
  });

  it('lists every number with its subject and reference, in Thai and in English', () => {
    const digest = composeDigest({
      agency,
      entries: [registered(21, 'ขอเชิญประชุม', 'ศธ 0206/1457'), registered(22, 'ขอส่งรายงาน'), registered(23, ' ')],
    });
    expect(digest.subject).toBe('ได้รับหนังสือแล้ว 3 ฉบับ / Received: 3 letters registered');
    expect(digest.text).toContain('ลงทะเบียนรับแล้ว 3 ฉบับ ตามรายการด้านล่าง');
    expect(digest.text).toContain(
      [
        '1. เลขรับ 21/2569 (RB) ลงทะเบียนรับ 20 พฤศจิกายน 2569 เวลา 09.21 น.',
        '   ที่: ศธ 0206/1457  เรื่อง: ขอเชิญประชุม',
        '   Registered in book RB as no. 21/2569 on 2026-11-20 09:21 (UTC+07:00)',
        '',
        '2. เลขรับ 22/2569 (RB) ลงทะเบียนรับ 20 พฤศจิกายน 2569 เวลา 09.22 น.',
        '   เรื่อง: ขอส่งรายงาน',
        '   Registered in book RB as no. 22/2569 on 2026-11-20 09:22 (UTC+07:00)',
        '',
        '3. เลขรับ 23/2569 (RB) ลงทะเบียนรับ 20 พฤศจิกายน 2569 เวลา 09.23 น.',
        '   เรื่อง: (ไม่มีชื่อเรื่อง)',
      ].join('\n'),
    );
    expect(digest.text).toContain('Test Office received 3 messages from you by e-mail and registered 3 of them as letters');
    expect(digest.text).toContain('ข้อความนี้ส่งโดยระบบอัตโนมัติ โปรดอย่าตอบกลับ');
  });

  it('lists a notice held back with its title and reason code, and does not count a duplicate as registered', () => {
    const digest = composeDigest({
      agency,
      entries: [
        registered(30, 'ขอเชิญประชุม'),
        { receivedAt: at(31), subject: 'ไม่มีไฟล์', registered: null, notice: 'no-letter-attached' },
        { ...registered(30, 'ขอเชิญประชุม'), receivedAt: at(32), notice: 'duplicate' },
        { ...registered(33, 'ไฟล์เสีย'), notice: 'unreadable-letter' },
        { receivedAt: at(34), subject: 'ลับที่สุด เรื่อง แผน', registered: null, notice: 'top-secret' },
      ],
    });
    expect(digest.subject).toBe('ได้รับหนังสือแล้ว 2 ฉบับ ไม่ได้ออกเลขรับใหม่ 3 ฉบับ / Received: 2 letters registered, 3 not registered');
    expect(digest.text).toContain(
      '2. ไม่ได้ลงทะเบียนรับ: ไม่พบไฟล์หนังสือ [SB-NO-LETTER] รับ 20 พฤศจิกายน 2569 เวลา 09.31 น.\n   เรื่อง: ไม่มีไฟล์\n' +
        '   Not registered: no letter attached [SB-NO-LETTER], received 2026-11-20 09:31 (UTC+07:00)',
    );
    expect(digest.text).toContain('3. ไม่ได้ลงทะเบียนรับซ้ำ: ลงทะเบียนไว้แล้ว เลขรับ 30/2569 [SB-DUPLICATE]');
    expect(digest.text).toContain('4. ลงทะเบียนรับแล้ว เลขรับ 33/2569 แต่เปิดไฟล์หนังสือไม่ได้ [SB-UNREADABLE]');
    // A top-secret letter's subject is never repeated.
    expect(digest.text).toContain('5. ไม่ได้ลงทะเบียนรับ: หนังสือชั้นลับที่สุด [SB-TOP-SECRET]');
    expect(digest.text).not.toContain('แผน');
    expect(digest.text).toContain('the other 3 got no new number, for the reason given with each');
  });

  it('is marked automatic, for Exchange too, and carries our loop header', () => {
    expect(composeDigest({ agency, entries: [registered(1, 'x')] }).headers).toEqual({
      'Auto-Submitted': 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
      'X-Saraban-Loop': 'example.go.th',
    });
  });
});
