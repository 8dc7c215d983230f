// The register counts in the Buddhist era (พ.ศ. = CE + 543) and in Bangkok time: a letter
// registered at 00:30 on 1 January in Bangkok belongs to the new year although UTC is
// still in December. Intl's ICU data does the calendar work.

export const TIME_ZONE = 'Asia/Bangkok';

const partsFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** Calendar fields of an instant as a clock in Bangkok shows them (year in CE). */
export function bangkokParts(instant: Date) {
  const p = Object.fromEntries(partsFormat.formatToParts(instant).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
  };
}

/** Buddhist-era year of the instant in Bangkok: the year a registration number belongs to. */
export function buddhistYear(instant: Date): number {
  return bangkokParts(instant).year + 543;
}

const THAI_DIGITS = '๐๑๒๓๔๕๖๗๘๙';

export function toThaiDigits(text: string): string {
  return text.replace(/[0-9]/g, (d) => THAI_DIGITS[Number(d)]);
}

const thaiDate = new Intl.DateTimeFormat('th-TH-u-ca-buddhist-nu-latn', {
  timeZone: TIME_ZONE,
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

/** "25 พฤศจิกายน 2569 เวลา 05.22 น." - date and time of receipt as a Thai office writes it. */
export function formatThaiDateTime(instant: Date): string {
  const { hour, minute } = bangkokParts(instant);
  const hhmm = `${String(hour).padStart(2, '0')}.${String(minute).padStart(2, '0')}`;
  return `${thaiDate.format(instant)} เวลา ${hhmm} น.`;
}

/** "23 สิงหาคม 2564" for a calendar date (ISO, CE) such as a letter's ลงวันที่. */
export function formatThaiDate(isoDate: string): string {
  // Noon UTC is the same day in Bangkok.
  return thaiDate.format(new Date(`${isoDate}T12:00:00Z`));
}

const thaiShortDate = new Intl.DateTimeFormat('th-TH-u-ca-buddhist-nu-latn', {
  timeZone: TIME_ZONE,
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});

/** "20 พ.ย. 2569 09.05 น.": an instant as a register's cell writes it. */
export function formatThaiShortDateTime(instant: Date): string {
  const { hour, minute } = bangkokParts(instant);
  return `${thaiShortDate.format(instant)} ${String(hour).padStart(2, '0')}.${String(minute).padStart(2, '0')} น.`;
}

/** "20 พ.ย. 2569" for a calendar date (ISO, CE), in a register's cell. */
export function formatThaiShortDate(isoDate: string): string {
  return thaiShortDate.format(new Date(`${isoDate}T12:00:00Z`));
}

/** "2026-11-25": the date in Bangkok (CE), as a date to wait until is written and compared. */
export function bangkokDate(instant: Date): string {
  const p = bangkokParts(instant);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** "2026-11-25 05:22 (UTC+07:00)" for the English line. */
export function formatIsoBangkok(instant: Date): string {
  const p = bangkokParts(instant);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)} (UTC+07:00)`;
}
