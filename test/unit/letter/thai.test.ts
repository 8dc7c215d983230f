import {
  normaliseReference,
  normaliseThaiLines,
  normaliseThaiText,
  THAI_MONTH_ABBREVIATIONS,
  THAI_MONTHS,
  thaiMonthNumber,
  toArabicDigits,
} from '../../../letter/thai';

describe('Thai digits', () => {
  it('turns every Thai digit into its Arabic digit', () => {
    expect(toArabicDigits('๐๑๒๓๔๕๖๗๘๙')).toBe('0123456789');
  });

  it('keeps everything else, so positions in the result match the input', () => {
    const text = 'ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑ ลงวันที่ 23 ส.ค. ๒๕๖๔';
    expect(toArabicDigits(text)).toBe('ที่ มท 0201.2/ว 5951 ลงวันที่ 23 ส.ค. 2564');
    expect(toArabicDigits(text)).toHaveLength(text.length);
  });
});

describe('normalising Thai text', () => {
  it('repairs the PDF artifact สำา to สำ', () => {
    expect(normaliseThaiText('สำานักงานเขตพื้นที่การศึกษา')).toBe('สำนักงานเขตพื้นที่การศึกษา');
  });

  it('keeps one of a mark a PDF text layer repeats', () => {
    // pdf.js gives ข้อมููล (sara uu twice) for ข้อมูล, and ที่่ for ที่.
    expect(normaliseThaiText('ขอความอนุเคราะห์ข้อมููลสถานศึกษา ที่่ตั้ง')).toBe('ขอความอนุเคราะห์ข้อมูลสถานศึกษา ที่ตั้ง');
    // ผููว่า (U+0E39 twice) is written ผู้ว่า: the tone mark the repeat stands for cannot be known, so
    // it reads ผูว่า, the same as the text with the repeat and without it.
    expect(normaliseThaiText('ผููว่าราชการจังหวัด')).toBe('ผูว่าราชการจังหวัด');
    expect(normaliseThaiText('ผู้ว่าราชการจังหวัด')).toBe('ผู้ว่าราชการจังหวัด');
  });

  it('composes nikhahit and sara aa into sara am', () => {
    expect(normaliseThaiText('ส\u0E4D\u0E32นัก')).toBe('สำนัก');
  });

  it('composes sara am when the tone mark sits before or after the nikhahit', () => {
    expect(normaliseThaiText('น\u0E49\u0E4D\u0E32')).toBe('น้ำ');
    expect(normaliseThaiText('น\u0E4D\u0E49\u0E32')).toBe('น้ำ');
  });

  it('puts the upper vowel before the tone mark (ท่ี is ที่)', () => {
    expect(normaliseThaiText('ท\u0E48\u0E35 มท')).toBe('ที่ มท');
  });

  it('maps the legacy font glyphs of the Private Use Area back to Thai letters', () => {
    expect(normaliseThaiText('ท\uF70A\u0E35')).toBe('ที่');
    expect(normaliseThaiText('ป\uF701ด')).toBe('ปิด');
  });

  it('reads two sara e typed for sara ae as sara ae', () => {
    expect(normaliseThaiText('\u0E40\u0E40จ้งกำหนดการ')).toBe('แจ้งกำหนดการ');
  });

  it('removes zero-width characters that break matching', () => {
    expect(normaliseThaiText('ที่\u200Bมท\uFEFF ๐๒๐๑')).toBe('ที่มท ๐๒๐๑');
  });

  it('collapses spaces, tabs, no-break spaces and line breaks into single spaces', () => {
    expect(normaliseThaiText('  เรื่อง\t\u00A0ขอเชิญ\r\n\r\nประชุม  ')).toBe('เรื่อง ขอเชิญ ประชุม');
  });

  it('applies Unicode NFC', () => {
    expect(normaliseThaiText('Cafe\u0301')).toBe('Caf\u00E9');
  });

  it('keeps Thai digits as they were written', () => {
    expect(normaliseThaiText('ลงวันที่ ๒๓ สิงหาคม ๒๕๖๔')).toBe('ลงวันที่ ๒๓ สิงหาคม ๒๕๖๔');
  });

  it('keeps line breaks when asked for lines, dropping empty ones', () => {
    expect(normaliseThaiLines('ที่ ศธ 0206/1457\r\n\r\n  สำานักงาน   เขต 1 \nเรื่อง  ทดสอบ')).toBe('ที่ ศธ 0206/1457\nสำนักงาน เขต 1\nเรื่อง ทดสอบ');
  });

  it('drops control characters, and reads vertical tab and form feed as line breaks', () => {
    expect(normaliseThaiText('ที่\u0000 มท\u0007')).toBe('ที่ มท');
    expect(normaliseThaiLines('เรื่อง ก\vเรียน ข\fจบ')).toBe('เรื่อง ก\nเรียน ข\nจบ');
  });

  it('turns empty and blank text into the empty string', () => {
    expect(normaliseThaiText('')).toBe('');
    expect(normaliseThaiText(' \n\t ')).toBe('');
  });
});

describe('the normalised reference (ที่) for search and duplicate checks', () => {
  it.each([
    ['มท ๐๒๐๑.๒/ว ๕๙๕๑', 'มท 0201.2/ว 5951'],
    ['ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑', 'มท 0201.2/ว 5951'],
    ['ที่ ตย ๕๑๐๐๑/ว ๓๓๒', 'ตย 51001/ว 332'],
    ['ตย 51001/ว.332', 'ตย 51001/ว 332'],
    ['ตย 51001/ว๓๓๒', 'ตย 51001/ว 332'],
    ['ที่: ศธ0206 / 1457', 'ศธ 0206/1457'],
    ['ศธ  ๐๒๐๖/๑๔๕๗', 'ศธ 0206/1457'],
    ['ศธ ๐206/14๕7', 'ศธ 0206/1457'],
    ['มท.0201.2/ว5951', 'มท 0201.2/ว 5951'],
    ['ที่ ผวก. 1001/238', 'ผวก 1001/238'],
    ['สธ 0032.301/915', 'สธ 0032.301/915'],
  ])('writes %s as %s', (written, normalised) => {
    expect(normaliseReference(written)).toBe(normalised);
  });

  it('makes the Thai-digit and Arabic-digit forms of one reference equal', () => {
    expect(normaliseReference('ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑')).toBe(normaliseReference('มท 0201.2/ว5951'));
  });

  it('still cleans text that is not shaped like a reference', () => {
    expect(normaliseReference('ที่  หนังสือ   เวียน ๑')).toBe('หนังสือ เวียน 1');
    expect(normaliseReference('')).toBe('');
  });
});

describe('Thai month names', () => {
  it('lists twelve full names and twelve abbreviations, January first', () => {
    expect(THAI_MONTHS).toHaveLength(12);
    expect(THAI_MONTH_ABBREVIATIONS).toHaveLength(12);
    expect(THAI_MONTHS[0]).toBe('มกราคม');
    expect(THAI_MONTH_ABBREVIATIONS[11]).toBe('ธ.ค.');
  });

  it('numbers every full name and every abbreviation 1 to 12', () => {
    THAI_MONTHS.forEach((name, i) => expect(thaiMonthNumber(name)).toBe(i + 1));
    THAI_MONTH_ABBREVIATIONS.forEach((abbr, i) => expect(thaiMonthNumber(abbr)).toBe(i + 1));
  });

  it.each([
    ['สค', 8],
    ['ส. ค.', 8],
    ['พ.ย', 11],
    ['มี.ค.', 3],
    ['ม.ค.', 1],
    ['กุมภาพันธ', 2],
    ['กรกฏาคม', 7],
  ])('reads the variant %s as month %i', (name, month) => {
    expect(thaiMonthNumber(name)).toBe(month);
  });

  it('does not read a word that is not a month', () => {
    expect(thaiMonthNumber('มกรา')).toBeNull();
    expect(thaiMonthNumber('พ.ศ.')).toBeNull();
    expect(thaiMonthNumber('')).toBeNull();
  });
});
