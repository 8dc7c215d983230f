import { createHash } from 'node:crypto';
import { normaliseThaiLines, normaliseThaiText } from './thai';

// A mail loop, seen from here: a machine on the other side answers what we send, each answer
// with a fresh Message-ID and nothing that marks it automatic, and we answer it again. What
// gives it away is its shape: the same subject under a growing pile of "Re:" and our own
// reply titles, or the same text, again and again from one sender, bringing no new letter.
// A ministry's thirty letters in a morning have other references and other files: they are
// letters, and each is answered.

/** What plan_reply compares between the messages of one sender (registry/sql/000010.sql). */
export interface ReplyShape {
  /** The subject without reply and forward prefixes or our own reply titles; null when nothing is left. */
  subjectKey: string | null;
  /** SHA-256 (hex) of the body's own text, quotes cut off; null for an empty body. */
  bodyHash: string | null;
  /** What makes it a letter of its own: its reference (ที่), else its files; null when it has neither. */
  letterKey: string | null;
}

// What mail programs put before a subject they answer or pass on, in the languages met here,
// with the counters some add (Re[2]:, RE(3):) and full-width colons.
const REPLY_PREFIX = new RegExp(
  '^(?:' +
    [
      're',
      'fwd?',
      'aw',
      'wg',
      'sv',
      'vs',
      'tr',
      'rif',
      'antw',
      'ตอบ(?:กลับ)?',
      'ส่งต่อ',
      'automatic reply',
      'auto[- ]?reply',
      'auto[- ]?response',
      'out of (?:the )?office(?: reply)?',
      '(?:การ)?ตอบกลับอัตโนมัติ',
    ].join('|') +
    ')\\s*(?:\\[\\d+\\]|\\(\\d+\\))?\\s*[:：]\\s*',
  'iu',
);

// Our own reply titles (letter/acknowledgement.ts, letter/notices.ts), which an answering
// machine quotes: "ได้รับหนังสือแล้ว เลขรับ 5/2569 / Received, registration no. 5/2569: <their subject>",
// "<Thai title> / Not registered: no letter attached - <their subject>", the digest's title
// (letter/digest.ts).
// Notices by their English half alone: it is ASCII and survives any charset.
const OUR_TITLES = [
  /^ได้รับหนังสือแล้ว เลขรับ \S+ \/ Received, registration no\. \S+:\s*/u,
  /^.+? \/ (?:Not registered|Registered as no\.|Letter returned, registration no\.)[^-]*(?: - |$)/u,
  /^.+? \/ Received: \d+ letters registered(?:, \d+ not registered)?$/u,
];

/**
 * The subject as a loop sees it: reply and forward prefixes and our own reply titles taken off
 * (as often as they were stacked), Thai text normalised, white space collapsed, lower case.
 */
export function normaliseSubject(subject: string): string {
  let s = normaliseThaiText(subject);
  for (;;) {
    const before = s;
    s = s.replace(REPLY_PREFIX, '');
    for (const title of OUR_TITLES) s = s.replace(title, '');
    s = s.trim();
    if (s === before) break;
  }
  return s.toLowerCase();
}

// Where a quoted message starts, as mail programs write it: Outlook's "-----Original Message-----"
// and its line of underscores, Gmail's "On ... wrote:" (Thai: "เมื่อ ... เขียนว่า:"), forwards.
const QUOTE_STARTS = [
  /^-{2,}\s*(?:original message|forwarded message|ข้อความต้นฉบับ|ข้อความที่ส่งต่อ)/i,
  /^_{10,}$/,
  /^on .+ wrote:$/i,
  /^เมื่อ .+ เขียนว่า\s*:?$/,
];

/** The text the sender wrote, without what it quotes: lines from the first quote mark on are cut. */
export function normaliseBody(body: string): string {
  const own: string[] = [];
  for (const line of normaliseThaiLines(body).split('\n')) {
    if (QUOTE_STARTS.some((start) => start.test(line))) break;
    if (!line.startsWith('>')) own.push(line);
  }
  return own.join(' ').toLowerCase();
}

/** The shape of one message, for the loop check. */
export function replyShape(message: {
  subject: string;
  body: string;
  referenceNormalised: string | null;
  attachmentSha256s: readonly string[];
}): ReplyShape {
  const subjectKey = normaliseSubject(message.subject);
  const body = normaliseBody(message.body);
  const files = [...message.attachmentSha256s].sort();
  const letterKey = message.referenceNormalised
    ? `ref:${message.referenceNormalised}`
    : files.length
      ? `files:${sha256(files.join(','))}`
      : null;
  return { subjectKey: subjectKey || null, bodyHash: body ? sha256(body) : null, letterKey };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
