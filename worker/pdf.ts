// The first page of a letter's PDF, read by pdf.js (pdf-parse), the text of a Word (.docx)
// letter, read by mammoth, and the receipt stamp drawn on a copy of the PDF (pdf-lib,
// registry/receipt-stamp.ts), in a few reusable reader threads that a supervisor thread
// (worker/pdf-threads.ts) stops when they take too long or the process grows past its limit.

import { extname, join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { DEFAULT_PDF_MEMORY_MB } from '../config/schema';
import type { PdfFlags, ReadProblem } from '../letter/mime';
import type { ReceiptStamp, StampOutcome } from '../registry/receipt-stamp';
import type { Bound, DocumentFormat, PdfOutcome, ReadRequest, SupervisorMessage } from './pdf-threads';

export interface PdfReadOptions {
  /** How long reading the PDF's first page may take. */
  timeoutMs?: number;
  /** How large (RSS) this process may grow while PDFs are read (see worker/pdf-threads.ts). */
  memoryBytes?: number;
}

/** What the PDF's first page gave: flags, its text (null when it has none), and what went wrong. */
export interface FirstPage {
  flags: PdfFlags;
  text: string | null;
  problems: ReadProblem[];
}

const PDF_TIMEOUT_MS = 5_000;
const PDF_MEMORY_BYTES = DEFAULT_PDF_MEMORY_MB * 2 ** 20;

/**
 * The PDF could not be judged: the worker held more than workers.pdfMemoryMb before it began.
 * Thrown, so that the letters job is tried again later (a full worker is no sign of a bad PDF).
 */
export class PdfReadingPostponed extends Error {
  override name = 'PdfReadingPostponed';
}

/** What a reading gave: a reading postponed is thrown (PdfReadingPostponed); a stamp is no answer to one. */
function reading(outcome: PdfOutcome): Exclude<PdfOutcome, { kind: 'postponed' | 'stamped' | 'refused' }> {
  if (outcome.kind === 'postponed') throw new PdfReadingPostponed(outcome.reason);
  if (outcome.kind === 'stamped' || outcome.kind === 'refused') throw new Error(`a reader answered a reading with ${outcome.kind}`);
  return outcome;
}

/**
 * Reads the first page of a PDF. Never throws, but for PdfReadingPostponed (the worker too full to
 * judge the PDF: try again later); a PDF that cannot be read is flagged, and the problem says why.
 */
export async function readFirstPage(pdf: Buffer, options: PdfReadOptions = {}): Promise<FirstPage> {
  const timeoutMs = options.timeoutMs ?? PDF_TIMEOUT_MS;
  const memoryBytes = options.memoryBytes ?? PDF_MEMORY_BYTES;
  // Readers look for the header in the first 1024 bytes; without it there is nothing to read.
  const outcome = reading(
    pdf.subarray(0, 1024).includes('%PDF-')
      ? await pdfThreads.read(pdf, 'pdf', timeoutMs, memoryBytes)
      : { kind: 'unreadable', reason: 'no PDF header in its first 1024 bytes' },
  );
  const flags: PdfFlags = {
    present: true,
    textLayer: false,
    encrypted: outcome.kind === 'encrypted',
    unreadable: outcome.kind === 'unreadable',
  };
  const problems: ReadProblem[] = [];
  if (outcome.kind === 'unreadable') problems.push({ kind: 'pdf-unreadable', detail: outcome.reason });
  if (outcome.cleanup !== undefined)
    problems.push({ kind: 'pdf-reader-failed', detail: `pdf.js could not release the PDF: ${outcome.cleanup}` });
  if (outcome.kind !== 'text') return { flags, text: null, problems };
  const text = outcome.text.replace(/\r\n?/g, '\n').trim();
  return { flags: { ...flags, textLayer: text.length > 0 }, text: text || null, problems };
}

/** The text a Word letter's first page holds about, which is where its ที่, date and เรื่อง are. */
const WORD_TEXT_CHARS = 4_000;

/** What a Word (.docx) letter gave: its text (null when none) and what went wrong. */
export interface WordText {
  text: string | null;
  problems: ReadProblem[];
}

/**
 * Reads the text of a Word (.docx) letter, with the limits of a PDF's (a .docx is a zip: one can
 * inflate to far more than it weighs). Never throws, but for PdfReadingPostponed.
 */
export async function readWordDocument(docx: Buffer, options: PdfReadOptions = {}): Promise<WordText> {
  // A .docx is a zip, which starts "PK"; an old binary .doc or an encrypted one does not.
  const outcome = reading(
    docx.subarray(0, 2).toString('latin1') === 'PK'
      ? await pdfThreads.read(docx, 'docx', options.timeoutMs ?? PDF_TIMEOUT_MS, options.memoryBytes ?? PDF_MEMORY_BYTES)
      : { kind: 'unreadable', reason: 'not a zip file, as a .docx is (an older .doc, or an encrypted document)' },
  );
  if (outcome.kind !== 'text') return { text: null, problems: [{ kind: 'word-unreadable', detail: outcome.reason }] };
  const text = outcome.text
    .replace(/\r\n?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
    .slice(0, WORD_TEXT_CHARS);
  return { text: text || null, problems: [] };
}

/** How long drawing the stamp may take when not told: a few seconds for a large scan, on a busy worker. */
const STAMP_TIMEOUT_MS = 30_000;

/** The stamp drawn on a copy of the PDF, or why not; or the reader stopped at one of its bounds. */
export type StampRun = StampOutcome | { kind: 'stopped'; bound: Bound; detail: string };

/**
 * Draws the receipt stamp on a copy of the PDF (registry/receipt-stamp.ts stampPdf) in a reader
 * thread, with the bounds of reading one: pdf-lib holds the whole document in memory, and a
 * hostile file can ask for a lot of it, or of time. Never throws, but for PdfReadingPostponed
 * (the worker too full to judge the PDF: try again later).
 */
export async function stampInThread(pdf: Buffer, receipt: ReceiptStamp, options: PdfReadOptions = {}): Promise<StampRun> {
  const outcome = await pdfThreads.read(
    pdf,
    'stamp',
    options.timeoutMs ?? STAMP_TIMEOUT_MS,
    options.memoryBytes ?? PDF_MEMORY_BYTES,
    receipt,
  );
  switch (outcome.kind) {
    case 'stamped':
    case 'refused':
      return outcome;
    case 'postponed':
      throw new PdfReadingPostponed(outcome.reason);
    case 'text':
      return { kind: 'stopped', bound: 'failure', detail: 'the stamper answered with text' };
    default:
      return { kind: 'stopped', bound: outcome.bound ?? 'failure', detail: outcome.reason };
  }
}

const failureListeners = new Set<(error: Error) => void>();

/**
 * Hears of a reader thread that failed while no PDF was given to it (one that fails while
 * reading fails that PDF, which then says why). Returns the function that stops listening.
 */
export function onIdlePdfReaderFailure(listener: (error: Error) => void): () => void {
  failureListeners.add(listener);
  return () => failureListeners.delete(listener);
}

function reportIdleFailure(error: Error): void {
  if (failureListeners.size === 0) process.emitWarning(`a PDF reader thread failed while idle: ${error.message}`);
  for (const listener of failureListeners) listener(error);
}

// The readers live in a thread of their own (worker/pdf-threads.ts), which times them and
// watches the process's memory where the letter work on this thread cannot hold it up. Built, it
// is the .js beside this file; under ts-jest it is the .ts, which tsx compiles as it loads.
const SUPERVISOR_FILE = join(__dirname, `pdf-threads${extname(__filename)}`);
const SUPERVISOR_OPTIONS: WorkerOptions = extname(__filename) === '.ts' ? { execArgv: ['--require', 'tsx/cjs'] } : {};
// The readers load these: resolved here, where the gateway's own node_modules are known. The
// stamp is ours: built, the .js; under ts-jest the .ts, which the readers load through the
// supervisor's tsx, as they inherit its options.
const READER_MODULES = {
  pdf: require.resolve('pdf-parse'),
  docx: require.resolve('mammoth'),
  stamp: require.resolve('../registry/receipt-stamp'),
};

/**
 * The supervisor thread, as this thread sees it: documents sent, outcomes awaited. It is started
 * on the first document, does not keep the process alive while nothing is being read, and is
 * stopped after idleMs without work (its readers stop with it).
 */
class PdfSupervisor {
  private thread: Worker | null = null;
  private readonly waiting = new Map<number, (outcome: PdfOutcome) => void>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly idleMs: number) {}

  read(document: Buffer, format: DocumentFormat, timeoutMs: number, memoryBytes: number, receipt?: ReceiptStamp): Promise<PdfOutcome> {
    const rssBefore = process.memoryUsage.rss();
    return new Promise((resolve) => {
      let thread: Worker;
      try {
        thread = this.start();
      } catch (error) {
        resolve({ kind: 'unreadable', reason: `the PDF readers could not start: ${String(error)}` });
        return;
      }
      const id = this.nextId++;
      this.waiting.set(id, resolve);
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.idleTimer = null;
      thread.ref();
      // A copy with its own memory, handed over rather than copied again.
      const data = new Uint8Array(document);
      const request: ReadRequest = { id, data, format, receipt, timeoutMs, memoryBytes, rssBefore, modules: READER_MODULES };
      thread.postMessage(request, [data.buffer as ArrayBuffer]);
    });
  }

  private start(): Worker {
    if (this.thread) return this.thread;
    const thread = new Worker(SUPERVISOR_FILE, SUPERVISOR_OPTIONS);
    let failure: Error | null = null;
    thread.on('message', (message: SupervisorMessage) => {
      if ('idleFailure' in message) return reportIdleFailure(new Error(message.idleFailure));
      const resolve = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      resolve?.(message.outcome);
      if (this.waiting.size === 0) this.rest(thread);
    });
    thread.on('error', (error) => (failure = error));
    thread.once('exit', (code) => {
      if (this.thread === thread) this.thread = null;
      // Its readers went with it: what they were reading fails, saying why, as a reader's own end does.
      const reason = failure ? `PDF readers failed: ${failure.message}` : `PDF readers stopped (exit code ${code})`;
      for (const resolve of this.waiting.values()) resolve({ kind: 'unreadable', reason });
      this.waiting.clear();
    });
    this.thread = thread;
    return thread;
  }

  private rest(thread: Worker): void {
    thread.unref();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.thread === thread && this.waiting.size === 0) {
        this.thread = null;
        void thread.terminate();
      }
    }, this.idleMs);
    this.idleTimer.unref();
  }
}

const pdfThreads = new PdfSupervisor(30_000);
