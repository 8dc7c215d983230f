import {
  centralAddressCsv,
  centralAddressReport,
  contactSheet,
  CSV_COLUMNS,
  officersOnDuty,
  type MailboxOfficer,
} from '../../../letter/contact';

const settings = {
  agency: { name: 'สำนักงานทดสอบ', officeHours: 'วันจันทร์ถึงวันศุกร์ เวลา ๐๘.๓๐–๑๖.๓๐ น.' },
  books: [{ addresses: ['saraban@example.go.th'] }, { addresses: ['saraban-hr@example.go.th'] }],
};

const officer = (name: string, extra: Partial<MailboxOfficer> = {}): MailboxOfficer => ({
  name,
  position: 'เจ้าพนักงานธุรการ',
  phone: '0 2123 4567',
  onDuty: true,
  ...extra,
});

describe('the contact sheet the circular มท ๐๒๐๑.๒/ว ๕๙๕๑ asks for', () => {
  it("lists every book's central addresses once and the officers in Thai alphabetical order (a leading vowel sorts by its consonant)", () => {
    const sheet = contactSheet({ ...settings, books: [...settings.books, { addresses: ['saraban@example.go.th'] }] }, [
      officer('ขวัญใจ ดีมาก'),
      officer('เกศินี สุขใจ'),
      officer('กมล ใจดี'),
    ]);
    expect(sheet.addresses).toEqual(['saraban@example.go.th', 'saraban-hr@example.go.th']);
    expect(sheet.officers.map((o) => o.name)).toEqual(['กมล ใจดี', 'เกศินี สุขใจ', 'ขวัญใจ ดีมาก']);
    expect(sheet).toMatchObject({ agency: 'สำนักงานทดสอบ', agencyEn: null, officeHours: 'วันจันทร์ถึงวันศุกร์ เวลา ๐๘.๓๐–๑๖.๓๐ น.' });
  });

  it('gives the help desk of the settings when there is one, and none when there is not', () => {
    expect(contactSheet(settings, []).helpDesk).toBeNull();
    const withContact = contactSheet(
      { ...settings, agency: { ...settings.agency, contact: { name: 'งานสารบรรณ', phone: '0 2123 4567' } } },
      [],
    );
    expect(withContact.helpDesk).toEqual({ name: 'งานสารบรรณ', phone: '0 2123 4567', email: null, address: null });
  });

  it('shows the public the officers on duty, and all of them when every one is on leave', () => {
    const onLeave = officer('กมล ใจดี', { onDuty: false });
    const onDuty = officer('ขวัญใจ ดีมาก');
    expect(officersOnDuty([onLeave, onDuty])).toEqual([onDuty]);
    expect(officersOnDuty([onLeave])).toEqual([onLeave]);
    expect(officersOnDuty([])).toEqual([]);
  });
});

describe('the central-address report', () => {
  // 18:00 UTC on 31 December is already 1 January 2570 in Bangkok.
  const newYear = new Date('2026-12-31T18:00:00Z');

  it('numbers the officers in Thai digits, marks what is missing with a dash and is dated on the Bangkok day in the Buddhist era', () => {
    const report = centralAddressReport(
      contactSheet(settings, [officer('กมล ใจดี'), officer('ขวัญใจ ดีมาก', { position: null, phone: null, onDuty: false })]),
      newYear,
    );
    expect(report.title).toContain('ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง');
    expect(report.basis).toBe('ตามหนังสือกระทรวงมหาดไทย ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑ ลงวันที่ ๒๓ สิงหาคม ๒๕๖๔');
    expect(report.fields).toEqual([
      ['หน่วยงาน', 'สำนักงานทดสอบ'],
      ['ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง', 'saraban@example.go.th\nsaraban-hr@example.go.th'],
      ['เวลาทำการ', 'วันจันทร์ถึงวันศุกร์ เวลา ๐๘.๓๐–๑๖.๓๐ น.'],
    ]);
    // The report names who is responsible, on leave or not.
    expect(report.rows).toEqual([
      ['๑', 'กมล ใจดี', 'เจ้าพนักงานธุรการ', '0 2123 4567'],
      ['๒', 'ขวัญใจ ดีมาก', '-', '-'],
    ]);
    expect(report.date).toBe('ข้อมูล ณ วันที่ ๑ มกราคม ๒๕๗๐');
  });

  it('as CSV: a byte-order mark for Excel, a header, one row per officer with Arabic digits, and quotes where a cell needs them', () => {
    const csv = centralAddressCsv(contactSheet(settings, [officer('กมล ใจดี', { position: 'หัวหน้างาน, สารบรรณ' })]), newYear);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.slice(1).split('\n')).toEqual([
      CSV_COLUMNS.join(','),
      '1,สำนักงานทดสอบ,"saraban@example.go.th, saraban-hr@example.go.th",กมล ใจดี,"หัวหน้างาน, สารบรรณ",0 2123 4567,1 มกราคม 2570',
      '',
    ]);
  });

  it('as CSV with no officer named: one row with the agency and its address, the officer cells empty', () => {
    const lines = centralAddressCsv(contactSheet(settings, []), newYear).slice(1).split('\n');
    expect(lines[1]).toBe(',สำนักงานทดสอบ,"saraban@example.go.th, saraban-hr@example.go.th",,,,1 มกราคม 2570');
    expect(lines).toHaveLength(3);
  });
});
