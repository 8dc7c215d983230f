import { bangkokParts, formatThaiDate, formatThaiDateTime, TIME_ZONE, toThaiDigits } from '../../letter/calendar';

/** How the desk writes numbers, dates and times on its pages: the Thai calendar, Thai or Arabic digits (desk.digits). */
export interface DeskFormat {
  /** "วันที่ ๔ ธันวาคม ๒๕๖๙ เวลา ๑๔.๓๐ น." */
  dateTime(instant: Date): string;
  /** "๔ ธ.ค. ๖๙ ๑๔.๓๐ น.", for a table's cell. */
  shortDateTime(instant: Date): string;
  /** "๕ มกราคม ๒๕๗๐" for a calendar date (ISO, CE), such as a letter's ลงวันที่ or a wait's end. */
  date(isoDate: string): string;
  /** A number or any text with digits in it (a reference, a register number). */
  digits(text: string | number): string;
}

const shortDate = new Intl.DateTimeFormat('th-TH-u-ca-buddhist-nu-latn', {
  timeZone: TIME_ZONE,
  day: 'numeric',
  month: 'short',
  year: '2-digit',
});

export function deskFormat(digits: 'thai' | 'arabic'): DeskFormat {
  const d = digits === 'thai' ? toThaiDigits : (text: string) => text;
  return {
    dateTime: (instant) => d(`วันที่ ${formatThaiDateTime(instant)}`),
    shortDateTime(instant) {
      const { hour, minute } = bangkokParts(instant);
      return d(`${shortDate.format(instant)} ${String(hour).padStart(2, '0')}.${String(minute).padStart(2, '0')} น.`);
    },
    date: (isoDate) => d(formatThaiDate(isoDate)),
    digits: (text) => d(String(text)),
  };
}
