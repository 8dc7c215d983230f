import { LETTER_FIELDS, letterDetails, withDefaults, type LetterSources } from '../../../letter/letter';

// The details the register gets of a letter, built from what was read of the message,
// what the policy decided and what the checks found: no I/O, so every case is a value.
describe("a letter's details", () => {
  const file = { filename: 'หนังสือเชิญประชุม.pdf', contentType: 'application/pdf', size: 5120, sha256: 'cd'.repeat(32) };
  const authenticity = { verdict: 'authentic', reason: 'dmarc=pass' };
  const read: LetterSources['read'] = {
    details: {
      messageId: '<1457@moe.go.th>',
      fromAddress: 'saraban@moe.go.th',
      fromName: 'สารบรรณ สพฐ.',
      subject: 'ด่วนที่สุด ที่ ศธ 0206/ว1457 ลงวันที่ 20 พฤศจิกายน 2569 เรื่อง ขอเชิญประชุม',
      attachments: [file],
    },
    pdf: { present: true, textLayer: true, encrypted: false, unreadable: false },
    forwardedBy: null,
  };
  const sources: LetterSources = {
    read,
    metadata: {
      reference: { written: 'ศธ 0206/ว1457', normalised: 'ศธ 0206/ว 1457', circular: true },
      letterDate: { written: '20 พฤศจิกายน 2569', iso: '2026-11-20' },
      title: 'ขอเชิญประชุม',
      urgency: { level: 'ด่วนที่สุด', deadline: { written: 'ภายในวันที่ 25 พฤศจิกายน 2569 เวลา 16.30 น.', iso: '2026-11-25T16:30' } },
      secrecy: 'ลับ',
      addressee: 'ผู้อำนวยการ',
    },
    decision: { suspect: false, restricted: true },
    authenticity,
    agency: { name: 'สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน', source: 'directory' },
  };

  it('holds what the e-mail gave, what was read of the letter, what was decided and what was checked', () => {
    expect(letterDetails(sources)).toEqual({
      messageId: '<1457@moe.go.th>',
      fromAddress: 'saraban@moe.go.th',
      fromName: 'สารบรรณ สพฐ.',
      subject: 'ด่วนที่สุด ที่ ศธ 0206/ว1457 ลงวันที่ 20 พฤศจิกายน 2569 เรื่อง ขอเชิญประชุม',
      attachments: [file],
      reference: 'ศธ 0206/ว1457',
      referenceNormalised: 'ศธ 0206/ว 1457',
      circular: true,
      letterDateWritten: '20 พฤศจิกายน 2569',
      letterDate: '2026-11-20',
      title: 'ขอเชิญประชุม',
      titleGuessed: false,
      addressee: 'ผู้อำนวยการ',
      urgency: 'ด่วนที่สุด',
      urgencyDeadline: '2026-11-25T16:30',
      secrecy: 'ลับ',
      agency: 'สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน',
      agencySource: 'directory',
      authenticity,
      suspect: false,
      restricted: true,
      flags: [],
      forwardedBy: null,
    });
  });

  it('gives each field the letter did not show its default, and keeps what the e-mail gave as it was, null included', () => {
    const bare = { ...read.details, messageId: null, fromName: null, subject: 'สวัสดีครับ', attachments: [] };
    const details = letterDetails({
      ...sources,
      read: { details: bare, pdf: { present: false, textLayer: false, encrypted: false, unreadable: false }, forwardedBy: null },
      metadata: { reference: null, letterDate: null, title: null, urgency: null, secrecy: null, addressee: null },
      decision: { suspect: true, restricted: false },
      agency: { name: 'moe.go.th', source: 'domain' },
    });
    expect(details).toEqual({
      ...bare,
      reference: null,
      referenceNormalised: null,
      circular: false,
      letterDateWritten: null,
      letterDate: null,
      title: null,
      titleGuessed: false,
      addressee: null,
      urgency: null,
      urgencyDeadline: null,
      secrecy: null,
      agency: 'moe.go.th',
      agencySource: 'domain',
      authenticity,
      suspect: true,
      restricted: false,
      // No ที่ and no ลงวันที่ read: a clerk completes the entry.
      flags: ['to-complete'],
      forwardedBy: null,
    });
  });

  it('marks a letter to be completed by a clerk when its reference or its date was not read, and only then', () => {
    const without = (field: 'reference' | 'letterDate') => letterDetails({ ...sources, metadata: { ...sources.metadata, [field]: null } });
    expect(without('reference').flags).toEqual(['to-complete']);
    expect(without('letterDate').flags).toEqual(['to-complete']);
    expect(letterDetails(sources).flags).toEqual([]);
  });

  it('notes a PDF that cannot be opened or read, or a scan with no text, and who forwarded the letter', () => {
    const withPdf = (pdf: Partial<LetterSources['read']['pdf']>) =>
      letterDetails({ ...sources, read: { ...read, pdf: { ...read.pdf, ...pdf }, forwardedBy: { address: 'clerk@moe.go.th' } } });
    expect(withPdf({ encrypted: true }).flags).toEqual(['pdf-encrypted']);
    expect(withPdf({ unreadable: true }).flags).toEqual(['pdf-unreadable']);
    expect(withPdf({ textLayer: false }).flags).toEqual(['pdf-no-text-layer']);
    expect(withPdf({}).forwardedBy).toEqual({ address: 'clerk@moe.go.th' });
  });

  it('fills in the defaults of details given in part, as registerLetter is given them', () => {
    const given = { messageId: null, fromAddress: 'saraban@moe.go.th', fromName: null, subject: 'x', attachments: [] };
    expect(withDefaults({ ...given, title: 'ขอเชิญประชุม', circular: true })).toEqual({
      ...given,
      reference: null,
      referenceNormalised: null,
      circular: true,
      letterDateWritten: null,
      letterDate: null,
      title: 'ขอเชิญประชุม',
      titleGuessed: false,
      addressee: null,
      urgency: null,
      urgencyDeadline: null,
      secrecy: null,
      agency: null,
      agencySource: null,
      authenticity: null,
      suspect: false,
      restricted: false,
      flags: [],
      forwardedBy: null,
    });
  });

  it('names a different column for each field', () => {
    const columns = Object.values(LETTER_FIELDS).map((f) => f.column);
    expect(new Set(columns).size).toBe(columns.length);
  });
});
