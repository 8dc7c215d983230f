// The MIME structure of a raw message, and what it tells a registry clerk without reading a
// word of the letter: which part is a forwarded letter, which parts are documents, whether the
// message is a delivery report and what it reports on. The reader works on byte offsets and
// never decodes more than a header block or a body it is asked for. No I/O: plain values in,
// plain values out (worker/read.ts reads the message with mailparser and asks these).

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

/** A body left as it is on the wire: no transfer encoding, or one that only names its bytes (7bit, 8bit, binary). */
export function isIdentityEncoding(encoding: string): boolean {
  return IDENTITY_ENCODINGS.includes(encoding);
}

export interface Line {
  start: number;
  /** End of the content, before CR LF or LF. */
  end: number;
  /** Start of the next line. */
  next: number;
}

/** The lines of buf[start, end), each with where its content ends and the next line starts. */
export function physicalLines(buf: Buffer, start: number, end: number): Line[] {
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

// --- What reading a message tells, as plain values (worker/read.ts fills them in) ----------

/** What the first PDF attached to the letter allowed us to read; flags, never a failure. */
export interface PdfFlags {
  present: boolean;
  /** Its first page has text that can be extracted (a scan has none). */
  textLayer: boolean;
  /** It cannot be opened without a password. */
  encrypted: boolean;
  /** It is not a PDF that can be read (damaged, not a PDF at all, or too slow to read). */
  unreadable: boolean;
}

/**
 * A file that is the letter's PDF: its type says so, or its name does (senders' mail programs
 * often label a PDF application/octet-stream). The first such file is the one read and stamped.
 */
export function isPdfFile(file: { contentType: string; filename?: string | null }): boolean {
  return file.contentType.toLowerCase() === 'application/pdf' || /\.pdf$/i.test(file.filename ?? '');
}

/** Who forwarded the letter to us when it arrived inside another message. */
export interface ForwardedBy {
  address: string | null;
  name: string | null;
  subject: string;
}

/** A delivery-status report (bounce) and the message it reports on. */
export interface DeliveryReport {
  /** The message/delivery-status part as text, null when the message is not such a report. */
  deliveryStatus: string | null;
  /** Message-ID of the message that could not be delivered, as written (with <>). */
  originalMessageId: string | null;
}

export const NO_PDF: PdfFlags = { present: false, textLayer: false, encrypted: false, unreadable: false };
export const NO_REPORT: DeliveryReport = { deliveryStatus: null, originalMessageId: null };

/**
 * Something that went wrong while a message was read, named: the reading went on with less
 * (the envelope alone, the cover note instead of the forwarded letter, no first page), and the
 * decision records which.
 */
export interface ReadProblem {
  kind:
    | 'unparseable-message' // mailparser could not read the message: read as its envelope
    | 'unreadable-forwarded-message' // the forwarded letter could not be read: the cover note is the letter
    | 'pdf-unreadable' // the first PDF's first page could not be read (damaged, too slow, too large, reader failed)
    | 'pdf-reader-failed' // the PDF was read, but its reader could not be cleaned up and was stopped
    | 'word-unreadable'; // the Word (.docx) letter could not be read (damaged, encrypted, too slow, too large)
  /** What failed, for an operator (English, as the error said it). */
  detail: string;
}

// --- Judgements on the structure ------------------------------------------------------------

// Below this a base64 part is left to mailparser: setting it aside would save nothing.
const SET_ASIDE_MIN_BYTES = 4096;

export interface SetAside {
  /** The message with each large attachment's body replaced by a short stand-in. */
  forParser: Buffer;
  /** An attachment's real content, given what mailparser decoded from the part. */
  contentOf(decoded: Buffer): Buffer;
}

/**
 * mailparser reads every byte of a message in JavaScript, line by line, and a letter is
 * mostly its base64 PDF: that reading was the largest part of the worker's time per letter.
 * Large plain base64 leaves that mailparser would list as attachments are decoded here
 * natively instead, and mailparser reads a copy in which each of their bodies is a stand-in
 * naming it; it still reads every header, file name and text part, and each stand-in is
 * swapped back for the real content. Anything unusual (base64 with stray characters or
 * padding in the middle) is left to mailparser, so what the sender is told stays its reading.
 * `marker` is new for each reading (a random UUID): a stand-in must not be mistaken for a real
 * attachment that happens to hold the same text.
 */
export function setAsideAttachments(input: Buffer, tree: MimeEntity, marker: string): SetAside {
  const contents = new Map<string, Buffer>();
  const pieces: Buffer[] = [];
  let at = 0;
  for (const entity of entities(tree)) {
    const large = entity.end - entity.bodyStart >= SET_ASIDE_MIN_BYTES;
    if (entity.parts.length > 0 || entity.encoding !== 'base64' || !large) continue;
    // mailparser reads these as text (message/delivery-status too): they are the body, not files.
    if (entity.type.startsWith('text/') || entity.type.startsWith('message/')) continue;
    const content = decodedPlainBase64(input, entity);
    if (!content) continue;
    const standIn = `saraban-set-aside:${marker}:${contents.size}`;
    contents.set(standIn, content);
    pieces.push(input.subarray(at, entity.bodyStart), Buffer.from(Buffer.from(standIn).toString('base64')));
    at = entity.end;
  }
  if (contents.size === 0) return { forParser: input, contentOf: (decoded) => decoded };
  pieces.push(input.subarray(at));
  return {
    forParser: Buffer.concat(pieces),
    contentOf: (decoded) => (decoded.length < 100 && contents.get(decoded.toString('latin1'))) || decoded,
  };
}

/** The text of an HTML body as a clerk would read it: tags, scripts and styles gone, entities decoded, a line per block. */
export function htmlToText(html: string): string {
  const named: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div|tr|li|h[1-6]|table)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (match, name: string) => {
      if (name[0] !== '#') return named[name.toLowerCase()] ?? match;
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
    })
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n');
}

/**
 * The message this one forwards as an attachment (message/rfc822), when it is only a cover
 * note for it: a message that carries documents of its own is the letter, and an attached
 * message is then one of its enclosures.
 */
export function forwardedMessage(tree: MimeEntity): MimeEntity | null {
  if (isEmbeddedMessage(tree)) return tree;
  // A bounce returns our own message: it is a report, not a letter someone forwarded.
  if (tree.type === 'multipart/report') return null;
  const own = entities(tree).filter((e) => e !== tree && e.parts.length === 0);
  const embedded = entities(tree).filter((e) => e !== tree && isEmbeddedMessage(e));
  const documents = own.filter((e) => !isEmbeddedMessage(e) && isDocument(e));
  return embedded.length > 0 && documents.length === 0 ? embedded[0] : null;
}

const SIGNATURES = ['application/pkcs7-signature', 'application/x-pkcs7-signature', 'application/pgp-signature'];

/**
 * A part that is a document of its own rather than the note: text and HTML bodies are the note
 * unless sent as files, images shown inline are signatures and logos, and a signed note carries
 * its signature as a part.
 */
export function isDocument(entity: MimeEntity): boolean {
  if (SIGNATURES.includes(entity.type)) return false;
  const named = entity.disposition === 'attachment' || 'name' in entity.params;
  if (entity.type === 'text/plain' || entity.type === 'text/html') return named;
  if (entity.type.startsWith('image/')) return entity.disposition === 'attachment';
  return !entity.type.startsWith('multipart/');
}

const RETURNED_HEADERS = ['text/rfc822-headers', 'message/rfc822-headers', 'message/global-headers'];

/** RFC 3464: the delivery-status part of a multipart/report and the message it is about. */
export function deliveryReport(raw: Buffer, tree: MimeEntity): DeliveryReport {
  const reportType = tree.params['report-type']?.toLowerCase();
  if (tree.type !== 'multipart/report' || (reportType !== 'delivery-status' && reportType !== 'global-delivery-status')) {
    return NO_REPORT;
  }
  const status = tree.parts.find((p) => p.type === 'message/delivery-status' || p.type === 'message/global-delivery-status');
  const statusText = status ? decodedBody(raw, status).toString('utf8').replace(/\r\n?/g, '\n').trim() : null;
  // Some MTAs name the original in the status fields; most return its header.
  let original = statusText
    ? parseHeaderBlock(Buffer.from(statusText.replace(/\n\n+/g, '\n'))).find((f) => f.name === 'original-message-id')
    : undefined;
  if (!original) {
    // The returned header, or the whole message (decoded: some MTAs send it base64, against RFC 2046).
    const returned = tree.parts.find((p) => RETURNED_HEADERS.includes(p.type) || isEmbeddedMessage(p));
    if (returned) original = parseHeaderBlock(decodedBody(raw, returned)).find((f) => f.name === 'message-id');
  }
  const id = original?.value.match(/<[^<>\s]+>/)?.[0] ?? (original?.value || null);
  return { deliveryStatus: statusText, originalMessageId: id };
}
