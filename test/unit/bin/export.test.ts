import { exportEntry, formatRegister } from '../../../bin/export';
import type { Letter } from '../../../letter/letter';

// `saraban export` as scripts read it (README, "Export"): these names, in this order.
describe('the exported register', () => {
  const letter: Letter = {
    id: 7,
    inboundId: '00000000-0000-4000-8000-000000000007',
    book: 'RB',
    year: 2569,
    number: 12,
    registeredAt: new Date('2026-11-20T03:04:05.678Z'),
    messageId: '<letter-12@moe.go.th>',
    fromAddress: 'saraban@moe.go.th',
    fromName: 'สารบรรณ สพฐ.',
    subject: 'ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม',
    attachments: [{ filename: 'หนังสือ.pdf', contentType: 'application/pdf', size: 1234, sha256: 'ab'.repeat(32) }],
    reference: 'ศธ 0206/1457',
    referenceNormalised: 'ศธ0206/1457',
    circular: false,
    letterDateWritten: '20 พฤศจิกายน 2569',
    letterDate: '2026-11-20',
    title: 'ขอเชิญประชุม',
    titleGuessed: false,
    addressee: 'ผู้อำนวยการ',
    urgency: 'ด่วน',
    urgencyDeadline: null,
    secrecy: 'ลับ',
    agency: 'สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน',
    agencySource: 'directory',
    authenticity: { verdict: 'authentic' },
    suspect: false,
    restricted: true,
    flags: ['pdf-no-text-layer'],
    forwardedBy: null,
  };

  it('prints an entry with the e-mail facts, then the register columns, and nothing the database keeps for itself', () => {
    const entry = exportEntry(letter);
    expect(Object.keys(entry)).toEqual([
      'book',
      'year',
      'number',
      'registeredAt',
      'messageId',
      'from',
      'fromName',
      'subject',
      'attachments',
      'reference',
      'letterDate',
      'agency',
      'addressee',
      'title',
      'urgency',
      'secrecy',
      'circular',
      'suspect',
      'restricted',
    ]);
    expect(entry).toEqual({
      book: 'RB',
      year: 2569,
      number: 12,
      registeredAt: '2026-11-20T03:04:05.678Z',
      messageId: '<letter-12@moe.go.th>',
      from: 'saraban@moe.go.th',
      fromName: 'สารบรรณ สพฐ.',
      subject: 'ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม',
      attachments: [{ filename: 'หนังสือ.pdf', contentType: 'application/pdf', size: 1234, sha256: 'ab'.repeat(32) }],
      reference: 'ศธ 0206/1457',
      letterDate: '2026-11-20',
      agency: 'สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน',
      addressee: 'ผู้อำนวยการ',
      title: 'ขอเชิญประชุม',
      urgency: 'ด่วน',
      secrecy: 'ลับ',
      circular: false,
      suspect: false,
      restricted: true,
    });
  });

  it('prints each attachment as received, whatever else its stored record holds', () => {
    const stored = { ...letter.attachments[0], content: 'not exported' };
    expect(exportEntry({ ...letter, attachments: [stored] }).attachments).toEqual([letter.attachments[0]]);
  });

  it('writes CSV with a byte-order mark, one cell for the files, and the same header for an empty register', () => {
    const header =
      'book,year,number,registeredAt,messageId,from,fromName,subject,attachments,reference,letterDate,agency,addressee,title,urgency,secrecy,circular,suspect,restricted';
    const [first, second] = formatRegister([letter], 'csv').split('\n');
    expect(first).toBe(`\uFEFF${header}`);
    expect(second).toBe(
      `RB,2569,12,2026-11-20T03:04:05.678Z,<letter-12@moe.go.th>,saraban@moe.go.th,สารบรรณ สพฐ.,ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม,` +
        `"หนังสือ.pdf (1234 bytes, sha256 ${'ab'.repeat(32)})",ศธ 0206/1457,2026-11-20,สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน,ผู้อำนวยการ,ขอเชิญประชุม,ด่วน,ลับ,,,1`,
    );
    expect(formatRegister([], 'csv')).toBe(`\uFEFF${header}\n`);
  });

  it('writes JSON as the entries, two spaces deep, ending in a newline', () => {
    expect(formatRegister([letter], 'json')).toBe(JSON.stringify([exportEntry(letter)], null, 2) + '\n');
  });
});
