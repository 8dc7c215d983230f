import type { HeaderValues } from './automatic';

// A message that answers one of our replies (its In-Reply-To or References name our reply's
// Message-ID) and carries no document is correspondence about a letter: a person saying
// "ได้รับแล้ว ขอบคุณครับ" to our acknowledgement, or asking about our notice. It is never a new
// letter to number, and never answered automatically.

/** How many Message-IDs of a References header are looked up: the newest ones, at its end. */
const MAX_REFERENCES = 20;

/** The Message-IDs a message names as those it answers: In-Reply-To first, then References from the newest. */
export function messageIdsAnswered(headers: HeaderValues): string[] {
  const ids = (value: string | undefined) => value?.match(/<[^<>\s]{1,900}>/g) ?? [];
  const inReplyTo = ids(headers['in-reply-to']);
  const references = ids(headers['references']).reverse().slice(0, MAX_REFERENCES);
  return [...new Set([...inReplyTo, ...references])];
}

/** The start of what the person wrote, for the letter's officers: the quoted reply below it left out. */
export function correspondenceExcerpt(body: string, maxChars = 500): string {
  const own: string[] = [];
  for (const line of body.replace(/\r\n?/g, '\n').split('\n')) {
    // Where the quoted message begins: "> ...", or the line before it ("On ... wrote:", "เมื่อ ... เขียนว่า:").
    if (/^\s*>/.test(line) || /(wrote|เขียนว่า)\s*:\s*$/i.test(line) || /^-{2,}\s*Original Message/i.test(line)) break;
    own.push(line);
  }
  const text = own.join('\n').trim().replace(/\n{3,}/g, '\n\n');
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}
