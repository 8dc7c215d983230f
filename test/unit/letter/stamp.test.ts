import { STAMP_REASONS, stampedFileName, stampReasonText, stampSource } from '../../../letter/stamp';

const file = (filename: string, contentType: string) => ({ filename, contentType, size: 1, sha256: filename });

describe("the receipt stamp's record", () => {
  it('goes on the first PDF, known by its type or its name, and counts its place from 1', () => {
    const cover = file('บันทึก.txt', 'text/plain');
    expect(stampSource([cover, file('หนังสือ.PDF', 'application/octet-stream'), file('b.pdf', 'application/pdf')])).toEqual({
      n: 2,
      file: file('หนังสือ.PDF', 'application/octet-stream'),
    });
    expect(stampSource([cover, file('scan', 'Application/PDF')])?.n).toBe(2);
    expect(stampSource([cover, file('รูป.jpg', 'image/jpeg')])).toBeNull();
    expect(stampSource([])).toBeNull();
  });

  it('words every reason in Thai for officers, and shows a code it does not know as it is', () => {
    for (const [code, text] of Object.entries(STAMP_REASONS)) {
      expect(stampReasonText(code)).toBe(text);
      expect(text).toMatch(/^[\u0E00-\u0E7F]/);
    }
    expect(stampReasonText('pdf-encrypted')).toContain('เข้ารหัส');
    expect(stampReasonText('from-a-later-release')).toBe('from-a-later-release');
    expect(stampReasonText('toString')).toBe('toString');
  });

  it('names the stamped copy after the original', () => {
    expect(stampedFileName('หนังสือเชิญประชุม.pdf')).toBe('หนังสือเชิญประชุม-ตรารับ.pdf');
    expect(stampedFileName('scan')).toBe('scan-ตรารับ.pdf');
    expect(stampedFileName('.PDF')).toBe('หนังสือ-ตรารับ.pdf');
  });
});
