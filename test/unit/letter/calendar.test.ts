import { bangkokDate, bangkokParts, buddhistYear, formatIsoBangkok, formatThaiDateTime, toThaiDigits } from '../../../letter/calendar';

describe('the register year', () => {
  it('is the Buddhist-era year in Bangkok: 2026-12-31T17:30Z is already 1 January 2570', () => {
    expect(buddhistYear(new Date('2026-12-31T17:30:00Z'))).toBe(2570);
  });

  it('stays 2569 until midnight in Bangkok (16:59:59Z)', () => {
    expect(buddhistYear(new Date('2026-12-31T16:59:59Z'))).toBe(2569);
    expect(buddhistYear(new Date('2026-12-31T17:00:00Z'))).toBe(2570);
  });

  it('reads calendar fields in Bangkok time', () => {
    expect(bangkokParts(new Date('2026-02-28T20:05:09Z'))).toEqual({ year: 2026, month: 3, day: 1, hour: 3, minute: 5, second: 9 });
  });
});

describe('Thai dates for people', () => {
  it('writes the date and time of receipt in the Thai calendar', () => {
    expect(formatThaiDateTime(new Date('2026-12-31T17:30:00Z'))).toBe('1 มกราคม 2570 เวลา 00.30 น.');
    expect(formatThaiDateTime(new Date('2026-11-20T02:05:00Z'))).toBe('20 พฤศจิกายน 2569 เวลา 09.05 น.');
  });

  it('writes the English line in ISO form with the offset', () => {
    expect(formatIsoBangkok(new Date('2026-12-31T17:30:00Z'))).toBe('2027-01-01 00:30 (UTC+07:00)');
  });

  it('gives the Bangkok date, which turns at midnight UTC+7', () => {
    expect(bangkokDate(new Date('2026-12-31T16:59:00Z'))).toBe('2026-12-31');
    expect(bangkokDate(new Date('2026-12-31T17:00:00Z'))).toBe('2027-01-01');
  });

  it('turns Arabic digits into Thai digits', () => {
    expect(toThaiDigits('เลขรับ 1234/2569')).toBe('เลขรับ ๑๒๓๔/๒๕๖๙');
  });
});
