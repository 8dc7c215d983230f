import { createHash, randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { simpleParser, type ParsedMail } from 'mailparser';
import {
  decodedBody,
  decodedPlainBase64,
  entities,
  isEmbeddedMessage,
  mimeTree,
  parseHeaderBlock,
  repairMessage,
  type MimeEntity,
} from '../letter/charset';
import { DEFAULT_PDF_MEMORY_MB } from '../config/schema';
import type { HeaderValues } from '../letter/automatic';
import type { LetterDetails } from '../letter/letter';

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
}

export interface ReadOptions {
  /** How long reading the PDF's first page may take. */
  pdfTimeoutMs?: number;
  /** How large (RSS) this process may grow while PDFs are read (see PdfThreads). */
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
];
// How many messages deep a forwarded letter is followed (a forward of a forward of a forward).
const MAX_FORWARD_DEPTH = 3;
const PDF_TIMEOUT_MS = 5_000;
const PDF_MEMORY_BYTES = DEFAULT_PDF_MEMORY_MB * 2 ** 20;

const NO_PDF: PdfFlags = { present: false, textLayer: false, encrypted: false, unreadable: false };
const NO_REPORT: DeliveryReport = { deliveryStatus: null, originalMessageId: null };

/**
 * Reads what the register needs from a raw message. The message is repaired for parsing
 * (letter/charset) but the raw bytes are not changed. A message that cannot be read is
 * still a message someone sent: it is registered with what the envelope tells. Never throws,
 * but for PdfReadingPostponed (the worker too full to judge the PDF: try again later).
 */
export async function readMessage(raw: Buffer, mailFrom: string | null, options: ReadOptions = {}): Promise<ReadMessage> {
  let letter: LetterRead;
  try {
    letter = await readLetter(raw, mailFrom, 0);
  } catch {
    return {
      details: { messageId: null, fromAddress: mailFrom, fromName: null, subject: '', attachments: [] },
      headers: {},
      date: null,
      text: { subject: '', body: '', firstPage: null },
      pdf: NO_PDF,
      forwardedBy: null,
      report: NO_REPORT,
      authenticationResults: [],
    };
  }
  const firstPage = letter.pdf
    ? await readFirstPage(letter.pdf, options.pdfTimeoutMs ?? PDF_TIMEOUT_MS, options.pdfMemoryBytes ?? PDF_MEMORY_BYTES)
    : null;
  return {
    details: letter.details,
    headers: letter.headers,
    date: letter.date,
    text: { subject: letter.details.subject, body: letter.body, firstPage: firstPage?.text ?? null },
    pdf: firstPage?.flags ?? NO_PDF,
    forwardedBy: letter.forwardedBy,
    report: letter.report,
    authenticationResults: letter.authenticationResults,
  };
}

interface LetterRead {
  details: LetterDetails;
  headers: Record<string, string>;
  date: Date | null;
  body: string;
  /** Content of the first PDF attachment. */
  pdf: Buffer | null;
  forwardedBy: ForwardedBy | null;
  report: DeliveryReport;
  authenticationResults: string[];
}

async function readLetter(raw: Buffer, mailFrom: string | null, depth: number): Promise<LetterRead> {
  const input = repairMessage(raw);
  const tree = mimeTree(input);
  const setAside = setAsideAttachments(input, tree);
  const parsed = await simpleParser(setAside.forParser, {
    skipHtmlToText: false,
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
  });
  const from = parsed.from?.value[0];
  const fromAddress = from?.address?.toLowerCase() || mailFrom;
  const subject = parsed.subject ?? '';

  const forwarded = depth < MAX_FORWARD_DEPTH ? forwardedMessage(tree) : null;
  if (forwarded) {
    const inner = await readLetter(decodedBody(input, forwarded), fromAddress, depth + 1).catch(() => null);
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
  const pdf = attachments.find((a) => a.contentType === 'application/pdf' || /\.pdf$/i.test(a.filename ?? ''));
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
    forwardedBy: null,
    report: deliveryReport(input, tree),
    authenticationResults: headerValues(parsed, 'authentication-results'),
  };
}

// RFC 5322 lines end by 998 octets and a Message-ID cannot be folded: a longer one is no
// Message-ID, and the register's index (message_id, book, id) could not hold it.
const MAX_MESSAGE_ID_BYTES = 998;

function usableMessageId(messageId: string | undefined): string | null {
  return messageId && Buffer.byteLength(messageId) <= MAX_MESSAGE_ID_BYTES ? messageId : null;
}

// Below this a base64 part is left to mailparser: setting it aside would save nothing.
const SET_ASIDE_MIN_BYTES = 4096;

interface SetAside {
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
 */
function setAsideAttachments(input: Buffer, tree: MimeEntity): SetAside {
  const contents = new Map<string, Buffer>();
  const pieces: Buffer[] = [];
  let at = 0;
  // A stand-in must not be mistaken for a real attachment that happens to hold the same text.
  const run = randomUUID();
  for (const entity of entities(tree)) {
    const large = entity.end - entity.bodyStart >= SET_ASIDE_MIN_BYTES;
    if (entity.parts.length > 0 || entity.encoding !== 'base64' || !large) continue;
    // mailparser reads these as text (message/delivery-status too): they are the body, not files.
    if (entity.type.startsWith('text/') || entity.type.startsWith('message/')) continue;
    const content = decodedPlainBase64(input, entity);
    if (!content) continue;
    const standIn = `saraban-set-aside:${run}:${contents.size}`;
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

function htmlToText(html: string): string {
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
function forwardedMessage(tree: MimeEntity): MimeEntity | null {
  if (isEmbeddedMessage(tree)) return tree;
  // A bounce returns our own message: it is a report, not a letter someone forwarded.
  if (tree.type === 'multipart/report') return null;
  const own = entities(tree).filter((e) => e !== tree && e.parts.length === 0);
  const embedded = entities(tree).filter((e) => e !== tree && isEmbeddedMessage(e));
  const documents = own.filter((e) => !isEmbeddedMessage(e) && isDocument(e));
  return embedded.length > 0 && documents.length === 0 ? embedded[0] : null;
}

const SIGNATURES = ['application/pkcs7-signature', 'application/x-pkcs7-signature', 'application/pgp-signature'];

// Text and HTML bodies are the note; images shown inline are signatures and logos, and a
// signed note carries its signature as a part.
function isDocument(entity: MimeEntity): boolean {
  if (SIGNATURES.includes(entity.type)) return false;
  const named = entity.disposition === 'attachment' || 'name' in entity.params;
  if (entity.type === 'text/plain' || entity.type === 'text/html') return named;
  if (entity.type.startsWith('image/')) return entity.disposition === 'attachment';
  return !entity.type.startsWith('multipart/');
}

const RETURNED_HEADERS = ['text/rfc822-headers', 'message/rfc822-headers', 'message/global-headers'];

/** RFC 3464: the delivery-status part of a multipart/report and the message it is about. */
function deliveryReport(raw: Buffer, tree: MimeEntity): DeliveryReport {
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

interface FirstPage {
  flags: PdfFlags;
  text: string | null;
}

// pdf.js (inside pdf-parse) runs in worker threads: a hostile PDF can spin the CPU or eat
// memory, and a thread can be stopped and bounded where a promise on the main thread cannot.
// A thread also loads pdf.js's own worker with import(), which Jest's module system refuses.
// Threads are kept and reused: loading pdf.js costs more than reading a letter's first page.
const PDF_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { PDFParse } = require(workerData.module);
parentPort.on('message', async ({ data }) => {
  let parser = null;
  let outcome;
  try {
    parser = new PDFParse({ data, verbosity: 0, isEvalSupported: false });
    const result = await parser.getText({ first: 1 });
    outcome = { kind: 'text', text: result.pages[0] ? result.pages[0].text : '' };
  } catch (error) {
    const kind = error && error.name === 'PasswordException' ? 'encrypted' : 'unreadable';
    outcome = { kind, reason: String(error && error.message) };
  }
  if (parser) await parser.destroy().catch(() => undefined);
  parentPort.postMessage(outcome);
});
`;

type PdfOutcome = { kind: 'text'; text: string } | { kind: 'encrypted' | 'unreadable' | 'postponed'; reason?: string };

/**
 * The PDF could not be judged: the worker held more than workers.pdfMemoryMb before it began.
 * Thrown, so that the letters job is tried again later (a full worker is no sign of a bad PDF).
 */
export class PdfReadingPostponed extends Error {
  override name = 'PdfReadingPostponed';
}

async function readFirstPage(pdf: Buffer, timeoutMs: number, memoryBytes: number): Promise<FirstPage> {
  // Readers look for the header in the first 1024 bytes; without it there is nothing to read.
  const outcome: PdfOutcome = pdf.subarray(0, 1024).includes('%PDF-')
    ? await pdfThreads.read(pdf, timeoutMs, memoryBytes)
    : { kind: 'unreadable', reason: 'no PDF header' };
  if (outcome.kind === 'postponed') throw new PdfReadingPostponed(outcome.reason);
  const flags: PdfFlags = {
    present: true,
    textLayer: false,
    encrypted: outcome.kind === 'encrypted',
    unreadable: outcome.kind === 'unreadable',
  };
  if (outcome.kind !== 'text') return { flags, text: null };
  const text = outcome.text.replace(/\r\n?/g, '\n').trim();
  return { flags: { ...flags, textLayer: text.length > 0 }, text: text || null };
}

interface PdfJob {
  pdf: Buffer;
  timeoutMs: number;
  memoryBytes: number;
  /** Stopped once when the process outgrew memoryBytes beside others: read again with none beside it. */
  alone: boolean;
  /** The process's size when the PDF was handed over, before any reader touched it. */
  rssBefore: number;
  resolve: (outcome: PdfOutcome) => void;
}

// How often the process's size is looked at while PDFs are read.
const MEMORY_CHECK_MS = 100;
// What a PDF read alone may always add, even when the process was already past the limit when
// it began (the main thread holding large letters): it is judged on what it adds, and the
// process is never let past the limit and this together.
const ALONE_GROWTH_BYTES = 256 * 2 ** 20;

/**
 * A few reusable threads that read PDFs one at a time each; a thread that overruns is stopped.
 * Overrunning is taking too long, or too much memory: a thread's heap limit does not count the
 * buffers pdf.js decodes streams into, and a page whose few KB of compressed content decode to
 * GBs would otherwise take the process down with it. Which of the PDFs being read is growing
 * cannot be seen from here, so when the process outgrows the limit every reader is stopped and
 * each of their PDFs is read again alone; one that outgrows it alone is unreadable.
 */
class PdfThreads {
  private readonly idle: Worker[] = [];
  private readonly idleTimers = new Map<Worker, NodeJS.Timeout>();
  private readonly queue: PdfJob[] = [];
  private readonly reading = new Map<Worker, { job: PdfJob; startRss: number; stop: () => void }>();
  private memoryWatch: NodeJS.Timeout | null = null;
  /** Stopped readers whose memory has not been given back yet: nothing starts meanwhile. */
  private stopping = 0;
  private busy = 0;

  constructor(
    private readonly size: number,
    private readonly idleMs: number,
  ) {}

  read(pdf: Buffer, timeoutMs: number, memoryBytes: number): Promise<PdfOutcome> {
    return new Promise((resolve) => {
      this.queue.push({ pdf, timeoutMs, memoryBytes, alone: false, rssBefore: process.memoryUsage.rss(), resolve });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0 && this.stopping === 0) {
      const next = this.queue[0];
      const readingAlone = [...this.reading.values()].some((r) => r.job.alone);
      if (next.alone ? this.busy > 0 : readingAlone || (this.idle.length === 0 && this.busy >= this.size)) return;
      const job = this.queue.shift()!;
      let thread = this.idle.pop();
      if (thread) {
        clearTimeout(this.idleTimers.get(thread));
        this.idleTimers.delete(thread);
      } else {
        try {
          thread = this.spawn();
        } catch (error) {
          job.resolve({ kind: 'unreadable', reason: String(error) });
          continue;
        }
      }
      this.run(thread, job);
    }
  }

  private spawn(): Worker {
    const thread = new Worker(PDF_THREAD, {
      eval: true,
      workerData: { module: require.resolve('pdf-parse') },
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    // A thread that dies while idle is simply not reused; one that dies at work fails its job.
    thread.on('error', () => undefined);
    thread.once('exit', () => {
      const at = this.idle.indexOf(thread);
      if (at >= 0) this.idle.splice(at, 1);
      clearTimeout(this.idleTimers.get(thread));
      this.idleTimers.delete(thread);
    });
    return thread;
  }

  private run(thread: Worker, job: PdfJob): void {
    this.busy++;
    thread.ref();
    let done = false;
    // A copy with its own memory, handed over to the thread rather than copied again.
    const data = new Uint8Array(job.pdf);
    const finish = (outcome: PdfOutcome | 'again', reuse: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      thread.off('message', onMessage);
      thread.off('exit', onExit);
      this.reading.delete(thread);
      this.busy--;
      if (reuse) this.rest(thread);
      else this.stop(thread);
      if (outcome === 'again') this.queue.unshift({ ...job, alone: true });
      else job.resolve(outcome);
      this.dispatch();
    };
    const onMessage = (outcome: PdfOutcome) => finish(outcome, true);
    const onExit = (code: number) => finish({ kind: 'unreadable', reason: `PDF reader stopped (exit code ${code})` }, false);
    const timer = setTimeout(() => finish({ kind: 'unreadable', reason: `no answer within ${job.timeoutMs} ms` }, false), job.timeoutMs);
    const startRss = process.memoryUsage.rss();
    // Read alone and stopped: the PDF's doing, unless the process was past the limit when it was handed over
    // (measured then, not now: a reader stopped a moment ago may not have given its memory back yet).
    const tooLarge: PdfOutcome =
      job.rssBefore > job.memoryBytes
        ? { kind: 'postponed', reason: `the worker held ${job.rssBefore} bytes, more than ${job.memoryBytes}, before reading the PDF` }
        : { kind: 'unreadable', reason: `reading it took the process past ${job.memoryBytes} bytes of memory` };
    this.reading.set(thread, { job, startRss, stop: () => finish(job.alone ? tooLarge : 'again', false) });
    thread.on('message', onMessage);
    thread.once('exit', onExit);
    thread.postMessage({ data }, [data.buffer as ArrayBuffer]);
    this.watchMemory();
  }

  private stop(thread: Worker): void {
    this.stopping++;
    void thread.terminate().finally(() => {
      this.stopping--;
      this.dispatch();
    });
  }

  private watchMemory(): void {
    this.memoryWatch ??= setInterval(() => {
      if (this.reading.size === 0) {
        clearInterval(this.memoryWatch!);
        this.memoryWatch = null;
        return;
      }
      const rss = process.memoryUsage.rss();
      const readers = [...this.reading.values()];
      // Read alone, nothing else is being read: what the process added since is this PDF's.
      const alone = readers.find((r) => r.job.alone);
      if (alone) {
        // Never past the limit and the allowance together, whatever the process held to begin with.
        const ceiling = Math.min(
          Math.max(alone.job.memoryBytes, alone.startRss + ALONE_GROWTH_BYTES),
          alone.job.memoryBytes + ALONE_GROWTH_BYTES,
        );
        if (rss > ceiling) alone.stop();
        return;
      }
      if (rss > Math.min(...readers.map((r) => r.job.memoryBytes))) for (const { stop } of readers) stop();
    }, MEMORY_CHECK_MS);
    this.memoryWatch.unref();
  }

  /** An idle thread neither keeps the process alive nor lives long: it holds pdf.js's memory. */
  private rest(thread: Worker): void {
    thread.unref();
    this.idle.push(thread);
    const timer = setTimeout(() => {
      this.idleTimers.delete(thread);
      this.idle.splice(this.idle.indexOf(thread), 1);
      void thread.terminate();
    }, this.idleMs);
    timer.unref();
    this.idleTimers.set(thread, timer);
  }
}

const pdfThreads = new PdfThreads(Math.max(1, Math.min(4, availableParallelism())), 30_000);
