// Thai mail systems still send TIS-620 / windows-874 bytes where the standards want UTF-8 or
// encoded words: raw 8-bit Subject and From lines, text bodies with no charset. A MIME parser
// reads those as UTF-8 and produces garbage. These functions repair a copy of the raw message
// before it is parsed; the original stays as it arrived (it is the evidence that is kept).
//
// The repair needs the message's MIME structure, so the small structure reader lives here too.
// It works on byte offsets and never decodes more than a header block or a body it is asked for.

import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

/** The charset undeclared 8-bit Thai text is read as: a superset of TIS-620 and ISO-8859-11. */
export const LEGACY_THAI_CHARSET = 'windows-874';

/** One MIME entity: the message itself, a part of a multipart, or an embedded message. */
export interface MimeEntity {
  /** Byte offsets into the buffer the tree was read from; the entity is [start, end). */
  start: number;
  /** Where the header block ends: the empty line that separates it from the body begins here. */
  headerEnd: number;
  bodyStart: number;
  end: number;
  /** Lower-case type/subtype, with RFC 2045/2046 defaults when the header is missing. */
  type: string;
  /** Content-Type parameters by lower-case name. */
  params: Readonly<Record<string, string>>;
  /** Lower-case Content-Transfer-Encoding, '' when absent. */
  encoding: string;
  /** Lower-case disposition type, '' when absent. */
  disposition: string;
  /** The parts of a multipart, or the one message inside a message/rfc822. */
  parts: MimeEntity[];
}

export interface HeaderField {
  /** Lower-case field name. */
  name: string;
  /** Unfolded value, leading and trailing white space removed. */
  value: string;
}

// Deeper nesting than this is not mail anyone writes; below it every entity is read as a leaf.
const MAX_NESTING = 20;
const IDENTITY_ENCODINGS = ['', '7bit', '8bit', 'binary'];
const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
// Base64 as mail writes it: the alphabet in lines, padding only at the end. Checked in two
// steps with no overlap between them: a single pattern that lets line breaks match in two
// places backtracks for a time that grows with the square of a hostile part's size.
const NOT_BASE64_LINE = /[^A-Za-z0-9+/\r\n]/;
const FINAL_PADDING = /^={1,2}\s*$/;

/** Reads the MIME structure of a raw message. Never throws: malformed structure ends early. */
export function mimeTree(raw: Buffer): MimeEntity {
  return readEntity(raw, 0, raw.length, [], 0, 'text/plain').entity;
}

/** Every entity of the tree, depth first; an embedded message is listed but not looked into. */
export function entities(root: MimeEntity): MimeEntity[] {
  const all: MimeEntity[] = [];
  const visit = (entity: MimeEntity) => {
    all.push(entity);
    if (isEmbeddedMessage(entity) && entity !== root) return;
    entity.parts.forEach(visit);
  };
  visit(root);
  return all;
}

export function isEmbeddedMessage(entity: MimeEntity): boolean {
  return entity.type === 'message/rfc822' || entity.type === 'message/global';
}

/** The header fields of an entity, in order. */
export function headerFields(raw: Buffer, entity: MimeEntity): HeaderField[] {
  return parseHeaderBlock(raw.subarray(entity.start, entity.headerEnd));
}

/** Parses a header block, up to its first empty line (also a message's, or a text/rfc822-headers body). */
export function parseHeaderBlock(block: Buffer): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of physicalLines(block, 0, block.length)) {
    const text = block.toString('utf8', line.start, line.end);
    if (text === '') break;
    if (/^[ \t]/.test(text) && fields.length > 0) {
      fields[fields.length - 1].value += text;
      continue;
    }
    const colon = text.indexOf(':');
    if (colon <= 0) continue;
    fields.push({ name: text.slice(0, colon).trim().toLowerCase(), value: text.slice(colon + 1) });
  }
  return fields.map((f) => ({ name: f.name, value: f.value.replace(/\s+/g, ' ').trim() }));
}

/** The body with its transfer encoding undone (base64, quoted-printable); other bodies as they are. */
export function decodedBody(raw: Buffer, entity: MimeEntity): Buffer {
  const body = raw.subarray(entity.bodyStart, entity.end);
  if (entity.encoding === 'base64') return decodedPlainBase64(raw, entity) ?? decodeBase64Leniently(body.toString('latin1'));
  if (entity.encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

/**
 * A base64 body as mail writes it, decoded by Node (which skips the line breaks itself); null
 * for a body that is not that plain (stray characters, padding in the middle).
 */
export function decodedPlainBase64(raw: Buffer, entity: MimeEntity): Buffer | null {
  const text = raw.toString('latin1', entity.bodyStart, entity.end);
  const padding = text.indexOf('=');
  const plain =
    !NOT_BASE64_LINE.test(padding < 0 ? text : text.slice(0, padding)) && (padding < 0 || FINAL_PADDING.test(text.slice(padding)));
  return plain ? Buffer.from(text, 'base64') : null;
}

// Stray characters are dropped; blocks that end in padding and follow one another (some
// encoders write a part that way) are decoded one by one, as mailparser does.
function decodeBase64Leniently(text: string): Buffer {
  const blocks = text.replace(/[^A-Za-z0-9+/=]/g, '').split(/(?<==)(?=[^=])/);
  return Buffer.concat(blocks.map((block) => Buffer.from(block, 'base64')));
}

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
  if (!IDENTITY_ENCODINGS.includes(entity.encoding)) return false;
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

interface Line {
  start: number;
  /** End of the content, before CR LF or LF. */
  end: number;
  /** Start of the next line. */
  next: number;
}

function physicalLines(buf: Buffer, start: number, end: number): Line[] {
  const lines: Line[] = [];
  let at = start;
  while (at < end) {
    const lf = buf.indexOf(LF, at);
    const next = lf < 0 || lf >= end ? end : lf + 1;
    let contentEnd = next;
    if (next > at && buf[next - 1] === LF) contentEnd--;
    if (contentEnd > at && buf[contentEnd - 1] === CR) contentEnd--;
    lines.push({ start: at, end: contentEnd, next });
    at = next;
  }
  return lines;
}

interface Delimiter {
  /** Where the content before the delimiter ends: the CR LF before "--boundary" belongs to it. */
  lineStart: number;
  afterLine: number;
  /** Index into the boundaries searched for. */
  index: number;
  close: boolean;
}

/** The delimiter line "--boundary" (or "--boundary--") that begins at `at`, if any. */
function delimiterAt(buf: Buffer, at: number, from: number, limit: number, boundaries: readonly Buffer[]): Delimiter | null {
  if (buf[at] !== DASH || buf[at + 1] !== DASH) return null;
  for (let index = 0; index < boundaries.length; index++) {
    const boundary = boundaries[index];
    let q = at + 2 + boundary.length;
    if (q > limit || buf.compare(boundary, 0, boundary.length, at + 2, q) !== 0) continue;
    const close = buf[q] === DASH && buf[q + 1] === DASH && q + 2 <= limit;
    if (close) q += 2;
    while (q < limit && (buf[q] === 0x20 || buf[q] === 0x09)) q++;
    if (q < limit && buf[q] === CR) q++;
    if (q < limit && buf[q] !== LF) continue;
    let lineStart = at;
    if (at > from && buf[at - 1] === LF) lineStart = at - 1 > from && buf[at - 2] === CR ? at - 2 : at - 1;
    return { lineStart, afterLine: Math.min(q + 1, limit), index, close };
  }
  return null;
}

function findDelimiter(buf: Buffer, from: number, limit: number, boundaries: readonly Buffer[]): Delimiter | null {
  if (boundaries.length === 0) return null;
  const first = delimiterAt(buf, from, from, limit, boundaries);
  if (first) return first;
  let at = from;
  for (;;) {
    const found = buf.indexOf('\n--', at);
    if (found < 0 || found + 1 >= limit) return null;
    const delimiter = delimiterAt(buf, found + 1, from, limit, boundaries);
    if (delimiter) return delimiter;
    at = found + 1;
  }
}

interface Read {
  entity: MimeEntity;
  /** The delimiter (of one of the enclosing boundaries) the entity ended at, if any. */
  endedBy: Delimiter | null;
}

/**
 * Reads the entity that starts at `start`. `enclosing` are the boundaries of the multiparts it
 * sits in, innermost first: the first delimiter of any of them ends it. An embedded message is
 * read through, so that its own delimiters are not taken for the container's (a forwarded
 * message may even use the same boundary as the message forwarding it).
 */
function readEntity(buf: Buffer, start: number, limit: number, enclosing: readonly Buffer[], depth: number, defaultType: string): Read {
  // The header block ends at the first empty line, or at a delimiter for a part with no body.
  let headerEnd = limit;
  let bodyStart = limit;
  for (let at = start; at < limit;) {
    if (enclosing.length > 0 && delimiterAt(buf, at, start, limit, enclosing)) {
      headerEnd = bodyStart = at;
      break;
    }
    const lf = buf.indexOf(LF, at);
    if (lf < 0 || lf >= limit) break;
    const contentEnd = lf > at && buf[lf - 1] === CR ? lf - 1 : lf;
    if (contentEnd === at) {
      headerEnd = at;
      bodyStart = lf + 1;
      break;
    }
    at = lf + 1;
  }

  const fields = parseHeaderBlock(buf.subarray(start, headerEnd));
  const field = (name: string) => fields.find((f) => f.name === name)?.value;
  const contentType = parseParameters(field('content-type') ?? '');
  const type = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(contentType.value) ? contentType.value : defaultType;
  const entity: MimeEntity = {
    start,
    headerEnd,
    bodyStart,
    end: limit,
    type,
    params: contentType.params,
    encoding: (field('content-transfer-encoding') ?? '').toLowerCase().trim(),
    disposition: parseParameters(field('content-disposition') ?? '').value,
    parts: [],
  };

  const boundary = contentType.params.boundary;
  if (depth < MAX_NESTING && type.startsWith('multipart/') && boundary) {
    const childType = type === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
    const own = [Buffer.from(boundary, 'latin1'), ...enclosing];
    let delimiter = findDelimiter(buf, bodyStart, limit, own);
    for (;;) {
      if (!delimiter) return { entity, endedBy: null };
      if (delimiter.index > 0) {
        // A container's delimiter before this multipart's close: it ends here, unterminated.
        entity.end = delimiter.lineStart;
        return { entity, endedBy: { ...delimiter, index: delimiter.index - 1 } };
      }
      if (delimiter.close) {
        const after = findDelimiter(buf, delimiter.afterLine, limit, enclosing);
        entity.end = after ? after.lineStart : limit;
        return { entity, endedBy: after };
      }
      const part = readEntity(buf, delimiter.afterLine, limit, own, depth + 1, childType);
      entity.parts.push(part.entity);
      delimiter = part.endedBy;
    }
  }
  if (depth < MAX_NESTING && isEmbeddedMessage(entity) && IDENTITY_ENCODINGS.includes(entity.encoding)) {
    const message = readEntity(buf, bodyStart, limit, enclosing, depth + 1, 'text/plain');
    entity.parts.push(message.entity);
    entity.end = message.entity.end;
    return { entity, endedBy: message.endedBy };
  }
  const delimiter = findDelimiter(buf, bodyStart, limit, enclosing);
  entity.end = delimiter ? delimiter.lineStart : limit;
  return { entity, endedBy: delimiter };
}

/** "type/subtype; name=value; ..." with quoted values unquoted; names and the value lower-cased. */
export function parseParameters(header: string): { value: string; params: Record<string, string> } {
  const pieces: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const c = header[i];
    if (c === '\\' && quoted && i + 1 < header.length) {
      current += c + header[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      pieces.push(current);
      current = '';
    } else current += c;
  }
  pieces.push(current);
  const params: Record<string, string> = {};
  for (const piece of pieces.slice(1)) {
    const eq = piece.indexOf('=');
    if (eq <= 0) continue;
    const name = piece.slice(0, eq).trim().toLowerCase();
    let value = piece.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    if (!(name in params)) params[name] = value;
  }
  return { value: pieces[0].trim().toLowerCase(), params };
}

function decodeQuotedPrintable(body: Buffer): Buffer {
  const out = Buffer.alloc(body.length);
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== 0x3d) {
      out[n++] = c;
      continue;
    }
    // "=" at the end of a line (possibly after trailing white space) is a soft line break.
    let j = i + 1;
    while (j < body.length && (body[j] === 0x20 || body[j] === 0x09)) j++;
    if (j < body.length && body[j] === CR) j++;
    if (j >= body.length || body[j] === LF) {
      i = j;
      continue;
    }
    const hex = body.toString('latin1', i + 1, i + 3);
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out[n++] = parseInt(hex, 16);
      i += 2;
    } else out[n++] = c;
  }
  return out.subarray(0, n);
}
