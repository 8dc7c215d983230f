import { createHash, randomUUID } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import addressparser from 'nodemailer/lib/addressparser';
import { repairMessage } from '../letter/charset';
import {
  decodedBody,
  deliveryReport,
  forwardedMessage,
  htmlToText,
  isPdfFile,
  mimeTree,
  NO_PDF,
  NO_REPORT,
  setAsideAttachments,
  type DeliveryReport,
  type ForwardedBy,
  type PdfFlags,
  type ReadProblem,
} from '../letter/mime';
import type { HeaderValues } from '../letter/automatic';
import type { LetterDetails } from '../letter/letter';
import { readFirstPage, readWordDocument } from './pdf';

export interface ReadMessage {
  /** The letter: when a message forwards another, the forwarded one. */
  details: LetterDetails;
  /** Headers of the message as it reached us (outer envelope), by lower-case name. */
  headers: HeaderValues;
  /** The letter's Date header, null when missing or unreadable. */
  date: Date | null;
  /** Text to read the letter's markings from, as decoded (not normalised). */
  text: { subject: string; body: string; firstPage: string | null };
  pdf: PdfFlags;
  forwardedBy: ForwardedBy | null;
  report: DeliveryReport;
  /** Every Authentication-Results header of the message as it reached us, topmost first, unfolded. */
  authenticationResults: string[];
  /** What could not be read, and so was read with less; empty when all went well. */
  problems: ReadProblem[];
}

export interface ReadOptions {
  /** How long reading the PDF's first page may take. */
  pdfTimeoutMs?: number;
  /** How large (RSS) this process may grow while PDFs are read (worker/pdf.ts). */
  pdfMemoryBytes?: number;
}

// Headers whose raw value is kept: the marks of automatic mail (RFC 3834 and the common
// vendor ones) and the top-level Content-Type (a multipart/report is a bounce).
const KEPT_HEADERS = [
  'auto-submitted',
  'precedence',
  'list-id',
  'list-unsubscribe',
  'content-type',
  'x-autoreply',
  'x-autorespond',
  'x-auto-response-suppress',
  'x-saraban-loop',
  // What it answers: one of our replies, then it is correspondence about a letter.
  'in-reply-to',
  'references',
];
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
// How many messages deep a forwarded letter is followed (a forward of a forward of a forward).
const MAX_FORWARD_DEPTH = 3;

/**
 * Reads what the register needs from a raw message. The message is repaired for parsing
 * (letter/charset) but the raw bytes are not changed. A message that cannot be read is
 * still a message someone sent: it is registered with what the envelope tells, and its
 * problems say so. Never throws, but for PdfReadingPostponed (worker/pdf.ts: the worker too
 * full to judge the PDF, try again later).
 */
export async function readMessage(raw: Buffer, mailFrom: string | null, options: ReadOptions = {}): Promise<ReadMessage> {
  let letter: LetterRead;
  try {
    letter = await readLetter(raw, mailFrom, 0);
  } catch (error) {
    return {
      details: { messageId: null, fromAddress: mailFrom, fromName: null, subject: '', attachments: [] },
      headers: {},
      date: null,
      text: { subject: '', body: '', firstPage: null },
      pdf: NO_PDF,
      forwardedBy: null,
      report: NO_REPORT,
      authenticationResults: [],
      problems: [{ kind: 'unparseable-message', detail: messageOf(error) }],
    };
  }
  const limits = { timeoutMs: options.pdfTimeoutMs, memoryBytes: options.pdfMemoryBytes };
  const firstPage = letter.pdf ? await readFirstPage(letter.pdf, limits) : null;
  // A letter sent as a Word file, with no PDF: its text is read where a PDF's first page would be.
  const word = !letter.pdf && letter.word ? await readWordDocument(letter.word, limits) : null;
  return {
    details: letter.details,
    headers: letter.headers,
    date: letter.date,
    text: { subject: letter.details.subject, body: letter.body, firstPage: firstPage?.text ?? word?.text ?? null },
    pdf: firstPage?.flags ?? NO_PDF,
    forwardedBy: letter.forwardedBy,
    report: letter.report,
    authenticationResults: letter.authenticationResults,
    problems: [...letter.problems, ...(firstPage?.problems ?? []), ...(word?.problems ?? [])],
  };
}

/**
 * The bytes of the letter's file with this SHA-256, found as readMessage found the files the
 * register lists (a forwarded letter's included); null when the message has none such. Throws
 * when the message cannot be read at all.
 */
export async function letterFile(raw: Buffer, sha256: string): Promise<Buffer | null> {
  const letter = await readLetter(raw, null, 0);
  const at = letter.details.attachments.findIndex((a) => a.sha256 === sha256);
  return at < 0 ? null : letter.files[at];
}

interface LetterRead {
  details: LetterDetails;
  headers: Record<string, string>;
  date: Date | null;
  body: string;
  /** Content of the first PDF attachment. */
  pdf: Buffer | null;
  /** Content of the first Word (.docx) attachment. */
  word: Buffer | null;
  /** Content of each attachment, in the order details.attachments lists them. */
  files: Buffer[];
  forwardedBy: ForwardedBy | null;
  report: DeliveryReport;
  authenticationResults: string[];
  problems: ReadProblem[];
}

/**
 * A From of only an encoded word that decodes to an address (`=?utf-8?B?...?=`) has, to mailparser,
 * a name and no address; a reader sees the address, so the register shows it (and its authenticity
 * is checked for it, worker/authenticity.ts), never the envelope sender in its place.
 */
function addressInName(name: string | undefined): string | undefined {
  const inName = name ? addressparser(name, { flatten: true }).filter((a) => a.address) : [];
  return inName.length === 1 ? inName[0].address : undefined;
}

async function readLetter(raw: Buffer, mailFrom: string | null, depth: number): Promise<LetterRead> {
  const input = repairMessage(raw);
  const tree = mimeTree(input);
  const setAside = setAsideAttachments(input, tree, randomUUID());
  const parsed = await simpleParser(setAside.forParser, {
    skipHtmlToText: false,
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
  });
  const from = parsed.from?.value[0];
  const fromAddress = (from?.address || addressInName(from?.name))?.toLowerCase() || mailFrom;
  const subject = parsed.subject ?? '';

  const forwarded = depth < MAX_FORWARD_DEPTH ? forwardedMessage(tree) : null;
  const problems: ReadProblem[] = [];
  if (forwarded) {
    let inner: LetterRead | null = null;
    try {
      inner = await readLetter(decodedBody(input, forwarded), fromAddress, depth + 1);
    } catch (error) {
      // The cover note is all there is to read: it stands for the letter.
      problems.push({ kind: 'unreadable-forwarded-message', detail: messageOf(error) });
    }
    if (inner) {
      return {
        ...inner,
        headers: keptHeaders(parsed),
        forwardedBy: { address: fromAddress, name: from?.name || null, subject },
        report: NO_REPORT,
        authenticationResults: headerValues(parsed, 'authentication-results'),
      };
    }
  }

  const attachments = parsed.attachments.map((a) => ({ ...a, content: setAside.contentOf(a.content) }));
  const pdf = attachments.find(isPdfFile);
  const word = attachments.find((a) => a.contentType === DOCX || /\.docx$/i.test(a.filename ?? ''));
  return {
    details: {
      messageId: usableMessageId(parsed.messageId),
      fromAddress,
      fromName: from?.name || null,
      subject,
      attachments: attachments.map((a) => ({
        filename: a.filename ?? 'unnamed',
        contentType: a.contentType,
        size: a.content.length,
        sha256: createHash('sha256').update(a.content).digest('hex'),
      })),
    },
    headers: keptHeaders(parsed),
    date: messageDate(parsed),
    body: bodyText(parsed),
    pdf: pdf?.content ?? null,
    word: word?.content ?? null,
    files: attachments.map((a) => a.content),
    forwardedBy: null,
    report: deliveryReport(input, tree),
    authenticationResults: headerValues(parsed, 'authentication-results'),
    problems,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// RFC 5322 lines end by 998 octets and a Message-ID cannot be folded: a longer one is no
// Message-ID, and the register's index (message_id, book, id) could not hold it.
const MAX_MESSAGE_ID_BYTES = 998;

function usableMessageId(messageId: string | undefined): string | null {
  return messageId && Buffer.byteLength(messageId) <= MAX_MESSAGE_ID_BYTES ? messageId : null;
}

/** Raw values of every header with this lower-case name, in message order, unfolded. */
function headerValues(parsed: ParsedMail, name: string): string[] {
  return parsed.headerLines
    .filter((line) => line.key === name)
    .map((line) =>
      line.line
        .slice(line.line.indexOf(':') + 1)
        .replace(/\s+/g, ' ')
        .trim(),
    );
}

function keptHeaders(parsed: ParsedMail): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const [first] = headerValues(parsed, name);
    if (first !== undefined) headers[name] = first;
  }
  return headers;
}

// mailparser turns a missing or unreadable Date into "now"; the letter's date must not be invented.
function messageDate(parsed: ParsedMail): Date | null {
  const [value] = headerValues(parsed, 'date');
  if (value === undefined) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function bodyText(parsed: ParsedMail): string {
  let text = parsed.text ?? '';
  // mailparser derives text from HTML-only mail, but leaves it empty when the conversion fails.
  if (!text.trim() && typeof parsed.html === 'string') text = htmlToText(parsed.html);
  return text.replace(/\r\n?/g, '\n').trim();
}
