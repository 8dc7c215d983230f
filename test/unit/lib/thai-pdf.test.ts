import { PDFDocument } from 'pdf-lib';
import { embedThaiFonts, scriptRuns, textWidth, wrapText, type ThaiFonts } from '../../../lib/thai-pdf';

describe('Thai text in the PDFs we draw', () => {
  let fonts: ThaiFonts;
  beforeAll(async () => {
    fonts = await embedThaiFonts(await PDFDocument.create());
  });

  it('cuts a line into runs of one script each, spaces kept with the Thai run, and the runs joined are the line', () => {
    expect(scriptRuns('No. 123 ที่ นั้น')).toEqual(['No. 123', ' ที่ นั้น']);
    expect(scriptRuns('ที่อยู่ saraban@moi.go.th (กลาง)')).toEqual(['ที่อยู่ ', 'saraban@moi.go.th (', 'กลาง', ')']);
    expect(scriptRuns('มท ๐๒๐๑.๒/ว ๕๙๕๑')).toEqual(['มท ๐๒๐๑', '.', '๒', '/', 'ว ๕๙๕๑']);
    expect(scriptRuns('Test Office')).toEqual(['Test Office']);
    expect(scriptRuns('')).toEqual([]);
    for (const text of ['เวลา 08.30–16.30 น. (Mon–Fri)', ' นำ้ ', 'a ก b ข']) expect(scriptRuns(text).join('')).toBe(text);
  });

  it('measures a line as the runs it is drawn in, so a mixed line is as wide as its runs side by side', () => {
    const line = 'โทร 0 2123 4567 ต่อ 101';
    const runs = scriptRuns(line);
    expect(runs.length).toBeGreaterThan(2);
    const sum = runs.reduce((w, run) => w + fonts.regular.widthOfTextAtSize(run, 14), 0);
    expect(textWidth(line, fonts.regular, 14)).toBeCloseTo(sum, 6);
    expect(textWidth(line, fonts.bold, 14)).toBeGreaterThan(textWidth(line, fonts.regular, 14));
    expect(textWidth(line, fonts.regular, 28)).toBeCloseTo(2 * textWidth(line, fonts.regular, 14), 6);
  });

  it('breaks Thai text written without spaces between its words into lines that fit, losing nothing but the spaces at the breaks', () => {
    const text = 'นักจัดการงานทั่วไปชำนาญการพิเศษ รักษาราชการแทนหัวหน้างานสารบรรณ สำนักงานปลัดกระทรวงมหาดไทย';
    const width = 120;
    const lines = wrapText(text, fonts.regular, 14, width);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(textWidth(line, fonts.regular, 14)).toBeLessThanOrEqual(width);
    expect(lines.join('')).toBe(text.replace(/ /g, ''));
    // Between words ICU knows: never inside สำนักงาน, ราชการ or สารบรรณ.
    for (const word of ['สำนักงาน', 'ราชการ', 'สารบรรณ', 'มหาดไทย']) expect(lines.some((l) => l.includes(word))).toBe(true);
  });

  it('keeps punctuation with what it follows, a time range and an e-mail address whole, and its own line breaks', () => {
    const lines = wrapText('วันจันทร์ถึงวันศุกร์ เวลา ๐๘.๓๐–๑๖.๓๐ น. เว้นวันหยุดราชการ', fonts.regular, 14, 220);
    expect(lines.every((l) => !l.startsWith('.'))).toBe(true);
    expect(lines.some((l) => l.includes('๐๘.๓๐–๑๖.๓๐'))).toBe(true);
    expect(lines.some((l) => l.includes('น.'))).toBe(true);
    expect(wrapText('saraban@moi.go.th\nsaraban-hr@moi.go.th', fonts.regular, 14, 200)).toEqual([
      'saraban@moi.go.th',
      'saraban-hr@moi.go.th',
    ]);
    expect(wrapText('', fonts.regular, 14, 100)).toEqual(['']);
  });

  it('cuts a word wider than the line between characters, never between a letter and its marks', () => {
    const lines = wrapText('ผู้อำนวยการสำนักงานปลัดกระทรวงมหาดไทย', fonts.regular, 14, 30);
    expect(lines.length).toBeGreaterThan(4);
    expect(lines.join('')).toBe('ผู้อำนวยการสำนักงานปลัดกระทรวงมหาดไทย');
    // No line starts with a mark above or below (ั ิ ี ึ ื ุ ู ฺ ็ ่ ้ ๊ ๋ ์ ํ ๎) or sara am.
    for (const line of lines) expect(line).not.toMatch(/^[\u0E31\u0E33-\u0E3A\u0E47-\u0E4E]/);
  });
});
