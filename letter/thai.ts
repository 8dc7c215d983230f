// Thai text as it reaches the gateway: typed in mail clients, converted from TIS-620, or
// extracted from PDFs. Search and duplicate checks must see the same letters in all of them,
// so everything the reader compares goes through these functions first.

const THAI_DIGITS = '๐๑๒๓๔๕๖๗๘๙';

/** ๐-๙ -> 0-9; every other character is kept, so indices in the result match the input. */
export function toArabicDigits(text: string): string {
  return text.replace(/[๐-๙]/g, (d) => String(THAI_DIGITS.indexOf(d)));
}

// Legacy Thai fonts (Windows, many PDF producers) draw shifted tone marks and vowels with
// glyphs in the Private Use Area; text extraction then yields these code points instead of
// the Thai letters.
const PRIVATE_USE_THAI: Record<string, string> = {
  '\uF700': 'ฐ',
  '\uF701': 'ิ',
  '\uF702': 'ี',
  '\uF703': 'ึ',
  '\uF704': 'ื',
  '\uF705': '่',
  '\uF706': '้',
  '\uF707': '๊',
  '\uF708': '๋',
  '\uF709': '์',
  '\uF70A': '่',
  '\uF70B': '้',
  '\uF70C': '๊',
  '\uF70D': '๋',
  '\uF70E': '์',
  '\uF70F': 'ญ',
  '\uF710': 'ั',
  '\uF711': 'ํ',
  '\uF712': '็',
  '\uF713': '่',
  '\uF714': '้',
  '\uF715': '๊',
  '\uF716': '๋',
  '\uF717': '์',
  '\uF718': 'ุ',
  '\uF719': 'ู',
  '\uF71A': 'ฺ',
};

/**
 * Like normaliseThaiText, but keeps line breaks: each line is collapsed and trimmed, empty
 * lines are dropped. Letters are laid out in lines (ที่, date, เรื่อง, เรียน), so the reader
 * needs them.
 */
export function normaliseThaiLines(text: string): string {
  return (
    text
      .normalize('NFC')
      // Zero-width characters: word-break hints in Thai text, invisible but they break matching.
      .replace(/[\u00AD\u200B-\u200D\u2060\uFEFF]/g, '')
      .replace(/[\uF700-\uF71A]/g, (c) => PRIVATE_USE_THAI[c])
      // ำ (sara am) extracted as nikhahit + sara aa, possibly with the tone mark in between.
      .replace(/\u0E4D([\u0E48-\u0E4B]?)\u0E32/g, '$1\u0E33')
      // ...and the PDF artifact: ำ followed by a stray sara aa (สำา for สำ).
      .replace(/\u0E33\u0E32/g, '\u0E33')
      // A tone mark typed or extracted before the upper vowel (ท่ี for ที่); NFC leaves it,
      // because the upper vowels are not reordered by canonical combining class.
      .replace(/([\u0E48-\u0E4C])([\u0E31\u0E34-\u0E37\u0E47])/g, '$2$1')
      // PDF text layers repeat a vowel or tone mark (ผููว่า: sara uu twice); Thai never writes
      // one mark twice on a letter, so one is kept. A tone mark the repeat stands for is lost.
      .replace(/([\u0E31\u0E34-\u0E3A\u0E47-\u0E4E])\1+/g, '$1')
      // เเ (two sara e) typed for แ (sara ae).
      .replace(/\u0E40\u0E40/g, '\u0E41')
      // Control characters: the ones that end a line become line breaks, a tab a space, the rest go.
      .replace(/\p{Cc}/gu, (c) => (c === '\n' || c === '\r' ? c : c === '\t' ? ' ' : '\v\f\u0085'.includes(c) ? '\n' : ''))
      .replace(/\r\n?|[\u2028\u2029]/g, '\n')
      .split('\n')
      .map((line) => line.replace(/[^\S\n]+/g, ' ').trim())
      .filter((line) => line !== '')
      .join('\n')
  );
}

/** NFC, PDF artifacts repaired ('ำา' and 'ํา' -> 'ำ', a repeated mark once, legacy font glyphs), whitespace collapsed to single spaces, trimmed. */
export function normaliseThaiText(text: string): string {
  return normaliseThaiLines(text).replace(/\n/g, ' ');
}

// A ministry or agency code: two to four Thai consonants (มท, ศธ, ผวก), sometimes with dots.
export const REFERENCE_CODE_PATTERN = '[ก-ฮ](?:\\.?[ก-ฮ]){1,3}\\.?';

const WHOLE_REFERENCE = new RegExp(
  `^(?:ที่\\s*[:：.]?\\s*)?(${REFERENCE_CODE_PATTERN})\\s*(\\d+(?:\\s*\\.\\s*\\d+)*)\\s*/\\s*(ว\\s*\\.?\\s*)?(\\d+)$`,
);

/**
 * A reference (ที่) in the one form used for search and duplicate checks: Arabic digits, no
 * ที่, code without dots, one space after the code, one after ว, none around the slash:
 * 'ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑' -> 'มท 0201.2/ว 5951'. Text that is not shaped like a reference
 * is still cleaned the same way as far as it goes.
 */
export function normaliseReference(text: string): string {
  const plain = toArabicDigits(normaliseThaiText(text));
  const m = WHOLE_REFERENCE.exec(plain);
  if (m) {
    const [, code, unit, circular, number] = m;
    return `${code.replace(/\./g, '')} ${unit.replace(/\s/g, '')}/${circular ? 'ว ' : ''}${number}`;
  }
  return plain
    .replace(/^ที่\s*[:：.]?\s*/, '')
    .replace(/\s*\/\s*/g, '/')
    .replace(/\/ว\s*\.?\s*(?=\d)/, '/ว ')
    .trim();
}

/** Full month names, January first. */
export const THAI_MONTHS = [
  'มกราคม',
  'กุมภาพันธ์',
  'มีนาคม',
  'เมษายน',
  'พฤษภาคม',
  'มิถุนายน',
  'กรกฎาคม',
  'สิงหาคม',
  'กันยายน',
  'ตุลาคม',
  'พฤศจิกายน',
  'ธันวาคม',
] as const;

/** Abbreviated month names as the regulation writes them, January first. */
export const THAI_MONTH_ABBREVIATIONS = [
  'ม.ค.',
  'ก.พ.',
  'มี.ค.',
  'เม.ย.',
  'พ.ค.',
  'มิ.ย.',
  'ก.ค.',
  'ส.ค.',
  'ก.ย.',
  'ต.ค.',
  'พ.ย.',
  'ธ.ค.',
] as const;

// Spellings met in real letters besides the correct ones: the karan dropped from กุมภาพันธ์,
// ฏ for ฎ in กรกฎาคม.
const FULL_MONTH_PATTERNS = THAI_MONTHS.map((name) => name.replace('พันธ์', 'พันธ์?').replace('ฎ', '[ฎฏ]'));

// Abbreviations with or without their dots, with a space or not between the two parts.
const ABBREVIATION_PATTERNS = THAI_MONTH_ABBREVIATIONS.map((abbr) => {
  const [first, second] = abbr.split('.');
  return `${first}\\.?\\s?${second}\\.?`;
});

/** A regular expression source (no groups) matching any Thai month name, full or abbreviated. */
export const THAI_MONTH_NAME_PATTERN = [...FULL_MONTH_PATTERNS, ...ABBREVIATION_PATTERNS].join('|');

const MONTH_MATCHERS = [...FULL_MONTH_PATTERNS, ...ABBREVIATION_PATTERNS].map((p, i) => ({
  month: (i % 12) + 1,
  pattern: new RegExp(`^(?:${p})$`),
}));

/** 1-12 for a Thai month name ('สิงหาคม', 'ส.ค.', 'สค', 'ส. ค.'), null for anything else. */
export function thaiMonthNumber(name: string): number | null {
  const text = normaliseThaiText(name);
  return MONTH_MATCHERS.find((m) => m.pattern.test(text))?.month ?? null;
}
