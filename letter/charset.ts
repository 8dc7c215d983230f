// Thai mail systems still send TIS-620 / windows-874 bytes where the standards want UTF-8 or
// encoded words: raw 8-bit Subject and From lines, text bodies with no charset. A MIME parser
// reads those as UTF-8 and produces garbage. These functions repair a copy of the raw message
// before it is parsed; the original stays as it arrived (it is the evidence that is kept).
// The message's MIME structure, which the repair needs, is read by letter/mime.ts.

import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { entities, isIdentityEncoding, mimeTree, physicalLines, type MimeEntity } from './mime';

/** The charset undeclared 8-bit Thai text is read as: a superset of TIS-620 and ISO-8859-11. */
export const LEGACY_THAI_CHARSET = 'windows-874';

/**
 * A copy of the message that a MIME parser reads correctly, or the message itself when it
 * needs nothing. Header lines with 8-bit bytes that are not UTF-8 are read as windows-874 and
 * written as UTF-8; text parts without a charset whose 8-bit body is not UTF-8 are labelled
 * windows-874; Thai charset labels the parser does not know are renamed. Bodies are never
 * changed, and embedded messages are left as they are (their bytes are an attachment whose
 * hash the sender is told); they are repaired when they are read themselves.
 */
export function repairMessage(raw: Buffer): Buffer {
  const edits: { start: number; end: number; bytes: Buffer }[] = [];
  for (const entity of entities(mimeTree(raw))) {
    const block = raw.subarray(entity.start, entity.headerEnd);
    const repaired = repairHeaderBlock(block, needsLegacyCharset(raw, entity));
    if (repaired) edits.push({ start: entity.start, end: entity.headerEnd, bytes: repaired });
  }
  if (edits.length === 0) return raw;
  const chunks: Buffer[] = [];
  let at = 0;
  for (const edit of edits.sort((a, b) => a.start - b.start)) {
    chunks.push(raw.subarray(at, edit.start), edit.bytes);
    at = edit.end;
  }
  chunks.push(raw.subarray(at));
  return Buffer.concat(chunks);
}

/**
 * One header line as a parser should see it: bytes that are not UTF-8 are read as windows-874
 * (Thai mail clients write raw TIS-620 into Subject and From), and Thai charset labels are
 * given a name every decoder knows.
 */
export function repairHeaderLine(line: Buffer): Buffer {
  const utf8 = isUtf8(line);
  const text = utf8 ? line.toString('utf8') : iconv.decode(line, LEGACY_THAI_CHARSET);
  const relabelled = relabelThaiCharsets(text);
  return utf8 && relabelled === text ? line : Buffer.from(relabelled, 'utf8');
}

// Names of the Thai single-byte charsets as mailers write them. iconv-lite knows only some of
// them (not x-windows-874, ms874, ibm874, tis620-2533). They all go to windows-874, as the
// WHATWG Encoding Standard does for tis-620 and iso-8859-11: it decodes every TIS-620 byte the
// same and also the 0x80-0x9F punctuation (curly quotes, dashes) that Outlook puts in "tis-620".
const THAI_CHARSET_NAMES =
  'x-windows-874|windows-874|windows874|ms-?874|x-ibm-?874|ibm-?874|cp-?874|dos-874|' +
  'x-tis-?620|tis-?620-2533|tis-?620-0|tis-?620|iso[-_]?8859-11|iso885911';
// In an encoded word (=?name?), an RFC 2231 value (*=name'), and a charset parameter.
const THAI_CHARSET_LABEL = new RegExp(`(=\\?|\\*\\s*=\\s*"?|\\bcharset\\s*=\\s*"?)(?:${THAI_CHARSET_NAMES})(?=[?*'";\\s]|$)`, 'gi');

export function relabelThaiCharsets(text: string): string {
  return text.replace(THAI_CHARSET_LABEL, (_match, before: string) => `${before}${LEGACY_THAI_CHARSET}`);
}

/** A text part without a charset whose 8-bit body is not UTF-8 (a parser would default to UTF-8). */
function needsLegacyCharset(raw: Buffer, entity: MimeEntity): boolean {
  if (!entity.type.startsWith('text/') || entity.parts.length > 0) return false;
  if (Object.keys(entity.params).some((name) => name === 'charset' || name.startsWith('charset*'))) return false;
  if (!isIdentityEncoding(entity.encoding)) return false;
  return !isUtf8(raw.subarray(entity.bodyStart, entity.end));
}

/** The repaired header block, or null when it needs nothing. */
function repairHeaderBlock(block: Buffer, addCharset: boolean): Buffer | null {
  const lines = physicalLines(block, 0, block.length).map((line) => {
    const original = block.subarray(line.start, line.end);
    return { original, text: repairHeaderLine(original), terminator: block.subarray(line.end, line.next) };
  });
  const changed = lines.some((line) => line.text !== line.original);
  if (!changed && !addCharset) return null;
  if (addCharset) {
    // The Content-Type field and its continuation lines: the parameter goes at its end.
    let last = lines.findIndex((line) => /^content-type[ \t]*:/i.test(line.text.toString('latin1')));
    while (last >= 0 && last + 1 < lines.length && /^[ \t]/.test(lines[last + 1].text.toString('latin1'))) last++;
    if (last >= 0) {
      const text = lines[last].text.toString('utf8').replace(/\s+$/, '');
      lines[last].text = Buffer.from(`${text}${text.endsWith(';') ? '' : ';'} charset=${LEGACY_THAI_CHARSET}`, 'utf8');
    } else {
      const newline = Buffer.from(block.length > 0 && !block.includes('\r\n') ? '\n' : '\r\n');
      const previous = lines[lines.length - 1];
      if (previous && previous.terminator.length === 0) previous.terminator = newline;
      const text = Buffer.from(`Content-Type: text/plain; charset=${LEGACY_THAI_CHARSET}`);
      lines.push({ original: text, text, terminator: newline });
    }
  }
  return Buffer.concat(lines.flatMap((line) => [line.text, line.terminator]));
}
