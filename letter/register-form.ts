import { formatThaiShortDate, formatThaiShortDateTime, toThaiDigits } from './calendar';
import { TO_COMPLETE, type Letter } from './letter';
import { STATE_NAMES, type LetterState } from './transitions';

// The incoming register (ทะเบียนหนังสือรับ) as the regulation on official correspondence
// (ระเบียบสำนักนายกรัฐมนตรีว่าด้วยงานสารบรรณ) lays it out, for the files it is printed and
// exported to: its columns in their order, each letter's row in words, and the line that closes
// the register, which says whether its numbers run without a gap.

/** The latest การปฏิบัติ recorded at the desk: what was done, and the number of our reply letter. */
export interface ActionRecord {
  text: string | null;
  replyNumber: string | null;
  at: Date;
}

/** A letter of the register with what the desk did with it. */
export interface RegisterEntry {
  letter: Letter;
  state: LetterState;
  /** ด่วนภายใน: by when it must be dealt with. */
  deadline: Date | null;
  /** รอ: until when (ISO date). */
  waitUntil: string | null;
  /** Whoever was last given it to act: an officer's name, else a unit's. */
  holder: string | null;
  action: ActionRecord | null;
  /** Why it was last returned (ส่งคืน) or annulled (ยกเลิก). */
  returnedBecause: string | null;
  annulledBecause: string | null;
  /** An earlier letter of the same book and year with the same reference (ที่): the number it may repeat. */
  duplicateOf: number | null;
}

/** The register's columns, in the regulation's order. */
export const REGISTER_HEADINGS = ['วันที่', 'เลขทะเบียนรับ', 'ที่', 'ลงวันที่', 'จาก', 'ถึง', 'เรื่อง', 'การปฏิบัติ', 'หมายเหตุ'] as const;

export type Digits = 'thai' | 'arabic';

export interface RowOptions {
  /** Thai digits (๑๒๓) for the numbers and dates, as a printed register writes them; Arabic for a spreadsheet. */
  digits: Digits;
  /**
   * Whether the reader may see ลับ and ลับมาก letters: when not, such a letter's row keeps its
   * date and number (the register has no hole) and says it is secret, nothing more.
   */
  revealRestricted: boolean;
}

const digitsOf = (digits: Digits) => (digits === 'thai' ? toThaiDigits : (text: string) => text);

/** One letter's row, a cell per heading of REGISTER_HEADINGS. */
export function registerRow(entry: RegisterEntry, options: RowOptions): string[] {
  const d = digitsOf(options.digits);
  const l = entry.letter;
  const date = d(formatThaiShortDateTime(l.registeredAt));
  const number = d(String(l.number));
  if (l.restricted && !options.revealRestricted) {
    return [date, number, '', '', '', '', '', STATE_NAMES[entry.state], `หนังสือ${l.secrecy ?? 'ลับ'} ไม่แสดงรายละเอียด`];
  }
  const written = l.letterDate ? formatThaiShortDate(l.letterDate) : (l.letterDateWritten ?? '');
  return [
    date,
    number,
    d(l.reference ?? ''),
    d(written),
    l.agency ?? l.fromName ?? l.fromAddress ?? '',
    l.addressee ?? '',
    l.title ?? l.subject,
    practice(entry, d),
    remarks(entry, d).join('\n'),
  ];
}

/** การปฏิบัติ: the state and who holds (or last held) it, the end of a wait, and what was recorded done. */
function practice(entry: RegisterEntry, d: (text: string) => string): string {
  const lines = [[STATE_NAMES[entry.state], entry.holder].filter(Boolean).join(' ')];
  if (entry.state === 'waiting' && entry.waitUntil) lines.push(d(`รอถึง ${formatThaiShortDate(entry.waitUntil)}`));
  const action = entry.action;
  if (action && (action.text || action.replyNumber)) {
    lines.push([action.text, action.replyNumber ? d(`(หนังสือตอบ ที่ ${action.replyNumber})`) : null].filter(Boolean).join(' '));
  }
  return lines.join('\n');
}

/** หมายเหตุ: returned or annulled and why, suspect, secret, a repeated reference, an entry to be completed. */
function remarks(entry: RegisterEntry, d: (text: string) => string): string[] {
  const l = entry.letter;
  const why = (word: string, reason: string | null) => (reason ? `${word}: ${reason}` : word);
  return [
    ...(entry.state === 'returned' ? [why('ส่งคืน', entry.returnedBecause)] : []),
    ...(entry.state === 'annulled' ? [why('ยกเลิก', entry.annulledBecause)] : []),
    ...(l.suspect ? ['น่าสงสัย: ผู้ส่งอาจถูกปลอม'] : []),
    ...(l.restricted ? [l.secrecy ?? 'ลับ'] : []),
    ...(entry.duplicateOf !== null ? [d(`ซ้ำกับเลขรับ ${entry.duplicateOf}`)] : []),
    ...(l.flags.includes(TO_COMPLETE) ? ['รอเจ้าหน้าที่กรอกเลขที่/วันที่'] : []),
  ];
}

/** Which register is exported or printed, how, and for whom. */
export interface RegisterForm {
  agency: string;
  book: { code: string; name: string };
  year: number;
  /** Digits of the printed register (desk.digits); CSV and XLSX keep Arabic digits, for sorting and formulas. */
  digits: Digits;
  /** Whether ลับ and ลับมาก letters are shown in full (RowOptions). */
  revealRestricted: boolean;
  /** When it was made: the printed register says so. */
  at: Date;
}

/** "พิมพ์เมื่อ ๒๐ พ.ย. ๒๕๖๙ ๐๙.๐๕ น." at the foot of a printed page. */
export function printedAt(at: Date, digits: Digits): string {
  return digitsOf(digits)(`พิมพ์เมื่อ ${formatThaiShortDateTime(at)}`);
}

/** The register's title lines: what it is, whose, which book and year. */
export function registerTitle(agency: string, book: { code: string; name: string }, year: number, digits: Digits): string[] {
  return ['ทะเบียนหนังสือรับ', agency, `${book.name} (${book.code}) ปี พ.ศ. ${digitsOf(digits)(String(year))}`];
}

/** "หน้า ๑ จาก ๒๐" */
export function pageNumber(page: number, pages: number, digits: Digits): string {
  return digitsOf(digits)(`หน้า ${page} จาก ${pages}`);
}

type Range = [first: number, last: number];

/**
 * The numbers of a register as its rows go by, in order: which are missing and which annulled,
 * kept as ranges, so a register of any size costs only its gaps.
 */
export class NumberTally {
  private last = 0;
  readonly missing: Range[] = [];
  readonly annulled: Range[] = [];

  add(number: number, state: LetterState): void {
    if (number > this.last + 1) this.missing.push([this.last + 1, number - 1]);
    if (state === 'annulled') extend(this.annulled, number);
    this.last = Math.max(this.last, number);
  }

  /** The highest number seen (0 for none). */
  get highest(): number {
    return this.last;
  }
}

function extend(ranges: Range[], n: number): void {
  const end = ranges.at(-1);
  if (end && end[1] === n - 1) end[1] = n;
  else ranges.push([n, n]);
}

const count = (ranges: readonly Range[]) => ranges.reduce((sum, [a, b]) => sum + b - a + 1, 0);
const listed = (ranges: readonly Range[]) => ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', ');

/**
 * The line that closes the register: "เลขรับ 1-N ครบ ไม่มีเลขขาด", or the numbers missing, and
 * the numbers annulled (their entries stay in the register), each listed.
 */
export function closingLine(tally: NumberTally, digits: Digits): string {
  if (tally.highest === 0) return 'ไม่มีหนังสือลงทะเบียนรับ';
  const parts = [
    `เลขรับ 1-${tally.highest}`,
    tally.missing.length ? `เลขขาด ${count(tally.missing)} เลข (${listed(tally.missing)})` : 'ครบ ไม่มีเลขขาด',
  ];
  if (tally.annulled.length) parts.push(`ยกเลิก ${count(tally.annulled)} เลข (${listed(tally.annulled)})`);
  return digitsOf(digits)(parts.join(' '));
}
