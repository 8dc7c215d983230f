import {
  fileNameText,
  LetterMetadata,
  parseAddressee,
  parseReference,
  parseSecrecy,
  parseThaiDate,
  parseTitle,
  parseUrgency,
  readLetterMetadata,
} from '../../../letter/metadata';

const nothing = { reference: null, letterDate: null, title: null, urgency: null, secrecy: null, addressee: null };

// The first page of the PDFs in test/fixtures, as pdf-parse extracts it (note สำา).
const FIXTURE_FIRST_PAGE = [
  'ที่ ศธ 0206/1457',
  'สำานักงานเขตพื้นที่การศึกษาประถมศึกษาตัวอย่าง เขต 1',
  'วันที่ 20 พฤศจิกายน 2569',
  'เรื่อง ขอความอนุเคราะห์ข้อมูลสถานศึกษาในพื้นที่',
  'เรียน ผู้ว่าราชการจังหวัดตัวอย่าง',
  'ด้วยสำานักงานเขตพื้นที่การศึกษาฯ มีความประสงค์ขอข้อมูลสถานศึกษา',
  'จึงเรียนมาเพื่อโปรดพิจารณาให้ความอนุเคราะห์',
].join('\n');

describe('the fixture letters, read from their decoded subjects and bodies', () => {
  it('reads 01: reference, date and title from a UTF-8 subject, the addressee from the body', () => {
    const m = readLetterMetadata({
      subject: 'ที่ ศธ 0206/1457 ลงวันที่ 20 พฤศจิกายน 2569 เรื่อง ขอความอนุเคราะห์ข้อมูลสถานศึกษาในพื้นที่',
      body: 'เรียน ผู้ว่าราชการจังหวัดตัวอย่าง\nส่งหนังสือตามไฟล์แนบ จำนวน 1 ฉบับ\nงานสารบรรณ โทร 0 2123 4567\n',
      firstPage: FIXTURE_FIRST_PAGE,
    });
    expect(m).toMatchObject({
      reference: { written: 'ศธ 0206/1457', normalised: 'ศธ 0206/1457', circular: false },
      letterDate: { written: '20 พฤศจิกายน 2569', iso: '2026-11-20' },
      title: 'ขอความอนุเคราะห์ข้อมูลสถานศึกษาในพื้นที่',
      urgency: null,
      secrecy: null,
      addressee: 'ผู้ว่าราชการจังหวัดตัวอย่าง',
    });
    expect(m.foundIn).toEqual({ reference: 'subject', letterDate: 'subject', title: 'subject', addressee: 'body' });
  });

  it('reads 02 (TIS-620, declared) like 01', () => {
    const m = readLetterMetadata({
      subject: 'ที่ ตย 0318/2290 ลงวันที่ 18 พฤศจิกายน 2569 เรื่อง รายงานผลการดำเนินงาน',
      body: 'เรียน ผู้ว่าราชการจังหวัดตัวอย่าง\nขอส่งรายงานตามเอกสารแนบ\n',
    });
    expect(m).toMatchObject({
      reference: { normalised: 'ตย 0318/2290', circular: false },
      letterDate: { iso: '2026-11-18' },
      title: 'รายงานผลการดำเนินงาน',
      addressee: 'ผู้ว่าราชการจังหวัดตัวอย่าง',
    });
  });

  it('reads 03 (raw TIS-620 headers, once decoded): no date in the subject, so the PDF date is used', () => {
    const m = readLetterMetadata({
      subject: 'ที่ สธ 0032.301/915 เรื่อง ขอเชิญประชุมคณะกรรมการ',
      body: 'เรียน ผู้ว่าราชการจังหวัด\r\nขอเชิญประชุมตามหนังสือแนบ\r\n',
      firstPage: FIXTURE_FIRST_PAGE,
    });
    expect(m).toMatchObject({
      reference: { written: 'สธ 0032.301/915', normalised: 'สธ 0032.301/915', circular: false },
      letterDate: { iso: '2026-11-20' },
      title: 'ขอเชิญประชุมคณะกรรมการ',
      addressee: 'ผู้ว่าราชการจังหวัด',
    });
    expect(m.foundIn?.letterDate).toBe('firstPage');
  });

  it('reads 04 (Outlook, Thai digits) as most urgent and circular ตย 51001/ว 332, not fooled by ด่วน in the title', () => {
    const m = readLetterMetadata({
      subject: 'ด่วนที่สุด ที่ ตย ๕๑๐๐๑/ว ๓๓๒ ลงวันที่ ๒๓ พฤศจิกายน ๒๕๖๙ เรื่อง ขอเชิญประชุมด่วน',
      body: 'เรียน ผู้ว่าราชการจังหวัดตัวอย่าง\nด่วนที่สุด ส่งหนังสือตามแนบ\n',
    });
    expect(m).toEqual({
      reference: { written: 'ตย ๕๑๐๐๑/ว ๓๓๒', normalised: 'ตย 51001/ว 332', circular: true },
      letterDate: { written: '๒๓ พฤศจิกายน ๒๕๖๙', iso: '2026-11-23' },
      title: 'ขอเชิญประชุมด่วน',
      urgency: { level: 'ด่วนที่สุด', deadline: null },
      secrecy: null,
      addressee: 'ผู้ว่าราชการจังหวัดตัวอย่าง',
      foundIn: { reference: 'subject', letterDate: 'subject', title: 'subject', urgency: 'subject', addressee: 'body' },
    });
  });

  it('reads 05, the Ministry of Interior circular in Thai digits, dated 2564-08-23', () => {
    const m = readLetterMetadata({
      subject: 'ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑ ลงวันที่ ๒๓ สิงหาคม ๒๕๖๔ เรื่อง การกำหนดที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลางของส่วนราชการ',
      body: 'เรียน ผู้ว่าราชการจังหวัดทุกจังหวัด\nรายละเอียดตามหนังสือและสิ่งที่ส่งมาด้วย\n',
    });
    expect(m).toMatchObject({
      reference: { written: 'มท ๐๒๐๑.๒/ว ๕๙๕๑', normalised: 'มท 0201.2/ว 5951', circular: true },
      letterDate: { written: '๒๓ สิงหาคม ๒๕๖๔', iso: '2021-08-23' },
      title: 'การกำหนดที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลางของส่วนราชการ',
      addressee: 'ผู้ว่าราชการจังหวัดทุกจังหวัด',
    });
  });

  it('reads 06 (no attachment): only a title, guessed from the subject line', () => {
    const m = readLetterMetadata({ subject: 'ส่งหนังสือราชการ', body: 'ส่งหนังสือตามไฟล์แนบครับ\n' });
    expect(m).toMatchObject({ ...nothing, title: 'ส่งหนังสือราชการ', titleGuessed: true });
  });

  it('reads 07 (auto-reply) without taking the return date in a sentence of the body for the letter date', () => {
    const m = readLetterMetadata({
      subject: 'ตอบกลับอัตโนมัติ: ไม่อยู่ที่สำนักงาน',
      body: 'ขณะนี้ไม่อยู่ที่สำนักงาน จะกลับวันที่ 1 ธันวาคม 2569\n',
    });
    expect(m).toMatchObject({ reference: null, letterDate: null, urgency: null, secrecy: null });
    expect(m.title).toBe('ตอบกลับอัตโนมัติ: ไม่อยู่ที่สำนักงาน');
  });

  it('reads 08 (a bounce) as no letter fields at all', () => {
    const m = readLetterMetadata({
      subject: 'Undelivered Mail Returned to Sender',
      body: 'This is the mail system. Your message could not be delivered.\n\nReporting-MTA: dns; mx.example-esa.go.th\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n',
    });
    expect(m).toMatchObject({ reference: null, letterDate: null, urgency: null, secrecy: null, addressee: null });
  });

  it('reads 09 as ลับที่สุด', () => {
    const m = readLetterMetadata({ subject: 'ลับที่สุด ที่ ตช 0011.23/77 เรื่อง แผนการรักษาความปลอดภัย', body: 'ตามเอกสารแนบ\n' });
    expect(m).toMatchObject({
      reference: { normalised: 'ตช 0011.23/77', circular: false },
      secrecy: 'ลับที่สุด',
      title: 'แผนการรักษาความปลอดภัย',
      urgency: null,
    });
  });

  it('reads 10 (forwarded) through the Fwd: prefix, the addressee from the quoted body', () => {
    const m = readLetterMetadata({
      subject: 'Fwd: ที่ ศธ 0206/1457 เรื่อง ขอความอนุเคราะห์ข้อมูลสถานศึกษาในพื้นที่',
      body: 'ส่งต่อหนังสือตามที่แนบ\n\nเรียน ผู้ว่าราชการจังหวัดตัวอย่าง\nส่งหนังสือตามไฟล์แนบ จำนวน 1 ฉบับ\n',
    });
    expect(m).toMatchObject({
      reference: { normalised: 'ศธ 0206/1457' },
      title: 'ขอความอนุเคราะห์ข้อมูลสถานศึกษาในพื้นที่',
      addressee: 'ผู้ว่าราชการจังหวัดตัวอย่าง',
      letterDate: null,
    });
  });

  it('reads 11 (scan-only PDF) from the subject alone: ลว. 21 พ.ย. 69 is 2569-11-21', () => {
    const m = readLetterMetadata({ subject: 'ที่ ศธ 0206/1460 ลว. 21 พ.ย. 69 เรื่อง แจ้งกำหนดการตรวจเยี่ยม', body: 'ตามที่แนบ\n', firstPage: '' });
    expect(m).toMatchObject({
      reference: { normalised: 'ศธ 0206/1460' },
      letterDate: { written: '21 พ.ย. 69', iso: '2026-11-21' },
      title: 'แจ้งกำหนดการตรวจเยี่ยม',
    });
  });

  it('reads 12 (a duplicate of 01) to the same normalised reference as 01', () => {
    const subject = 'ที่ ศธ 0206/1457 ลงวันที่ 20 พฤศจิกายน 2569 เรื่อง ขอความอนุเคราะห์ข้อมูลสถานศึกษาในพื้นที่';
    expect(readLetterMetadata({ subject }).reference?.normalised).toBe('ศธ 0206/1457');
  });

  it('reads 13 (a newsletter) with no reference, date or markings', () => {
    const m = readLetterMetadata({ subject: 'จดหมายข่าวประจำเดือน', body: 'ข่าวสารประจำเดือนพฤศจิกายน\n' });
    expect(m).toMatchObject({ reference: null, letterDate: null, urgency: null, secrecy: null, addressee: null });
  });

  it('reads 14 (winmail.dat) from the subject', () => {
    const m = readLetterMetadata({ subject: 'ที่ ตย 52001/1120 เรื่อง ขอรับการสนับสนุนงบประมาณ', body: 'ตามเอกสารแนบ\n' });
    expect(m).toMatchObject({ reference: { normalised: 'ตย 52001/1120', circular: false }, title: 'ขอรับการสนับสนุนงบประมาณ' });
  });

  it('reads the first page of the fixture PDFs, repairing สำา', () => {
    const m = readLetterMetadata({ subject: '', firstPage: FIXTURE_FIRST_PAGE });
    expect(m).toMatchObject({
      reference: { normalised: 'ศธ 0206/1457' },
      letterDate: { written: '20 พฤศจิกายน 2569', iso: '2026-11-20' },
      title: 'ขอความอนุเคราะห์ข้อมูลสถานศึกษาในพื้นที่',
      addressee: 'ผู้ว่าราชการจังหวัดตัวอย่าง',
    });
  });
});

// Only the fields named are checked, and only as deeply as given.
type Expected = { [K in keyof LetterMetadata]?: unknown };

describe('subjects as agencies write them', () => {
  const circular = (normalised: string) => ({ normalised, circular: true });
  const plain = (normalised: string) => ({ normalised, circular: false });
  const on = (iso: string) => ({ iso });

  it.each<[string, Expected]>([
    [
      'ที่ ศธ 04006/ว 1234 ลงวันที่ 5 มกราคม 2570 เรื่อง การรับนักเรียนปีการศึกษา 2570',
      { reference: circular('ศธ 04006/ว 1234'), letterDate: on('2027-01-05'), title: 'การรับนักเรียนปีการศึกษา 2570' },
    ],
    [
      'ด่วนมาก ที่ มท 0808.2/ว 7120 ลงวันที่ 28 ธ.ค. 69 เรื่อง ซักซ้อมแนวทางการเบิกจ่าย',
      { urgency: { level: 'ด่วนมาก', deadline: null }, reference: circular('มท 0808.2/ว 7120'), letterDate: on('2026-12-28') },
    ],
    ['เรื่อง ขอเชิญประชุมคณะกรรมการ ที่ สธ 0032.301/915', { title: 'ขอเชิญประชุมคณะกรรมการ', reference: plain('สธ 0032.301/915') }],
    [
      'ที่ กค 0402.5/ว 150 ลว. 3 ต.ค. 2569 เรื่อง หลักเกณฑ์การเบิกค่าใช้จ่ายในการเดินทางไปราชการ',
      { reference: circular('กค 0402.5/ว 150'), letterDate: on('2026-10-03'), title: 'หลักเกณฑ์การเบิกค่าใช้จ่ายในการเดินทางไปราชการ' },
    ],
    [
      '[ด่วนที่สุด] ที่ นร 0505/ว 241 เรื่อง การเตรียมการรับเสด็จ',
      { urgency: { level: 'ด่วนที่สุด', deadline: null }, reference: circular('นร 0505/ว 241'), title: 'การเตรียมการรับเสด็จ' },
    ],
    [
      'ที่ อว 0603.11/2345 ลงวันที่ 14/11/2569 เรื่อง ขอความร่วมมือตอบแบบสอบถาม',
      { reference: plain('อว 0603.11/2345'), letterDate: { written: '14/11/2569', iso: '2026-11-14' } },
    ],
    ['RE: ที่ ตย 0018/ว 45 เรื่อง แจ้งเปลี่ยนแปลงกำหนดการ', { reference: circular('ตย 0018/ว 45'), title: 'แจ้งเปลี่ยนแปลงกำหนดการ' }],
    [
      'ที่ ผวก 1001/238 ลว 9 มิ.ย. 69 เรื่อง ขอรับการสนับสนุนวิทยากร',
      { reference: plain('ผวก 1001/238'), letterDate: on('2026-06-09'), title: 'ขอรับการสนับสนุนวิทยากร' },
    ],
    [
      'ที่ พณ ๐๔๐๗/๓๑๒ ลงวันที่ ๑ เมษายน ๒๕๖๙ เรื่อง ขอเชิญเข้าร่วมโครงการ',
      { reference: { written: 'พณ ๐๔๐๗/๓๑๒', normalised: 'พณ 0407/312', circular: false }, letterDate: on('2026-04-01') },
    ],
    ['ลับ ที่ กห 0204/88 เรื่อง การขออนุมัติเดินทาง', { secrecy: 'ลับ', reference: plain('กห 0204/88'), title: 'การขออนุมัติเดินทาง' }],
    ['(ลับมาก) ที่ ตช 0011.2/ว 12 เรื่อง ข้อมูลบุคคล', { secrecy: 'ลับมาก', reference: circular('ตช 0011.2/ว 12'), title: 'ข้อมูลบุคคล' }],
    ['ด่วน ที่ ศธ 0206/1500 เรื่อง ส่งรายชื่อผู้เข้ารับการอบรม', { urgency: { level: 'ด่วน', deadline: null }, title: 'ส่งรายชื่อผู้เข้ารับการอบรม' }],
    [
      'เรื่อง ขอส่งรายงานผลการดำเนินงานประจำปีงบประมาณ พ.ศ. 2569',
      { title: 'ขอส่งรายงานผลการดำเนินงานประจำปีงบประมาณ พ.ศ. 2569', reference: null, letterDate: null },
    ],
    [
      'ขอส่งหนังสือ มท 0201.2/ว 5951 ลงวันที่ 23 สิงหาคม 2564',
      { reference: circular('มท 0201.2/ว 5951'), letterDate: on('2021-08-23'), title: 'ขอส่งหนังสือ', titleGuessed: true },
    ],
    [
      'ที่ ศธ 0206/ว1457 ลว.21พ.ย.69 เรื่องขอเชิญประชุม',
      { reference: circular('ศธ 0206/ว 1457'), letterDate: { written: '21พ.ย.69', iso: '2026-11-21' }, title: 'ขอเชิญประชุม' },
    ],
    [
      'ที่ ศธ 0206/1457 ลงวันที่ 20 พ.ย. 2569 เรื่อง ขอความอนุเคราะห์ เรียน ผู้ว่าราชการจังหวัดตัวอย่าง',
      { title: 'ขอความอนุเคราะห์', addressee: 'ผู้ว่าราชการจังหวัดตัวอย่าง', letterDate: on('2026-11-20') },
    ],
    ['เรียน ผู้อำนวยการโรงเรียนทุกแห่ง เรื่อง การสอบ O-NET', { addressee: 'ผู้อำนวยการโรงเรียนทุกแห่ง', title: 'การสอบ O-NET' }],
    [
      'ด่วนภายใน 30 พ.ย. 69 ที่ สธ 0201.03/ว 88 เรื่อง ขอข้อมูลบุคลากร',
      {
        urgency: { level: 'ด่วนภายใน', deadline: { written: '30 พ.ย. 69', iso: '2026-11-30' } },
        letterDate: null,
        reference: circular('สธ 0201.03/ว 88'),
        title: 'ขอข้อมูลบุคลากร',
      },
    ],
    [
      'ด่วนภายในวันที่ 1 ธันวาคม 2569 เวลา 12.00 น. เรื่อง สำรวจข้อมูลครัวเรือน',
      {
        urgency: { level: 'ด่วนภายใน', deadline: { written: '1 ธันวาคม 2569 เวลา 12.00 น.', iso: '2026-12-01T12:00' } },
        letterDate: null,
        title: 'สำรวจข้อมูลครัวเรือน',
      },
    ],
    [
      'ที่ ศธ 0206/1457 (ลงวันที่ 20 พฤศจิกายน 2569) เรื่อง ขอความอนุเคราะห์',
      { reference: plain('ศธ 0206/1457'), letterDate: on('2026-11-20'), title: 'ขอความอนุเคราะห์' },
    ],
    [
      'ที่ มท 0810.7/ว 2546 ลว. 15 ก.ย. 2569 เรื่อง แนวทางการจัดทำแผนพัฒนาท้องถิ่น',
      { reference: circular('มท 0810.7/ว 2546'), letterDate: on('2026-09-15'), title: 'แนวทางการจัดทำแผนพัฒนาท้องถิ่น' },
    ],
    ['ที่ กษ 0201/ว 99 ลงวันที่ 2 กุมภาพันธ์ 2569', { reference: circular('กษ 0201/ว 99'), letterDate: on('2026-02-02'), title: null }],
    ['ที่ ศธ 0206/1461 ลงวันที่ 23-11-2569 เรื่อง ทดสอบระบบ', { letterDate: on('2026-11-23'), title: 'ทดสอบระบบ' }],
    [
      'Fw: ขอส่งหนังสือ ศธ 0206/1462 ลว. 24 พ.ย. 69',
      { reference: plain('ศธ 0206/1462'), letterDate: on('2026-11-24'), title: 'ขอส่งหนังสือ', titleGuessed: true },
    ],
    [
      'ที่ ศธ 0206/1463 ลงวันที่ ๒๔ พ.ย. ๖๙ เรื่อง ขอเชิญประชุม (ด่วน)',
      { urgency: { level: 'ด่วน', deadline: null }, title: 'ขอเชิญประชุม', letterDate: { written: '๒๔ พ.ย. ๖๙', iso: '2026-11-24' } },
    ],
    ['เรื่อง ความลับของทางราชการ ที่ นร 0105/12', { secrecy: null, title: 'ความลับของทางราชการ', reference: plain('นร 0105/12') }],
    ['เรื่อง งานประเพณีเมือง ลับแล ประจำปี', { secrecy: null, title: 'งานประเพณีเมือง ลับแล ประจำปี' }],
    ['เรื่อง สลับวันหยุดราชการ', { secrecy: null, title: 'สลับวันหยุดราชการ' }],
    ['ที่ ชม 0023.3/ว 5012 ลงวันที่ 1 มี.ค. 69 เรื่อง การป้องกันไฟป่า', { reference: circular('ชม 0023.3/ว 5012'), letterDate: on('2026-03-01') }],
    ['ที่ ชบ 0017.2/ว 777 ลว. 31 ม.ค. 70 เรื่อง การประชุมประจำเดือน', { letterDate: on('2027-01-31') }],
    ['ที่ ศธ 0206/1400 ลงวันที่ 5 ก.ค. 2569 เรื่อง แจ้งผลการพิจารณา', { letterDate: on('2026-07-05') }],
    ['ที่ ศธ 0206/1401 ลว. 6 ก.พ. 69 เรื่อง แจ้งผลการพิจารณา', { letterDate: on('2026-02-06') }],
    ['ที่ ศธ 0206/1402 ลว. 7 พ.ค. 69 เรื่อง แจ้งผลการพิจารณา', { letterDate: on('2026-05-07') }],
    ['ที่ ศธ 0206/1403 ลว. 8 เม.ย. 69 เรื่อง แจ้งผลการพิจารณา', { letterDate: on('2026-04-08') }],
    ['ที่ ศธ 0206/1404 ลว. 10 ต.ค. 69 เรื่อง แจ้งผลการพิจารณา', { letterDate: on('2026-10-10') }],
    ['ที่ ศธ 0206/1405 ลว. 11 ธ.ค. 69 เรื่อง แจ้งผลการพิจารณา', { letterDate: on('2026-12-11') }],
    ['ที่ ศธ 0206/1406 ลว. 12 มิ.ย. 69 เรื่อง แจ้งผลการพิจารณา', { letterDate: on('2026-06-12') }],
    ['ที่ ศธ 0206/1407 ลว. 13 ส.ค. 69 เรื่อง แจ้งผลการพิจารณา', { letterDate: on('2026-08-13') }],
    [
      'ด่วนที่สุด!! ขอเชิญประชุมด่วน',
      { urgency: { level: 'ด่วนที่สุด', deadline: null }, title: 'ขอเชิญประชุมด่วน', titleGuessed: true, reference: null },
    ],
    ['ขอเชิญประชุมด่วน', { urgency: null, title: 'ขอเชิญประชุมด่วน' }],
    ['ที่ นร 0403/ว 63 ลงวันที่ 20 พฤศจิกายน พ.ศ. 2569 เรื่อง การจัดงานวันพระราชทานธงชาติไทย', { letterDate: on('2026-11-20') }],
    ['ที่ ศธ 0206/1408 วันที่ 3 ธันวาคม 2569 เรื่อง ขอเชิญร่วมพิธี', { letterDate: on('2026-12-03'), title: 'ขอเชิญร่วมพิธี' }],
    [
      'ที่ ศธ 0206/1409 ลงวันที่ 20 พฤศจิกายน 2569 เรื่อง ขอส่งสำเนาหนังสือ อ้างถึง หนังสือ ที่ มท 0201/ว 1 ลงวันที่ 1 ต.ค. 2569',
      { reference: plain('ศธ 0206/1409'), letterDate: on('2026-11-20'), title: 'ขอส่งสำเนาหนังสือ' },
    ],
    ['ที่ ศธ 0206/1410 ลงวันที่ 31 กุมภาพันธ์ 2569 เรื่อง วันที่ผิด', { reference: plain('ศธ 0206/1410'), letterDate: null }],
    [
      'ที่ ศธ 0206/1411 เรื่อง ประชุม วันที่ 25 พฤศจิกายน 2569',
      { letterDate: null, title: 'ประชุม วันที่ 25 พฤศจิกายน 2569', reference: plain('ศธ 0206/1411') },
    ],
    ['ที่ ศธ 0206/1412 ลงวันที่ 20/11/2026 เรื่อง ทดสอบปีคริสต์ศักราช', { letterDate: on('2026-11-20') }],
    ['ที่: มท.0201.2/ว.5951 ลงวันที่: 23 สิงหาคม 2564 เรื่อง: การกำหนดที่อยู่', { reference: circular('มท 0201.2/ว 5951'), title: 'การกำหนดที่อยู่' }],
    [
      'ที่ ศธ 0206/1413 ลว. 20 พ.ย. 69 เรื่อง ขอข้อมูล ด่วนที่สุด',
      { urgency: { level: 'ด่วนที่สุด', deadline: null }, title: 'ขอข้อมูล', letterDate: on('2026-11-20') },
    ],
    ['ที่ สธ ๐๒๐๑.๐๓/ว 88 ลงวันที่ 2 ม.ค. 2570 เรื่อง ลับที่สุด แผนป้องกัน', { secrecy: 'ลับที่สุด', title: 'แผนป้องกัน' }],
  ])('reads "%s"', (subject, expected) => {
    expect(readLetterMetadata({ subject })).toMatchObject(expected);
  });
});

describe('the reference (ที่)', () => {
  it.each([
    ['ที่ ศธ 0206/1457', 'ศธ 0206/1457', 'ศธ 0206/1457', false],
    ['ที่:ศธ 0206/1457', 'ศธ 0206/1457', 'ศธ 0206/1457', false],
    ['ศธ ๐๒๐๖/๑๔๕๗', 'ศธ ๐๒๐๖/๑๔๕๗', 'ศธ 0206/1457', false],
    ['ที่ มท ๐๒๐๑.๒/ว๕๙๕๑', 'มท ๐๒๐๑.๒/ว๕๙๕๑', 'มท 0201.2/ว 5951', true],
    ['ที่ ตย 51001/ว.332', 'ตย 51001/ว.332', 'ตย 51001/ว 332', true],
    ['ที่ ศธ0206 / 1457', 'ศธ0206 / 1457', 'ศธ 0206/1457', false],
    ['ที่ ผวก. 1001/238', 'ผวก. 1001/238', 'ผวก 1001/238', false],
  ])('reads %s as written %s, normalised %s', (text, written, normalised, circular) => {
    expect(parseReference(text)).toEqual({ written, normalised, circular });
  });

  it('does not take a run of numbers hundreds of characters long for a reference', () => {
    expect(parseReference(`ที่ ศธ 0206${'.1'.repeat(100)}/1`)).toBeNull();
    expect(parseReference(`ที่ ศธ 0206${'.1'.repeat(100)}/1 ที่ ศธ 0206/1457`)?.normalised).toBe('ศธ 0206/1457');
  });

  it('takes the one marked ที่ over a bare one', () => {
    expect(parseReference('ศธ 0206/1 ขอส่ง ที่ มท 0201.2/ว 5951')?.normalised).toBe('มท 0201.2/ว 5951');
  });

  it('does not take the reference of another letter on an อ้างถึง line', () => {
    expect(parseReference('อ้างถึง หนังสือ ที่ มท 0201/ว 1 ลงวันที่ 1 ต.ค. 2569')).toBeNull();
    expect(parseReference('อ้างถึง หนังสือ ที่ มท 0201/ว 1\nที่ ศธ 0206/1457')?.normalised).toBe('ศธ 0206/1457');
  });

  it('does not take the reference and date of the letter being answered (ตามหนังสือ...)', () => {
    const subject = 'ขอส่งหนังสือตอบกลับ ตามหนังสือที่ ศธ 0206/1457 ลงวันที่ 20 พฤศจิกายน 2569';
    expect(parseReference(subject)).toBeNull();
    expect(readLetterMetadata({ subject })).toMatchObject({ reference: null, letterDate: null, title: subject, titleGuessed: true });
    const page = 'ที่ ศธ 0206/1500\nเรื่อง ตอบข้อหารือ\nเรียน ปลัดกระทรวง\nตามหนังสือกระทรวงมหาดไทย ที่ มท 0201/ว 1 ลงวันที่ 1 ต.ค. 2569 นั้น';
    expect(readLetterMetadata({ subject: '', firstPage: page })).toMatchObject({
      reference: { normalised: 'ศธ 0206/1500' },
      letterDate: null,
    });
  });

  it('does not read a short number without ที่ as a reference (ครม. 12/2569)', () => {
    expect(parseReference('ตามมติ ครม. 12/2569')).toBeNull();
  });

  it('does not read dates, telephone numbers, ฉบับที่ or เลขที่ as references', () => {
    expect(parseReference('ลงวันที่ 23/8/64')).toBeNull();
    expect(parseReference('งานสารบรรณ โทร 0 2123 4567')).toBeNull();
    expect(parseReference('ประกาศ ฉบับที่ 2/2569')).toBeNull();
    expect(parseReference('บ้านเลขที่ 12/3 หมู่ 4')).toBeNull();
  });

  it('does not read a code glued to a Thai word', () => {
    expect(parseReference('โทร 0206/1457')).toBeNull();
  });
});

describe('the letter date (ลงวันที่)', () => {
  it.each([
    ['๒๓ สิงหาคม ๒๕๖๔', '2021-08-23'],
    ['23 ส.ค. 64', '2021-08-23'],
    ['23 ส.ค.2564', '2021-08-23'],
    ['23/08/2564', '2021-08-23'],
    ['23/8/64', '2021-08-23'],
    ['ลงวันที่ 20 พฤศจิกายน 2569', '2026-11-20'],
    ['ลว. 21 พ.ย. 69', '2026-11-21'],
    ['21 พย 69', '2026-11-21'],
    ['21 พ. ย. 69', '2026-11-21'],
    ['21 พ.ย 2569', '2026-11-21'],
    ['1 ม.ค. 70', '2027-01-01'],
    ['05 มกราคม 2570', '2027-01-05'],
    ['14 กุมภาพันธ 2569', '2026-02-14'],
    ['28 กรกฏาคม 2569', '2026-07-28'],
    ['20 เดือนพฤศจิกายน พ.ศ. 2569', '2026-11-20'],
    ['20 พฤศจิกายน พ.ศ.๒๕๖๙', '2026-11-20'],
    ['29 ก.พ. 2567', '2024-02-29'],
    ['23/08/2021', '2021-08-23'],
    ['5 ธันวาคม ค.ศ. 2026', '2026-12-05'],
    ['23-08-2564', '2021-08-23'],
    ['23.08.2564', '2021-08-23'],
    ['๒๓/๘/๖๔', '2021-08-23'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseThaiDate(text)?.iso).toBe(iso);
  });

  it('gives the date as written, Thai digits kept', () => {
    expect(parseThaiDate('ลงวันที่ ๒๓ สิงหาคม ๒๕๖๔ เรื่อง')).toEqual({ written: '๒๓ สิงหาคม ๒๕๖๔', iso: '2021-08-23' });
  });

  it.each(['31 กุมภาพันธ์ 2569', '29 ก.พ. 2566', '31 เม.ย. 69', '32/01/2569', '15/13/2569', '0 ม.ค. 70', '23.08.64', '20 พฤศจิกายน พ.ศ. 2026'])(
    'rejects the impossible date %s',
    (text) => {
      expect(parseThaiDate(text)).toBeNull();
    },
  );

  it('rejects a date without a year and a month that is not a month', () => {
    expect(parseThaiDate('21 พ.ย.')).toBeNull();
    expect(parseThaiDate('21 มกรา 2569')).toBeNull();
  });

  it('prefers the date after ลงวันที่, ลว. or วันที่ to an earlier one', () => {
    expect(parseThaiDate('ประชุม 25 พ.ย. 69 หนังสือนี้ลงวันที่ 20 พ.ย. 69')?.iso).toBe('2026-11-20');
    expect(parseThaiDate('ประชุม 25 พ.ย. 69 ลว. 19 พ.ย. 69')?.iso).toBe('2026-11-19');
  });

  it('takes a deadline or a quoted letter date only when there is nothing else', () => {
    expect(parseThaiDate('ภายใน 30 พ.ย. 69 และ 20 พ.ย. 69')?.iso).toBe('2026-11-20');
    expect(parseThaiDate('อ้างถึง หนังสือ ลงวันที่ 1 ต.ค. 69\n20 พ.ย. 69')?.iso).toBe('2026-11-20');
    expect(parseThaiDate('ภายใน 30 พ.ย. 69')?.iso).toBe('2026-11-30');
  });

  it('does not read a time after a date as a 2-digit year', () => {
    expect(parseThaiDate('5 ธ.ค. 16.30 น.')).toBeNull();
  });

  it('skips an impossible date and takes the next one', () => {
    expect(parseThaiDate('ลงวันที่ 31 ก.พ. 69 แก้เป็น 28 ก.พ. 69')?.iso).toBe('2026-02-28');
  });

  it('reads the standalone date line of an external letter from its first page', () => {
    const m = readLetterMetadata({ subject: 'ส่งหนังสือ', firstPage: 'ที่ มท 0201.2/ว 5951\nกระทรวงมหาดไทย\n๒๓ สิงหาคม ๒๕๖๔\nเรื่อง การกำหนดที่อยู่' });
    expect(m.letterDate).toEqual({ written: '๒๓ สิงหาคม ๒๕๖๔', iso: '2021-08-23' });
  });

  it('does not take a date in a sentence of the body or a deadline for the letter date', () => {
    const m = readLetterMetadata({ subject: 'ส่งหนังสือ', body: 'ขอเชิญประชุมในวันที่ 25 พฤศจิกายน 2569\nกรุณาตอบภายในวันที่ 20 พ.ย. 69' });
    expect(m.letterDate).toBeNull();
  });
});

describe('the urgency marking (ชั้นความเร็ว)', () => {
  it.each<[string, string]>([
    ['ด่วนที่สุด', 'ด่วนที่สุด'],
    ['ด่วนมาก ที่ มท 0201/1', 'ด่วนมาก'],
    ['ด่วน ที่ มท 0201/1', 'ด่วน'],
    ['[ด่วนที่สุด] ขอเชิญประชุม', 'ด่วนที่สุด'],
    ['(ด่วนมาก)', 'ด่วนมาก'],
    ['**ด่วน**', 'ด่วน'],
    ['ด่วนที่สุดที่ ศธ 0206/1', 'ด่วนที่สุด'],
    ['ด่วนที่ ศธ 0206/1', 'ด่วน'],
    ['ด่วนมากเรื่อง ขอข้อมูล', 'ด่วนมาก'],
    ['ด่วนๆ ขอข้อมูล', 'ด่วน'],
    ['ด่วนมากๆ', 'ด่วนมาก'],
    ['ด่วน มาก', 'ด่วนมาก'],
    ['ด่วน ด่วนที่สุด', 'ด่วนที่สุด'],
  ])('reads %s as %s', (text, level) => {
    expect(parseUrgency(text)?.level).toBe(level);
  });

  it.each(['ขอเชิญประชุมด่วน', 'ไม่ด่วน', 'ใช้ทางด่วนพิเศษ', 'ด่วนจี๋', 'ด่วนที่สุดที่ประชุม', 'เรื่อง ขอเชิญประชุม ด่วน ในวันพรุ่งนี้', ''])(
    'finds no urgency marking in "%s"',
    (text) => {
      expect(parseUrgency(text)).toBeNull();
    },
  );

  it.each<[string, string, string]>([
    ['ด่วนภายใน 25 พ.ย. 69 เวลา 16.30 น.', '25 พ.ย. 69 เวลา 16.30 น.', '2026-11-25T16:30'],
    ['ด่วนภายใน ๒๕ พฤศจิกายน ๒๕๖๙ ๑๖:๓๐ น.', '๒๕ พฤศจิกายน ๒๕๖๙ ๑๖:๓๐ น.', '2026-11-25T16:30'],
    ['ด่วนภายใน เวลา 10.00 น. วันที่ 1 ธ.ค. 2569', 'เวลา 10.00 น. วันที่ 1 ธ.ค. 2569', '2026-12-01T10:00'],
    ['ด่วนภายในวันที่ 30 พฤศจิกายน 2569', '30 พฤศจิกายน 2569', '2026-11-30'],
    ['ด่วนภายใน 30/11/69 ก่อนเวลา 12.00 น.', '30/11/69 ก่อนเวลา 12.00 น.', '2026-11-30T12:00'],
    ['ด่วนภายใน 25 พ.ย. 69 เวลา 25.00 น.', '25 พ.ย. 69 เวลา 25.00 น.', '2026-11-25'],
    ['ด่วนภายใน 25 พ.ย. 69 16.30', '25 พ.ย. 69', '2026-11-25'],
  ])('reads the deadline of %s as %s, %s', (text, written, iso) => {
    expect(parseUrgency(text)).toEqual({ level: 'ด่วนภายใน', deadline: { written, iso } });
  });

  it('reads ด่วนภายใน without a readable date as urgent with no deadline', () => {
    expect(parseUrgency('ด่วนภายในวันนี้')).toEqual({ level: 'ด่วนภายใน', deadline: null });
    expect(parseUrgency('ด่วนภายใน 31 พ.ย. 69')).toEqual({ level: 'ด่วนภายใน', deadline: null });
    expect(parseUrgency('ด่วนภายใน 16.30 น.')).toEqual({ level: 'ด่วนภายใน', deadline: null });
  });
});

describe('the secrecy marking (ชั้นความลับ)', () => {
  it.each<[string, string]>([
    ['ลับที่สุด ที่ ตช 0011.23/77', 'ลับที่สุด'],
    ['ลับมาก', 'ลับมาก'],
    ['ลับ ที่ กห 0204/88', 'ลับ'],
    ['[ลับ] ขอส่งข้อมูล', 'ลับ'],
    ['(ลับ)', 'ลับ'],
    ['ลับ ลับที่สุด', 'ลับที่สุด'],
    ['ชั้นความลับ: ลับมาก', 'ลับมาก'],
    ['ด่วนที่สุด ลับ ที่ ตช 0011/1', 'ลับ'],
    ['ลับที่สุดที่ ตช 0011.23/77', 'ลับที่สุด'],
  ])('reads %s as %s', (text, level) => {
    expect(parseSecrecy(text)).toBe(level);
  });

  it.each(['ความลับของทางราชการ', 'สลับวันหยุด', 'อำเภอลับแล', 'ลับแล', 'ลับๆ ล่อๆ', 'เปิดเผยความลับ', 'เรื่อง การจัดส่งเอกสาร ลับ ทางไปรษณีย์', ''])(
    'finds no secrecy marking in "%s"',
    (text) => {
      expect(parseSecrecy(text)).toBeNull();
    },
  );
});

describe('the title (เรื่อง)', () => {
  it.each<[string, string | null]>([
    ['เรื่อง ขอเชิญประชุม', 'ขอเชิญประชุม'],
    ['เรื่อง: ขอเชิญประชุม', 'ขอเชิญประชุม'],
    ['เรื่อง : ขอเชิญประชุม', 'ขอเชิญประชุม'],
    ['ที่ ศธ 0206/1 เรื่อง ขอเชิญประชุม ลงวันที่ 20 พ.ย. 69', 'ขอเชิญประชุม'],
    ['เรื่อง ขอเชิญประชุม ที่ ศธ 0206/1', 'ขอเชิญประชุม'],
    ['เรื่อง ขอเชิญประชุม ที่ห้องประชุม 1', 'ขอเชิญประชุม ที่ห้องประชุม 1'],
    ['เรื่อง ขอเชิญประชุม ที่ ห้องประชุม 1', 'ขอเชิญประชุม ที่ ห้องประชุม 1'],
    ['เรื่อง ขอเชิญประชุม\nเรียน ผู้ว่าราชการจังหวัด', 'ขอเชิญประชุม'],
    ['เรื่อง   ขอความ   อนุเคราะห์  ', 'ขอความ อนุเคราะห์'],
    ['เรื่อง สำานักงานใหม่', 'สำนักงานใหม่'],
    ['เรื่อง [ด่วน] ขอข้อมูล (ลับ)', 'ขอข้อมูล'],
    ['เรื่อง ขอข้อมูล -', 'ขอข้อมูล'],
    ['ในเรื่องนี้ขอให้', null],
    ['เรื่อง ', null],
    ['เรื่อง ลงวันที่ 20 พ.ย. 69', null],
    ['ขอเชิญประชุม', null],
  ])('reads the title of %j as %j', (text, title) => {
    expect(parseTitle(text)).toBe(title);
  });

  it('joins a title that wraps onto the next line of the letter, before เรียน', () => {
    const page = 'ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑\nเรื่อง การกำหนดที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง\nของส่วนราชการ\nเรียน ผู้ว่าราชการจังหวัดทุกจังหวัด';
    expect(parseTitle(page)).toBe('การกำหนดที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลางของส่วนราชการ');
  });

  it('joins wrapped lines with a space where they do not meet between Thai letters', () => {
    expect(parseTitle('เรื่อง ขอเชิญร่วมงาน Thailand\nDigital Day 2569\nเรียน ท่านผู้สนใจ')).toBe('ขอเชิญร่วมงาน Thailand Digital Day 2569');
  });

  it('does not join the lines that follow when no เรียน line closes them', () => {
    expect(parseTitle('เรื่อง ขอเชิญประชุม\nด้วยสำนักงานมีความประสงค์\nจึงขอเชิญ\nประชุม\nเรียนมาเพื่อทราบ')).toBe('ขอเชิญประชุม');
  });
});

describe('the addressee (เรียน)', () => {
  it.each<[string, string | null]>([
    ['เรียน ผู้ว่าราชการจังหวัดตัวอย่าง\nส่งหนังสือตามไฟล์แนบ', 'ผู้ว่าราชการจังหวัดตัวอย่าง'],
    ['เรียน: นายอำเภอทุกอำเภอ', 'นายอำเภอทุกอำเภอ'],
    ['เรียนผู้อำนวยการสำนักงาน', 'ผู้อำนวยการสำนักงาน'],
    ['เรียน ผู้อำนวยการโรงเรียน เรื่อง การสอบ', 'ผู้อำนวยการโรงเรียน'],
    ['เรื่อง ขอเชิญ เรียน อธิบดีกรมการปกครอง', 'อธิบดีกรมการปกครอง'],
    ['จึงเรียนมาเพื่อโปรดพิจารณา', null],
    ['เรียนรู้ตลอดชีวิต', null],
    ['เรียน', null],
    ['', null],
    // The addressee ends where the text of the letter begins on its line, not at the line's end.
    ['เรียน ผู้ว่าราชการจังหวัด แจ้งผลตามแนบ', 'ผู้ว่าราชการจังหวัด'],
    ['เรียน นายอำเภอ ขอส่งรายงานตามเอกสารแนบ', 'นายอำเภอ'],
    ['เรียน ผู้ว่าราชการจังหวัดทุกจังหวัด ด้วยกระทรวงมหาดไทยได้กำหนด', 'ผู้ว่าราชการจังหวัดทุกจังหวัด'],
    ['เรียน ผู้ว่าราชการจังหวัด ทุกจังหวัด ตามหนังสือที่อ้างถึง', 'ผู้ว่าราชการจังหวัด ทุกจังหวัด'],
    ['เรียน ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษาประถมศึกษาตัวอย่าง เขต 1', 'ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษาประถมศึกษาตัวอย่าง เขต 1'],
    ['เรียน ผู้ว่าราชการจังหวัด ขอนแก่น', 'ผู้ว่าราชการจังหวัด ขอนแก่น'],
    ['เรียน ผู้อำนวยการสำนักงาน ส่งเสริมการเรียนรู้ จึงเรียนมาเพื่อโปรดทราบ', 'ผู้อำนวยการสำนักงาน ส่งเสริมการเรียนรู้'],
  ])('reads the addressee of %j as %j', (text, addressee) => {
    expect(parseAddressee(text)).toBe(addressee);
  });
});

describe('Thai text from a PDF text layer', () => {
  it('reads the markings of a first page whose marks pdf.js doubled (สำา, ข้อมููล) as written', () => {
    const page = [
      'ที่ ศธ 0206/1457',
      'สำานักงานเขตพื้นที่การศึกษาประถมศึกษาตัวอย่าง เขต 1',
      'เรื่อง ขอความอนุเคราะห์ข้อมููลสถานศึกษาในพื้นที่',
      'เรียน นายอำเภอเมืองตัวอย่าง แจ้งผลตามแนบ',
    ].join('\n');
    expect(readLetterMetadata({ subject: '', firstPage: page })).toMatchObject({
      title: 'ขอความอนุเคราะห์ข้อมูลสถานศึกษาในพื้นที่',
      addressee: 'นายอำเภอเมืองตัวอย่าง',
    });
  });
});

describe('combining the subject, the body and the first page', () => {
  it('takes each field from the first source that has it', () => {
    const m = readLetterMetadata({
      subject: 'ที่ ศธ 0206/1457 เรื่อง ขอความอนุเคราะห์',
      body: 'ที่ ศธ 0206/9999 ลงวันที่ 1 ม.ค. 2570\nเรียน ผู้ว่าราชการจังหวัด',
      firstPage: 'ที่ ศธ 0206/8888\nวันที่ 20 พฤศจิกายน 2569\nเรื่อง อื่น\nเรียน นายอำเภอ',
    });
    expect(m).toMatchObject({
      reference: { normalised: 'ศธ 0206/1457' },
      letterDate: { iso: '2027-01-01' },
      title: 'ขอความอนุเคราะห์',
      addressee: 'ผู้ว่าราชการจังหวัด',
    });
    expect(m.foundIn).toEqual({ reference: 'subject', title: 'subject', letterDate: 'body', addressee: 'body' });
  });

  it('takes the strictest secrecy marking of all sources, so a ลับที่สุด letter is never missed', () => {
    const m = readLetterMetadata({ subject: 'ลับ ที่ ตช 0011/5 เรื่อง ข้อมูล', firstPage: 'ลับที่สุด\nที่ ตช 0011/5' });
    expect(m.secrecy).toBe('ลับที่สุด');
    expect(m.foundIn?.secrecy).toBe('firstPage');
  });

  it('prefers a title after เรื่อง in the PDF to a title guessed from the subject line', () => {
    const m = readLetterMetadata({ subject: 'ส่งหนังสือราชการ', firstPage: FIXTURE_FIRST_PAGE });
    expect(m.title).toBe('ขอความอนุเคราะห์ข้อมูลสถานศึกษาในพื้นที่');
    expect(m.titleGuessed).toBeUndefined();
    expect(m.foundIn?.title).toBe('firstPage');
  });

  it('reads the urgency from the body when the subject has none', () => {
    const m = readLetterMetadata({ subject: 'ที่ ศธ 0206/1 เรื่อง ขอข้อมูล', body: 'ด่วนภายใน 30 พ.ย. 69\nเรียน ผู้ว่าราชการจังหวัด' });
    expect(m.urgency).toEqual({ level: 'ด่วนภายใน', deadline: { written: '30 พ.ย. 69', iso: '2026-11-30' } });
    expect(m.letterDate).toBeNull();
  });

  it('reads the same way however many letters were read before (no state is kept between calls)', () => {
    const first = readLetterMetadata({ subject: '', body: 'เรียน นายอำเภอ', firstPage: FIXTURE_FIRST_PAGE });
    for (let i = 0; i < 3; i++) {
      readLetterMetadata({ subject: 'x', firstPage: FIXTURE_FIRST_PAGE });
      expect(readLetterMetadata({ subject: '', body: 'เรียน นายอำเภอ', firstPage: FIXTURE_FIRST_PAGE })).toEqual(first);
    }
    expect(first.addressee).toBe('นายอำเภอ');
  });

  it('gives no guessed title when the subject holds only recognised parts', () => {
    expect(readLetterMetadata({ subject: 'Fwd: ด่วน ที่ ศธ 0206/1 ลว. 1 ม.ค. 70' }).title).toBeNull();
  });
});

describe('garbage in, nulls out', () => {
  it.each([
    '',
    '   ',
    '\n\n\n',
    '!!!@@@###',
    'ที่',
    'เรื่อง',
    'ลงวันที่',
    'เรียน',
    '\u0000\uFFFD\uD800',
    '/////////',
    '๐๑๒/๓๔๕/๖๗๘',
    '���¹ �������Ҫ��èѧ��Ѵ',
  ])('reads nothing from %j and does not throw', (text) => {
    const m = readLetterMetadata({ subject: text, body: text, firstPage: text });
    expect(m).toMatchObject({ ...nothing });
    for (const parse of [parseReference, parseThaiDate, parseUrgency, parseSecrecy, parseTitle, parseAddressee]) {
      expect(parse(text)).toBeNull();
    }
  });

  it('names what failed when the sources cannot be read, and reads nothing', () => {
    const unreadable = {
      get subject(): string {
        throw new Error('subject went away');
      },
    };
    expect(readLetterMetadata(unreadable)).toMatchObject({
      ...nothing,
      problems: [{ kind: 'metadata-unreadable', field: null, source: null, detail: 'subject went away' }],
    });
  });

  it('names no problem when every finder ran', () => {
    expect(readLetterMetadata({ subject: 'ที่ ศธ 0206/1 เรื่อง ขอข้อมูล', body: 'เรียน ผู้ว่าราชการจังหวัด' })).not.toHaveProperty('problems');
  });

  it('survives values that are not strings', () => {
    const odd = [undefined, null, 42, {}, []] as unknown as string[];
    for (const value of odd) {
      expect(readLetterMetadata({ subject: value, body: value, firstPage: value })).toMatchObject(nothing);
      expect(parseReference(value)).toBeNull();
      expect(parseThaiDate(value)).toBeNull();
      expect(parseTitle(value)).toBeNull();
    }
    expect(readLetterMetadata(undefined as unknown as { subject: string })).toMatchObject(nothing);
  });

  it.each([
    ['a long run of separators after a title', 'เรื่อง ก' + '- '.repeat(9000) + 'x'],
    ['thousands of dates on one line', '1 ม.ค. 69 '.repeat(2000)],
    ['thousands of เรื่อง', 'เรื่อง '.repeat(3000)],
    ['thousands of deadlines', 'ด่วนภายใน เวลา 1.00 น. '.repeat(800)],
  ])('reads %s quickly', (_, text) => {
    const started = Date.now();
    readLetterMetadata({ subject: text, body: text, firstPage: text });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('reads a megabyte of text quickly', () => {
    const big = 'ที่ ด่วน ลับ เรื่อง 1/2/3 '.repeat(40_000);
    const started = Date.now();
    readLetterMetadata({ subject: big, body: big, firstPage: big });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe("the attached file's name, where a clerk wrote what the scan cannot tell", () => {
  it('reads a reference with - or _ where the name could not hold a slash, and its ลว date', () => {
    expect(fileNameText('ศธ 04002-ว123 ลว 5 ม.ค. 70.pdf')).toBe('ศธ 04002/ว123 ลว 5 ม.ค. 70');
    expect(fileNameText('มท0201.2_ว5951_ลว.20พ.ย.69.PDF')).toBe('มท0201.2/ว5951 ลว.20พ.ย.69');
    const read = readLetterMetadata({ subject: 'ส่งหนังสือ', body: 'ส่งหนังสือตามแนบ', fileNames: ['ศธ 04002-ว123 ลว 5 ม.ค. 70.pdf'] });
    expect(read.reference).toEqual({ written: 'ศธ 04002/ว123', normalised: 'ศธ 04002/ว 123', circular: true });
    expect(read.letterDate).toEqual({ written: '5 ม.ค. 70', iso: '2027-01-05' });
    expect(read.foundIn).toMatchObject({ reference: 'fileName', letterDate: 'fileName' });
  });

  it("reads the file name last: what the letter's own text says wins", () => {
    const read = readLetterMetadata({
      subject: 'ที่ ศธ 0206/ว1457 ลงวันที่ 20 พฤศจิกายน 2569 เรื่อง ขอเชิญประชุม',
      fileNames: ['ศธ 04002-ว123 ลว 5 ม.ค. 70.pdf'],
    });
    expect(read.reference?.normalised).toBe('ศธ 0206/ว 1457');
    expect(read.letterDate?.iso).toBe('2026-11-20');
  });

  it('takes only a reference or a date from a file name, never a title or a marking', () => {
    const read = readLetterMetadata({ subject: 'ส่งหนังสือ', fileNames: ['เรื่อง ลับที่สุด ด่วนที่สุด ขอเชิญประชุม.pdf', 'scan001.pdf'] });
    expect(read).toMatchObject({ reference: null, letterDate: null, secrecy: null, urgency: null });
    expect(read.title).toBe('ส่งหนังสือ');
  });
});
