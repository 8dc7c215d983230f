// What a registry clerk reads off an official letter before registering it: its reference
// (ที่), its date (ลงวันที่), its title (เรื่อง), whom it is addressed to (เรียน) and its
// urgency and secrecy markings. No format is mandated for the e-mail subject, so everything
// here is a search for a shape, never a parse that can fail: what is not found is null. A
// finder that fails all the same (a fault of ours) leaves its field null and names the problem.

import {
  normaliseReference,
  normaliseThaiLines,
  REFERENCE_CODE_PATTERN,
  THAI_MONTH_NAME_PATTERN,
  thaiMonthNumber,
  toArabicDigits,
} from './thai';

export interface WrittenAndNormalised {
  written: string;
  normalised: string;
}

export type UrgencyLevel = 'ด่วนที่สุด' | 'ด่วนมาก' | 'ด่วน' | 'ด่วนภายใน';
export type SecrecyLevel = 'ลับที่สุด' | 'ลับมาก' | 'ลับ';
export type MetadataSource = 'subject' | 'body' | 'firstPage' | 'fileName';

/**
 * A date as written and as an ISO date in the common era. iso is 'YYYY-MM-DD', or
 * 'YYYY-MM-DDTHH:MM' (Bangkok local time, no offset) for a deadline that states a time.
 */
export interface WrittenDate {
  written: string;
  iso: string;
}

export interface LetterMetadata {
  reference: { written: string; normalised: string; circular: boolean } | null; // ที่
  letterDate: WrittenDate | null; // ลงวันที่
  title: string | null; // เรื่อง
  urgency: { level: UrgencyLevel; deadline: WrittenDate | null } | null; // ชั้นความเร็ว
  secrecy: SecrecyLevel | null; // ชั้นความลับ
  addressee: string | null; // เรียน
  /** Which source each field that was found came from. */
  foundIn?: Partial<Record<MetadataField, MetadataSource>>;
  /** True when no source had a เรื่อง and the title is the subject line without the parts recognised in it. */
  titleGuessed?: boolean;
  /** The finders that failed, when any did. */
  problems?: MetadataProblem[];
}

export type MetadataField = 'reference' | 'letterDate' | 'title' | 'urgency' | 'secrecy' | 'addressee';

/** A finder that threw: the field (null: every field) was not read from the source (null: from any). */
export interface MetadataProblem {
  kind: 'metadata-unreadable';
  field: MetadataField | null;
  source: MetadataSource | null;
  /** What failed, for an operator (English, as the error said it). */
  detail: string;
}

// The letter's own fields sit at its top; a body or PDF text longer than this is not read further.
const MAX_CHARS = 20_000;

/**
 * Reads what a clerk reads. Sources in order of trust: subject, then body text, then the
 * PDF's first page; each field comes from the first source that has it. Secrecy is the
 * exception: the strictest marking found in any source wins, because a ลับที่สุด letter
 * must never reach the normal queue. When no source has a เรื่อง, the title is the subject
 * line itself without the parts recognised in it (titleGuessed). Never throws: a finder that
 * fails leaves its field null (all of them, if the sources cannot be read) and is named in problems.
 */
export function readLetterMetadata(sources: {
  subject: string;
  body?: string;
  firstPage?: string;
  /** The attached files' names: the last place a reference or date is looked for. */
  fileNames?: readonly string[];
}): LetterMetadata {
  const result = emptyMetadata();
  const problems: MetadataProblem[] = [];
  try {
    const named: [MetadataSource, unknown][] = [
      ['subject', sources?.subject],
      ['body', sources?.body],
      ['firstPage', sources?.firstPage],
    ];
    const foundIn: Partial<Record<MetadataField, MetadataSource>> = {};
    let subjectReading: Reading | null = null;
    for (const [source, raw] of named) {
      if (typeof raw !== 'string' || raw.trim() === '') continue;
      const reading = read(prepare(raw), source, problems);
      if (source === 'subject') subjectReading = reading;
      const take = <K extends Exclude<MetadataField, 'secrecy'>>(field: K, value: LetterMetadata[K] | undefined) => {
        if (result[field] === null && value) {
          result[field] = value;
          foundIn[field] = source;
        }
      };
      take('reference', reading.reference?.value);
      take('letterDate', reading.letterDate?.value);
      take('title', reading.title?.value);
      take('urgency', reading.urgency?.value);
      take('addressee', reading.addressee?.value);
      const secrecy = reading.secrecy?.value ?? null;
      if (secrecy && (result.secrecy === null || SECRECY_RANK[secrecy] > SECRECY_RANK[result.secrecy])) {
        result.secrecy = secrecy;
        foundIn.secrecy = source;
      }
    }
    // A scan has no text; clerks often name its file after the letter (ศธ 04002-ว123 ลว 5 ม.ค. 70.pdf).
    for (const name of sources?.fileNames ?? []) {
      if (result.reference !== null && result.letterDate !== null) break;
      const reading = read(prepare(fileNameText(name)), 'fileName', problems);
      for (const field of ['reference', 'letterDate'] as const) {
        const value = reading[field]?.value;
        if (result[field] === null && value) {
          (result as Record<typeof field, unknown>)[field] = value;
          foundIn[field] = 'fileName';
        }
      }
    }
    if (result.title === null && subjectReading) {
      const guessed = attempt(problems, 'title', 'subject', () => titleFromSubjectLine(subjectReading!));
      if (guessed) {
        result.title = guessed;
        result.titleGuessed = true;
        foundIn.title = 'subject';
      }
    }
    return { ...result, foundIn, ...(problems.length > 0 ? { problems } : {}) };
  } catch (error) {
    return {
      ...emptyMetadata(),
      problems: [...problems, { kind: 'metadata-unreadable', field: null, source: null, detail: messageOf(error) }],
    };
  }
}

/**
 * A file's name as the text a clerk meant: no extension, and the slash a name cannot hold
 * (written - or _ between the parts of a reference: ศธ 04002-ว123) put back.
 */
export function fileNameText(name: string): string {
  return name
    .replace(/\.[A-Za-z0-9]{1,5}$/, '')
    .replace(/([0-9๐-๙])[-_](?=\s?ว?\s?[0-9๐-๙])/g, '$1/')
    .replace(/_/g, ' ');
}

/**
 * The letter's reference (ที่), with or without ที่, in Thai or Arabic digits: the first one
 * marked ที่, else the first bare one; never one in the title or one quoted after อ้างถึง or
 * ตามหนังสือ on the same line (another letter's).
 */
export function parseReference(text: string): LetterMetadata['reference'] {
  return findReference(withoutTitle(prepare(text)))?.value ?? null;
}

/**
 * A date in Thai style (๒๓ สิงหาคม ๒๕๖๔, 23 ส.ค. 64, 23/8/2564). A 2-digit year is a
 * Buddhist year 25xx; a 4-digit year from 2400 is Buddhist, below it Christian. Of several
 * dates, one after ลงวันที่ / ลว. / วันที่ is preferred, and one after ภายใน (a deadline) or
 * after อ้างถึง / ตามหนังสือ on its line (another letter's date) is taken last. Impossible dates are skipped.
 */
export function parseThaiDate(text: string): WrittenDate | null {
  return findDate(prepare(text))?.value ?? null;
}

/** The urgency marking (ชั้นความเร็ว) as a standalone word, the most urgent if several; the deadline of ด่วนภายใน. */
export function parseUrgency(text: string): LetterMetadata['urgency'] {
  return findUrgency(withoutTitle(prepare(text)))?.value ?? null;
}

/** The secrecy marking (ชั้นความลับ) as a standalone word (not ความลับ, สลับ, ลับแล), the strictest if several. */
export function parseSecrecy(text: string): LetterMetadata['secrecy'] {
  return findSecrecy(withoutTitle(prepare(text)))?.value ?? null;
}

/** The text after เรื่อง, to the end of the line or the next field (ที่, ลงวันที่, เรียน...), without urgency or secrecy markings around it. */
export function parseTitle(text: string): string | null {
  return findTitle(prepare(text))?.value ?? null;
}

/** The text after เรียน, to the end of the line or the next field. */
export function parseAddressee(text: string): string | null {
  return findAddressee(withoutTitle(prepare(text)))?.value ?? null;
}

function emptyMetadata(): LetterMetadata {
  return { reference: null, letterDate: null, title: null, urgency: null, secrecy: null, addressee: null, foundIn: {} };
}

/** What f finds, or null when it throws: the problem is kept, so the field's absence is explained. */
function attempt<T>(problems: MetadataProblem[], field: MetadataField, source: MetadataSource, f: () => T | null): T | null {
  try {
    return f();
  } catch (error) {
    problems.push({ kind: 'metadata-unreadable', field, source, detail: messageOf(error) });
    return null;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// --- Text the finders work on -------------------------------------------------------------

// norm is the normalised text (values are cut from it, so they keep the digits as written);
// arab is the same text with Arabic digits, character for character, which the patterns read.
interface Text {
  norm: string;
  arab: string;
}

type Span = [start: number, end: number];

interface Found<T> {
  value: T;
  span: Span;
}

function prepare(raw: unknown): Text {
  const norm = typeof raw === 'string' ? normaliseThaiLines(raw.slice(0, MAX_CHARS)) : '';
  return { norm, arab: toArabicDigits(norm) };
}

/** The same text with the spans turned into spaces (line breaks kept), so nothing inside them is found again. */
function blank(text: Text, spans: (Span | undefined)[]): Text {
  let { norm, arab } = text;
  for (const span of spans) {
    if (!span) continue;
    const [s, e] = span;
    const fill = norm.slice(s, e).replace(/[^\n]/g, ' ');
    norm = norm.slice(0, s) + fill + norm.slice(e);
    arab = arab.slice(0, s) + fill + arab.slice(e);
  }
  return { norm, arab };
}

function withoutTitle(text: Text): Text {
  return blank(text, [findTitle(text)?.span]);
}

// What precedes a match on its line, as far back as a label or an อ้างถึง can matter.
function lineBefore(text: string, index: number): string {
  return text.slice(Math.max(text.lastIndexOf('\n', index - 1) + 1, index - 300), index);
}

/** Text cut from the original, on one line. */
function cut(text: Text, start: number, end: number): string {
  return text.norm.slice(start, end).replace(/\s+/g, ' ').trim();
}

// --- Patterns -----------------------------------------------------------------------------

const THAI = '\\u0E00-\\u0E7F';
// Thai has no spaces between words: a marking is a token only where no Thai letter touches it.
const STARTS = `(?<![${THAI}])`;
const ENDS = `(?![${THAI}])`;
// ๆ (repeat) may follow an urgency word: "ด่วนๆ" is still urgent.
const ENDS_OR_REPEAT = '(?![\\u0E00-\\u0E45\\u0E47-\\u0E7F])';
const CODE = REFERENCE_CODE_PATTERN;
const MARKINGS = 'ด่วน\\s?ที่สุด|ด่วน\\s?มาก|ด่วน|ลับ\\s?ที่สุด|ลับ\\s?มาก|ลับ';
const SEPARATORS = '[\\s\\-–—|,;:*!]';

const MAX_REFERENCE_CHARS = 100;
const REFERENCE = new RegExp(`${STARTS}(?:(ที่)\\s*[:：.]?\\s*)?(${CODE})\\s*(\\d+(?:\\.\\d+)*)\\s*/\\s*(ว\\s*\\.?\\s*)?(\\d+)(?!\\d)`, 'dg');

// Typed without a space, เรียน is still the addressee line when a title or a name follows.
const ADDRESSEE_STARTERS = 'ผู้|ท่าน|นาย|นาง|หัวหน้า|อธิบดี|ปลัด|รัฐมนตรี|ประธาน|คณบดี|อธิการบดี|เลขาธิการ|ผอ|ผวจ';

// Where a title or an addressee stops when the fields share one line.
const FIELD_END = new RegExp(
  `${STARTS}(?:ที่\\s*[:：.]?\\s*${CODE}\\s*\\d|ลงวันที่|ลว\\.?\\s*\\d|เรื่อง(?=[\\s:：])|เรียน(?=[\\s:：]|${ADDRESSEE_STARTERS})|อ้างถึง|สิ่งที่ส่งมาด้วย|ด่วนภายใน)`,
  'g',
);

// The body of a letter or its cover note, begun on the addressee's line after a space: the
// addressee ends there ("เรียน ผู้ว่าราชการจังหวัด แจ้งผลตามแนบ"). Thai has no spaces between
// words, so only the words a letter's text opens with count, and not the names that start like
// them (ขอนแก่น, ส่งเสริม...); a space inside an addressee ("... เขต 1", "... ทุกจังหวัด") stays.
const BODY_OPENS = new RegExp(
  '[^\\S\\n]+(?:ด้วย|ตามที่|ตาม(?:หนังสือ|ไฟล์|เอกสาร|แนบ)|ขอ(?!น)|แจ้ง|ส่ง(?!เสริม)|จึง|เนื่อง|พร้อม|กรุณา|รายละเอียด|ในการนี้|บัดนี้|ดังนั้น|อนึ่ง|ได้รับ)',
);

const ADDRESSEE_MARK = new RegExp(`${STARTS}เรียน(?:\\s*[:：]\\s*|[^\\S\\n]+|(?=${ADDRESSEE_STARTERS}))`, 'g');
// The same, at the start of a line (no g flag: these keep no state between calls).
const ADDRESSEE_LINE = new RegExp(`^${ADDRESSEE_MARK.source}`);
const FIELD_LINE = new RegExp(`^${FIELD_END.source}`);

const TITLE_MARK = new RegExp(`${STARTS}เรื่อง(?:\\s*[:：]\\s*|[^\\S\\n]+)`, 'g');

const LEADING_NOISE = new RegExp(`(?:${SEPARATORS}+|[\\[(（]?\\s*(?:${MARKINGS})${ENDS}\\s*[\\])）]?)`, 'y');
const SEPARATOR = new RegExp(SEPARATORS);
const TRAILING_MARKING = new RegExp(`(?:[\\[(（]\\s*|${STARTS})(?:${MARKINGS})\\s*[\\])）]?$`, 'y');

// A marking typed against the next field: "ด่วนที่สุดที่ ศธ 0206/1", "ลับเรื่อง ...".
const FIELD_FOLLOWS = `(?=ที่\\s*[:：.]?\\s*${CODE}\\s*\\d|เรื่อง[\\s:：]|เรียน[\\s:：])`;

const URGENCY = new RegExp(`${STARTS}(?:(ด่วนภายใน)|(ด่วน\\s?ที่สุด|ด่วน\\s?มาก|ด่วน)(?:${ENDS_OR_REPEAT}|${FIELD_FOLLOWS}))`, 'g');
/** How urgent each marking is: the queue's order, and letter_work.urgency_rank (registry/sql, migration 17). */
export const URGENCY_RANK: Record<UrgencyLevel, number> = { ด่วนที่สุด: 4, ด่วนมาก: 3, ด่วนภายใน: 2, ด่วน: 1 };

const SECRECY = new RegExp(`${STARTS}(ลับ\\s?ที่สุด|ลับ\\s?มาก|ลับ)(?:${ENDS}|${FIELD_FOLLOWS})`, 'g');
const SECRECY_RANK: Record<SecrecyLevel, number> = { ลับที่สุด: 3, ลับมาก: 2, ลับ: 1 };

// 23 ส.ค. 64, ๒๓ สิงหาคม ๒๕๖๔, 20 เดือนพฤศจิกายน พ.ศ. 2569. A 2-digit year followed by
// ".30" is a time, not a year.
const NAMED_DATE = `(?<!\\d|\\d\\.)(\\d{1,2})\\s*(?:เดือน\\s*)?(${THAI_MONTH_NAME_PATTERN})\\s*(?:(พ\\.?\\s?ศ\\.?|ค\\.?\\s?ศ\\.?)\\s*)?(\\d{4}|\\d{2})(?!\\d|[.:]\\d)`;
// 23/08/2564, 23/8/64, 23-08-2564, 23.08.2564 (dots only with a 4-digit year).
const NUMERIC_DATE = `(?<!\\d|\\d[./-]|/)(\\d{1,2})([/.-])(\\d{1,2})\\2(\\d{4}|\\d{2})(?!\\d|[./]\\d)`;
const NAMED_DATE_ANYWHERE = new RegExp(NAMED_DATE, 'g');
const NUMERIC_DATE_ANYWHERE = new RegExp(NUMERIC_DATE, 'g');
const NAMED_DATE_HERE = new RegExp(NAMED_DATE, 'y');
const NUMERIC_DATE_HERE = new RegExp(NUMERIC_DATE, 'y');

// Another letter's reference and date, quoted after อ้างถึง (with reference to) or ตามหนังสือ (further to the letter).
const QUOTING = /อ้างถึง|ตามหนังสือ/;
const DATE_LABEL = new RegExp(`(?:ลงวันที่|${STARTS}ลว\\.?|${STARTS}วันที่)\\s*[:：]?\\s*$`);
const DEADLINE_LABEL = /ภายใน\s*(?:วันที่|วัน)?\s*$/;
const TIME_HERE = /\s*(?:ก่อน\s*)?(?:(เวลา)\s*)?(\d{1,2})[.:](\d{2})(?!\d)(?:\s*(นาฬิกา|น\.?))?/y;
const DAY_WORD_HERE = /\s*(?:วันที่|วัน)?\s*/y;

// --- Finders ------------------------------------------------------------------------------

interface Reading {
  text: Text;
  reference: Found<NonNullable<LetterMetadata['reference']>> | null;
  letterDate: Found<WrittenDate> | null;
  title: Found<string> | null;
  urgency: Found<NonNullable<LetterMetadata['urgency']>> | null;
  secrecy: Found<SecrecyLevel> | null;
  addressee: Found<string> | null;
}

/**
 * Every field of one source. The title is read first and hidden from the other finders, so a
 * word in it is not taken for a marking. A finder that fails is named in problems.
 */
function read(text: Text, source: MetadataSource, problems: MetadataProblem[]): Reading {
  const find = <T>(field: MetadataField, f: () => T | null) => attempt(problems, field, source, f);
  const title = find('title', () => findTitle(text));
  const rest = blank(text, [title?.span]);
  const urgency = find('urgency', () => findUrgency(rest));
  return {
    text,
    title,
    urgency,
    reference: find('reference', () => findReference(rest)),
    secrecy: find('secrecy', () => findSecrecy(rest)),
    addressee: find('addressee', () => findAddressee(rest)),
    // A deadline is not the letter's date.
    letterDate: find('letterDate', () => findLetterDate(blank(rest, [urgency?.span]), source === 'subject')),
  };
}

function findReference(text: Text): Found<NonNullable<LetterMetadata['reference']>> | null {
  let bare: Found<NonNullable<LetterMetadata['reference']>> | null = null;
  for (const m of text.arab.matchAll(REFERENCE)) {
    const labelled = m[1] !== undefined;
    const start = m.index;
    if (QUOTING.test(lineBefore(text.arab, start))) continue;
    // Without ที่, only a unit number of four or more digits (0206, 51001) counts: "ครม. 12/2569" is not a reference.
    if (!labelled && m[3].split('.')[0].length < 4) continue;
    const codeStart = m.indices![2][0];
    const end = start + m[0].length;
    const written = cut(text, codeStart, end);
    // A unit's code and a number (ศธ 0206.4/ว 1234): a run of letters longer than this is text, not a reference.
    if (written.length > MAX_REFERENCE_CHARS) continue;
    const found = { value: { written, normalised: normaliseReference(written), circular: m[4] !== undefined }, span: [start, end] as Span };
    if (labelled) return found;
    bare ??= found;
  }
  return bare;
}

interface DateCandidate {
  value: WrittenDate;
  span: Span;
  rank: number;
}

function findDate(text: Text): Found<WrittenDate> | null {
  return dateCandidates(text)[0] ?? null;
}

/**
 * The date the letter bears: after ลงวันที่ / ลว. / วันที่, or any date in the subject, or a
 * date standing alone on its line (the date line of a หนังสือภายนอก). Not a deadline
 * (ภายใน...), not another letter's date (อ้างถึง..., ตามหนังสือ...), not a date inside a sentence of the
 * body ("ประชุมในวันที่ ...", "จะกลับวันที่ ...").
 */
function findLetterDate(text: Text, isSubject: boolean): Found<WrittenDate> | null {
  const standsAlone = ([s, e]: Span) => lineBefore(text.arab, s).trim() === '' && /^[^\S\n]*(?:\n|$)/.test(text.arab.slice(e));
  return dateCandidates(text).find((c) => c.rank === 0 || (c.rank === 1 && (isSubject || standsAlone(c.span)))) ?? null;
}

function dateCandidates(text: Text): DateCandidate[] {
  const candidates: DateCandidate[] = [];
  for (const pattern of [NAMED_DATE_ANYWHERE, NUMERIC_DATE_ANYWHERE]) {
    for (const m of text.arab.matchAll(pattern)) {
      const value = dateOfMatch(text, m, m.index, pattern === NAMED_DATE_ANYWHERE);
      if (!value) continue;
      const before = lineBefore(text.arab, m.index);
      const label = DATE_LABEL.exec(before);
      const rank = QUOTING.test(before) ? 3 : DEADLINE_LABEL.test(before) ? 2 : label ? 0 : 1;
      // The span takes in the label, so that a subject line without them reads as the title.
      const start = rank === 0 ? m.index - before.length + label!.index : m.index;
      candidates.push({ value, span: [start, m.index + m[0].length], rank });
    }
  }
  return candidates.sort((a, b) => a.rank - b.rank || a.span[0] - b.span[0]);
}

function dateOfMatch(text: Text, m: RegExpExecArray | RegExpMatchArray, start: number, named: boolean): WrittenDate | null {
  const day = Number(m[1]);
  const month = named ? thaiMonthNumber(m[2]) : Number(m[3]);
  const era = named ? m[3] : undefined;
  const yearText = m[4];
  if (!named && m[2] === '.' && yearText.length !== 4) return null;
  const year = commonEraYear(yearText, era);
  if (month === null || year === null) return null;
  const iso = isoDate(year, month, day);
  return iso ? { written: cut(text, start, start + m[0].length), iso } : null;
}

function commonEraYear(yearText: string, era: string | undefined): number | null {
  const year = Number(yearText);
  const christian = era !== undefined && era.startsWith('ค');
  if (yearText.length === 2) return christian ? null : 2500 + year - 543;
  if (year >= 2400 && year < 2800 && !christian) return year - 543;
  if (year >= 1800 && year < 2400 && (era === undefined || christian)) return year;
  return null;
}

function isoDate(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  return `${year}-${two(month)}-${two(day)}`;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** A date starting at pos (after an optional วันที่), as ด่วนภายใน is followed by. */
function dateAt(text: Text, pos: number): { value: WrittenDate; start: number; end: number } | null {
  DAY_WORD_HERE.lastIndex = pos;
  const start = DAY_WORD_HERE.exec(text.arab) ? DAY_WORD_HERE.lastIndex : pos;
  for (const pattern of [NAMED_DATE_HERE, NUMERIC_DATE_HERE]) {
    pattern.lastIndex = start;
    const m = pattern.exec(text.arab);
    if (!m) continue;
    const value = dateOfMatch(text, m, start, pattern === NAMED_DATE_HERE);
    if (value) return { value, start, end: start + m[0].length };
  }
  return null;
}

/** "เวลา 16.30 น." or "16:30 น." at pos: a time needs เวลา before it or น. after it. */
function timeAt(text: Text, pos: number): { hhmm: string | null; end: number } | null {
  TIME_HERE.lastIndex = pos;
  const m = TIME_HERE.exec(text.arab);
  if (!m || (m[1] === undefined && m[4] === undefined)) return null;
  const hour = Number(m[2]);
  const minute = Number(m[3]);
  const valid = hour <= 23 && minute <= 59;
  return { hhmm: valid ? `${two(hour)}:${two(minute)}` : null, end: pos + m[0].length };
}

/** The deadline after ด่วนภายใน: a date, with a time before or after it. */
function deadlineAt(text: Text, pos: number): { value: WrittenDate; end: number } | null {
  const dateFirst = dateAt(text, pos);
  const timeFirst = dateFirst ? null : timeAt(text, pos);
  const date = dateFirst ?? (timeFirst ? dateAt(text, timeFirst.end) : null);
  if (!date) return null;
  const time = timeFirst ?? timeAt(text, date.end);
  let start = dateFirst ? date.start : pos;
  const end = Math.max(date.end, time?.end ?? 0);
  while (start < end && /\s/.test(text.arab[start])) start++;
  const iso = time?.hhmm ? `${date.value.iso}T${time.hhmm}` : date.value.iso;
  return { value: { written: cut(text, start, end), iso }, end };
}

function findUrgency(text: Text): Found<NonNullable<LetterMetadata['urgency']>> | null {
  let best: Found<NonNullable<LetterMetadata['urgency']>> | null = null;
  for (const m of text.arab.matchAll(URGENCY)) {
    const level = (m[1] ?? m[2]).replace(/\s/g, '') as UrgencyLevel;
    let end = m.index + m[0].length;
    let deadline: WrittenDate | null = null;
    if (level === 'ด่วนภายใน') {
      const found = deadlineAt(text, end);
      if (found) {
        deadline = found.value;
        end = found.end;
      }
    }
    if (!best || URGENCY_RANK[level] > URGENCY_RANK[best.value.level]) best = { value: { level, deadline }, span: [m.index, end] };
  }
  return best;
}

function findSecrecy(text: Text): Found<SecrecyLevel> | null {
  let best: Found<SecrecyLevel> | null = null;
  for (const m of text.arab.matchAll(SECRECY)) {
    const level = m[1].replace(/\s/g, '') as SecrecyLevel;
    if (!best || SECRECY_RANK[level] > SECRECY_RANK[best.value]) best = { value: level, span: [m.index, m.index + m[0].length] };
  }
  return best;
}

/** Start and end of a field's value that runs from start to the end of its line or to the next field on the line. */
function fieldValueEnd(text: Text, start: number): { end: number; cutByField: boolean } {
  const lineEnd = text.arab.indexOf('\n', start);
  const end = lineEnd === -1 ? text.arab.length : lineEnd;
  FIELD_END.lastIndex = start;
  const next = FIELD_END.exec(text.arab);
  return next && next.index < end ? { end: next.index, cutByField: true } : { end, cutByField: false };
}

/** Narrows [start, end) past separators and urgency or secrecy markings at either end. */
function trimValue(text: Text, start: number, end: number): Span {
  for (;;) {
    LEADING_NOISE.lastIndex = start;
    const m = LEADING_NOISE.exec(text.arab.slice(0, end));
    if (!m || m[0].length === 0) break;
    start += m[0].length;
  }
  for (;;) {
    while (end > start && SEPARATOR.test(text.arab[end - 1])) end--;
    // A marking is short: only the last characters can start one (and a regex anchored at
    // the end, tried from every position of a long value, would take quadratic time).
    const upToEnd = text.arab.slice(0, end);
    let markingStart = -1;
    for (let p = Math.max(start, end - 20); p < end && markingStart === -1; p++) {
      TRAILING_MARKING.lastIndex = p;
      if (TRAILING_MARKING.test(upToEnd)) markingStart = p;
    }
    if (markingStart === -1) break;
    end = markingStart;
  }
  return [start, Math.max(start, end)];
}

function findTitle(text: Text): Found<string> | null {
  for (const m of text.arab.matchAll(TITLE_MARK)) {
    const valueStart = m.index + m[0].length;
    const { end, cutByField } = fieldValueEnd(text, valueStart);
    const [s, e] = trimValue(text, valueStart, end);
    if (s === e) continue;
    const lines = [text.norm.slice(s, e)];
    let spanEnd = e;
    if (!cutByField) {
      const more = continuationLines(text, end);
      if (more) {
        lines.push(...more.lines);
        spanEnd = more.end;
      }
    }
    return { value: joinLines(lines), span: [s, spanEnd] };
  }
  return null;
}

// A title too long for one line of the letter wraps onto the next: those lines belong to
// it when the เรียน line follows them (the regulation's layout puts เรียน right after เรื่อง).
function continuationLines(text: Text, lineEnd: number): { lines: string[]; end: number } | null {
  const lines: string[] = [];
  let pos = lineEnd;
  while (pos < text.arab.length && lines.length <= 2) {
    const start = pos + 1;
    const next = text.arab.indexOf('\n', start);
    const end = next === -1 ? text.arab.length : next;
    const line = text.arab.slice(start, end);
    if (ADDRESSEE_LINE.test(line)) return lines.length > 0 ? { lines, end: pos } : null;
    if (FIELD_LINE.test(line) || line.trim() === '') return null;
    lines.push(text.norm.slice(start, end));
    pos = end;
  }
  return null;
}

function joinLines(lines: string[]): string {
  // Thai is written without spaces between words, so a line wrapped between two Thai letters joins without one.
  return lines.reduce((joined, line) =>
    /[\u0E00-\u0E7F]$/.test(joined) && /^[\u0E00-\u0E7F]/.test(line) ? joined + line : `${joined} ${line}`,
  );
}

function findAddressee(text: Text): Found<string> | null {
  for (const m of text.arab.matchAll(ADDRESSEE_MARK)) {
    const valueStart = m.index + m[0].length;
    let { end } = fieldValueEnd(text, valueStart);
    const body = BODY_OPENS.exec(text.arab.slice(valueStart, end));
    if (body) end = valueStart + body.index;
    const [s, e] = trimValue(text, valueStart, end);
    if (s < e) return { value: text.norm.slice(s, e), span: [m.index, e] };
  }
  return null;
}

const REPLY_PREFIXES = /^(?:(?:re|fw|fwd|aw|tr|ตอบกลับ|ส่งต่อ)\s*(?:\[\d+\])?\s*[:：]\s*)+/i;
const EDGE_SEPARATORS = new RegExp(`^${SEPARATORS}+|${SEPARATORS}+$`, 'g');
// A label whose value was not there: "ที่", "เรื่อง:" at the end or before another label.
const LABEL = `${STARTS}(?:ที่|ลงวันที่|ลว\\.?|วันที่|เรื่อง|เรียน)${ENDS}`;
const DANGLING_LABELS = new RegExp(`${LABEL}\\s*[:：]?\\s*(?=$|${LABEL})`, 'g');

/** The subject line without what was recognised in it, when it has no เรื่อง: what the sender meant as the title. */
function titleFromSubjectLine(reading: Reading): string | null {
  const rest = blank(reading.text, [reading.reference?.span, reading.letterDate?.span, reading.urgency?.span, reading.addressee?.span]);
  const text = rest.norm
    .replace(SECRECY, ' ')
    .replace(URGENCY, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(REPLY_PREFIXES, '')
    .replace(DANGLING_LABELS, ' ')
    .replace(EDGE_SEPARATORS, '')
    // เรื่อง typed without a space before the title.
    .replace(/^เรื่อง\s*[:：]?\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();
  return /[ก-ฮA-Za-z]/.test(text) ? text : null;
}
