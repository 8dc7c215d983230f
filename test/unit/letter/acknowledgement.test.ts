import { composeAcknowledgement, registrationNumber } from '../../../letter/acknowledgement';

const facts = {
  agency: { name: 'สำนักงานทดสอบ', nameEn: 'Test Office', domain: 'example.go.th' },
  book: { code: 'RB', name: 'ทะเบียนหนังสือรับ' },
  number: 1234,
  year: 2569,
  registeredAt: new Date('2026-11-20T02:05:00Z'),
  subject: 'ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม',
  letterMessageId: '<letter-1@moe.go.th>',
  attachments: [{ filename: 'หนังสือ.pdf', contentType: 'application/pdf', size: 102400, sha256: 'ab'.repeat(32) }],
};

describe('the acknowledgement', () => {
  it('writes the registration number as number/year', () => {
    expect(registrationNumber(1234, 2569)).toBe('1234/2569');
  });

  it('states agency, book, number, Thai date and time, subject and each attachment with size and SHA-256', () => {
    const { text, subject } = composeAcknowledgement(facts);
    expect(text).toContain('สำนักงานทดสอบ');
    expect(text).toContain('ทะเบียน: ทะเบียนหนังสือรับ (RB)');
    expect(text).toContain('เลขรับ: 1234/2569');
    expect(text).toContain('วันที่รับ: 20 พฤศจิกายน 2569 เวลา 09.05 น.');
    expect(text).toContain('เรื่อง: ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม');
    expect(text).toContain(`1. หนังสือ.pdf - 102,400 ไบต์ (bytes) - SHA-256 ${'ab'.repeat(32)}`);
    expect(text).toMatch(/Test Office received your letter .* number 1234\/2569 on 2026-11-20 09:05 \(UTC\+07:00\)/);
    expect(subject).toContain('เลขรับ 1234/2569');
  });

  it('is marked as an automatic reply to the letter (RFC 3834), for Exchange, and with our loop header', () => {
    expect(composeAcknowledgement(facts).headers).toEqual({
      'Auto-Submitted': 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
      'X-Saraban-Loop': 'example.go.th',
      'In-Reply-To': '<letter-1@moe.go.th>',
      References: '<letter-1@moe.go.th>',
    });
  });

  it("states the letter's own reference and title when they were understood", () => {
    const { text } = composeAcknowledgement({ ...facts, reference: 'ศธ 0206/1457', title: 'ขอเชิญประชุม' });
    expect(text).toContain('ที่: ศธ 0206/1457\nเรื่อง: ขอเชิญประชุม\n');
  });

  it("states the letter's date beside its reference, as written or else in the Thai calendar, so the sender can match the receipt", () => {
    const written = composeAcknowledgement({
      ...facts,
      reference: 'ศธ 0206/1457',
      letterDateWritten: '๒๐ พฤศจิกายน ๒๕๖๙',
      letterDate: '2026-11-20',
    });
    expect(written.text).toContain('ที่: ศธ 0206/1457\nลงวันที่: ๒๐ พฤศจิกายน ๒๕๖๙\n');
    expect(written.text).toContain('Test Office received your letter (ศธ 0206/1457, dated 2026-11-20) by e-mail');
    const read = composeAcknowledgement({ ...facts, reference: 'ศธ 0206/1457', letterDate: '2021-08-23' });
    expect(read.text).toContain('ลงวันที่: 23 สิงหาคม 2564\n');
    expect(composeAcknowledgement(facts).text).not.toContain('ลงวันที่');
  });

  it("names the office's contact in Thai and English when the settings give one, and nothing when they do not", () => {
    const contact = { name: 'งานสารบรรณ', phone: '0 2123 4567', email: 'help@example.go.th', address: 'ถนนราชดำเนิน กรุงเทพฯ 10200' };
    const { text } = composeAcknowledgement({ ...facts, agency: { ...facts.agency, contact } });
    expect(text).toContain('ติดต่อสอบถาม: งานสารบรรณ โทร. 0 2123 4567 อีเมล help@example.go.th ถนนราชดำเนิน กรุงเทพฯ 10200');
    expect(text).toContain('Contact: งานสารบรรณ, tel. 0 2123 4567, e-mail help@example.go.th, ถนนราชดำเนิน กรุงเทพฯ 10200');
    expect(composeAcknowledgement(facts).text).not.toMatch(/ติดต่อสอบถาม|Contact:/);
  });

  it('says so when nothing was attached and the letter had no subject or Message-ID', () => {
    const ack = composeAcknowledgement({ ...facts, attachments: [], subject: ' ', letterMessageId: null });
    expect(ack.text).toContain('ไม่มีไฟล์แนบ (no attachments)');
    expect(ack.text).toContain('เรื่อง: (ไม่มีชื่อเรื่อง)');
    expect(ack.headers).toEqual({ 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All', 'X-Saraban-Loop': 'example.go.th' });
  });
});
