// The first page of a letter's PDF, read by pdf.js (pdf-parse), and the text of a Word
// (.docx) letter, read by mammoth, in a few reusable worker threads, each stopped when it
// takes too long or the process grows past its memory limit.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DEFAULT_PDF_MEMORY_MB } from '../config/schema';
import type { PdfFlags, ReadProblem } from '../letter/mime';

export interface PdfReadOptions {
  /** How long reading the PDF's first page may take. */
  timeoutMs?: number;
  /** How large (RSS) this process may grow while PDFs are read (see PdfThreads). */
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

// pdf.js (inside pdf-parse) runs in worker threads: a hostile PDF can spin the CPU or eat
// memory, and a thread can be stopped and bounded where a promise on the main thread cannot.
// A thread also loads pdf.js's own worker with import(), which Jest's module system refuses.
// Threads are kept and reused: loading pdf.js costs more than reading a letter's first page.
const PDF_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
async function readPdf(data) {
  let parser = null;
  let outcome;
  try {
    const { PDFParse } = require(workerData.module);
    parser = new PDFParse({ data, verbosity: 0, isEvalSupported: false });
    const result = await parser.getText({ first: 1 });
    outcome = { kind: 'text', text: result.pages[0] ? result.pages[0].text : '' };
  } catch (error) {
    const kind = error && error.name === 'PasswordException' ? 'encrypted' : 'unreadable';
    outcome = { kind, reason: String(error && error.message) };
  }
  // A document pdf.js cannot release may hold its memory: the thread is then not reused.
  if (parser) await parser.destroy().catch((error) => (outcome.cleanup = String(error && error.message)));
  return outcome;
}
async function readWord(data) {
  try {
    const result = await require(workerData.mammoth).extractRawText({ buffer: Buffer.from(data.buffer, data.byteOffset, data.byteLength) });
    return { kind: 'text', text: result.value };
  } catch (error) {
    return { kind: 'unreadable', reason: String(error && error.message) };
  }
}
parentPort.on('message', async ({ data, format }) => {
  parentPort.postMessage(format === 'docx' ? await readWord(data) : await readPdf(data));
});
`;
type PdfOutcome = ({ kind: 'text'; text: string } | { kind: 'encrypted' | 'unreadable' | 'postponed'; reason: string }) & {
  /** Why pdf.js could not release the document after reading it. */
  cleanup?: string;
};

/**
 * The PDF could not be judged: the worker held more than workers.pdfMemoryMb before it began.
 * Thrown, so that the letters job is tried again later (a full worker is no sign of a bad PDF).
 */
export class PdfReadingPostponed extends Error {
  override name = 'PdfReadingPostponed';
}

/**
 * Reads the first page of a PDF. Never throws, but for PdfReadingPostponed (the worker too full to
 * judge the PDF: try again later); a PDF that cannot be read is flagged, and the problem says why.
 */
export async function readFirstPage(pdf: Buffer, options: PdfReadOptions = {}): Promise<FirstPage> {
  const timeoutMs = options.timeoutMs ?? PDF_TIMEOUT_MS;
  const memoryBytes = options.memoryBytes ?? PDF_MEMORY_BYTES;
  // Readers look for the header in the first 1024 bytes; without it there is nothing to read.
  const outcome: PdfOutcome = pdf.subarray(0, 1024).includes('%PDF-')
    ? await pdfThreads.read(pdf, 'pdf', timeoutMs, memoryBytes)
    : { kind: 'unreadable', reason: 'no PDF header in its first 1024 bytes' };
  if (outcome.kind === 'postponed') throw new PdfReadingPostponed(outcome.reason);
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

type DocumentFormat = 'pdf' | 'docx';

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
  const outcome: PdfOutcome =
    docx.subarray(0, 2).toString('latin1') === 'PK'
      ? await pdfThreads.read(docx, 'docx', options.timeoutMs ?? PDF_TIMEOUT_MS, options.memoryBytes ?? PDF_MEMORY_BYTES)
      : { kind: 'unreadable', reason: 'not a zip file, as a .docx is (an older .doc, or an encrypted document)' };
  if (outcome.kind === 'postponed') throw new PdfReadingPostponed(outcome.reason);
  if (outcome.kind !== 'text') return { text: null, problems: [{ kind: 'word-unreadable', detail: outcome.reason }] };
  const text = outcome.text.replace(/\r\n?/g, '\n').replace(/\n{3,}/g, '\n\n').trim().slice(0, WORD_TEXT_CHARS);
  return { text: text || null, problems: [] };
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

interface PdfJob {
  pdf: Buffer;
  format: DocumentFormat;
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
  /** The error a thread reported before it exited. */
  private readonly failures = new WeakMap<Worker, Error>();
  private memoryWatch: NodeJS.Timeout | null = null;
  /** Stopped readers whose memory has not been given back yet: nothing starts meanwhile. */
  private stopping = 0;
  private busy = 0;

  constructor(
    private readonly size: number,
    private readonly idleMs: number,
  ) {}

  read(pdf: Buffer, format: DocumentFormat, timeoutMs: number, memoryBytes: number): Promise<PdfOutcome> {
    return new Promise((resolve) => {
      this.queue.push({ pdf, format, timeoutMs, memoryBytes, alone: false, rssBefore: process.memoryUsage.rss(), resolve });
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
      workerData: { module: require.resolve('pdf-parse'), mammoth: require.resolve('mammoth') },
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    // A thread that dies while idle is not reused and is reported; one that dies at work fails its job, saying why.
    thread.on('error', (error) => this.failures.set(thread, error));
    thread.once('exit', (code) => {
      // Still listed as idle: it ended by itself (an idle thread is unlisted before it is stopped).
      const at = this.idle.indexOf(thread);
      if (at >= 0) {
        this.idle.splice(at, 1);
        reportIdleFailure(this.failures.get(thread) ?? new Error(`PDF reader thread exited with code ${code}`));
      }
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
    const onMessage = (outcome: PdfOutcome) => finish(outcome, outcome.cleanup === undefined);
    const onExit = (code: number) => {
      const failure = this.failures.get(thread);
      finish(
        { kind: 'unreadable', reason: failure ? `PDF reader failed: ${failure.message}` : `PDF reader stopped (exit code ${code})` },
        false,
      );
    };
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
    thread.postMessage({ data, format: job.format }, [data.buffer as ArrayBuffer]);
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
