import type { Letter } from '../../letter/letter';

/**
 * A letter as the register holds it, with nothing the database adds: for the unit tests of what
 * is made from a register's rows (its form, its export). A test names what its letter has of its own.
 */
export function registeredLetter(own: Partial<Letter> = {}): Letter {
  return {
    id: 7,
    inboundId: '00000000-0000-4000-8000-000000000007',
    book: 'RB',
    year: 2569,
    number: 12,
    // 09.05 in Bangkok.
    registeredAt: new Date('2026-11-20T02:05:00.000Z'),
    messageId: '<letter-12@moe.go.th>',
    fromAddress: 'saraban@moe.go.th',
    fromName: 'สารบรรณ สพฐ.',
    subject: 'ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม',
    attachments: [],
    reference: 'ศธ 0206/1457',
    referenceNormalised: 'ศธ0206/1457',
    circular: false,
    letterDateWritten: '18 พฤศจิกายน 2569',
    letterDate: '2026-11-18',
    title: 'ขอเชิญประชุมคณะกรรมการ',
    titleGuessed: false,
    addressee: 'ผู้อำนวยการ',
    urgency: null,
    urgencyDeadline: null,
    secrecy: null,
    agency: 'สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน',
    agencySource: 'directory',
    authenticity: { verdict: 'authentic' },
    suspect: false,
    restricted: false,
    flags: [],
    forwardedBy: null,
    ...own,
  };
}
