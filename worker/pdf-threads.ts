// The PDF readers' supervisor: a thread of its own that owns the reader threads, hands them
// PDFs and Word letters to read and PDFs to stamp (the receipt stamp, registry/receipt-stamp.ts),
// and stops a reader that takes too long or takes the process past its memory limit. It runs here, not on the main thread, because the letter work there (mailparser,
// a DKIM check, a large message) can block that thread for seconds, and a watch that runs on it
// stops nothing meanwhile: a reader once grew to 1.35 GB that way. This thread does nothing else,
// so its timers run on time. worker/pdf.ts starts it and talks to it by messages.

import { availableParallelism } from 'node:os';
import { parentPort, Worker } from 'node:worker_threads';
import type { ReceiptStamp, StampOutcome } from '../registry/receipt-stamp';

/** What a reader does with a document: read a PDF's first page or a Word letter's text, or stamp a PDF. */
export type DocumentFormat = 'pdf' | 'docx' | 'stamp';

/** What worker/pdf.ts asks: read (or stamp) this document within these bounds. */
export interface ReadRequest {
  id: number;
  data: Uint8Array;
  format: DocumentFormat;
  /** For a stamp: what it says. */
  receipt?: ReceiptStamp;
  timeoutMs: number;
  memoryBytes: number;
  /** The process's size when the document was handed over, before any reader touched it. */
  rssBefore: number;
  /** The require() paths of pdf-parse, mammoth and the stamp, resolved where the gateway runs. */
  modules: { pdf: string; docx: string; stamp: string };
}

/** What this thread answers: a document's outcome, or a reader that failed while idle. */
export type SupervisorMessage = { id: number; outcome: PdfOutcome } | { idleFailure: string };

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
let stampPdf = null;
async function stamp(data, receipt) {
  try {
    // pdf-lib writes what it finds wrong in a damaged file to the console, where the worker's
    // structured log would have plain lines among it: the outcome says the file is damaged.
    console.warn = console.log = () => undefined;
    stampPdf = stampPdf || require(workerData.stamp).stampPdf;
    return await stampPdf(data, receipt);
  } catch (error) {
    return { kind: 'unreadable', reason: 'the stamp could not be drawn: ' + String(error && error.message), bound: 'failure' };
  }
}
parentPort.on('message', async ({ data, format, receipt }) => {
  const outcome = format === 'docx' ? await readWord(data) : format === 'stamp' ? await stamp(data, receipt) : await readPdf(data);
  parentPort.postMessage(outcome, outcome.kind === 'stamped' ? [outcome.pdf.buffer] : []);
});
`;
/** What stopped a reader: the time allowed, the memory allowed, or the reader failing. */
export type Bound = 'time' | 'memory' | 'failure';

export type PdfOutcome = (
  { kind: 'text'; text: string } | { kind: 'encrypted' | 'unreadable' | 'postponed'; reason: string; bound?: Bound } | StampOutcome
) & {
  /** Why pdf.js could not release the document after reading it. */
  cleanup?: string;
};

/** The stamped copy's bytes are handed over, not copied, on their way back. */
export const transferOf = (outcome: PdfOutcome): ArrayBuffer[] => (outcome.kind === 'stamped' ? [outcome.pdf.buffer as ArrayBuffer] : []);

/** A piece of work as the queue weighs it. */
export interface Work {
  /** Stopped once beside others for memory: to run with nothing beside it. */
  alone: boolean;
  format: DocumentFormat;
}

/**
 * Where new work joins the queue: a letter to be read goes before every stamp waiting (its
 * registration and receipt come first; a stamp can wait), a stamp at the end.
 */
export function placeInQueue(queue: readonly Work[], format: DocumentFormat): number {
  const firstStamp = queue.findIndex((w) => !w.alone && w.format === 'stamp');
  return format === 'stamp' || firstStamp < 0 ? queue.length : firstStamp;
}

/**
 * Whether the next work may start, given the work running and the threads idle out of `size`:
 * work to run alone waits for every thread to finish, and nothing starts beside it. A stamp
 * starts only while no letter is being read (a burst of letters is read, and acknowledged,
 * before its stamps take any CPU), and stamps never hold every thread (but on a machine of
 * one): one is kept for the next letter to be read.
 */
export function mayStart(next: Work, running: readonly Work[], idle: number, size: number): boolean {
  if (next.alone) return running.length === 0;
  if (running.some((w) => w.alone) || (idle === 0 && running.length >= size)) return false;
  if (next.format !== 'stamp') return true;
  return running.every((w) => w.format === 'stamp') && running.length < Math.max(1, size - 1);
}

interface PdfJob {
  data: Uint8Array;
  format: DocumentFormat;
  receipt?: ReceiptStamp;
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
  private modules: ReadRequest['modules'] | null = null;

  constructor(
    private readonly size: number,
    private readonly idleMs: number,
  ) {}

  read(request: ReadRequest): Promise<PdfOutcome> {
    this.modules ??= request.modules;
    const { data, format, receipt, timeoutMs, memoryBytes, rssBefore } = request;
    return new Promise((resolve) => {
      const job = { data, format, receipt, timeoutMs, memoryBytes, alone: false, rssBefore, resolve };
      this.queue.splice(placeInQueue(this.queue, format), 0, job);
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0 && this.stopping === 0) {
      const running = [...this.reading.values()].map((r) => r.job);
      if (!mayStart(this.queue[0], running, this.idle.length, this.size)) return;
      const job = this.queue.shift()!;
      let thread = this.idle.pop();
      if (thread) {
        clearTimeout(this.idleTimers.get(thread));
        this.idleTimers.delete(thread);
      } else {
        try {
          thread = this.spawn();
        } catch (error) {
          job.resolve({ kind: 'unreadable', reason: String(error), bound: 'failure' });
          continue;
        }
      }
      this.run(thread, job);
    }
  }

  private spawn(): Worker {
    const thread = new Worker(PDF_THREAD, {
      eval: true,
      workerData: { module: this.modules!.pdf, mammoth: this.modules!.docx, stamp: this.modules!.stamp },
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    // A thread that dies while idle is not reused and is reported; one that dies at work fails its job, saying why.
    thread.on('error', (error) => this.failures.set(thread, error));
    thread.once('exit', (code) => {
      // Still listed as idle: it ended by itself (an idle thread is unlisted before it is stopped).
      const at = this.idle.indexOf(thread);
      if (at >= 0) {
        this.idle.splice(at, 1);
        const failure = this.failures.get(thread)?.message ?? `PDF reader thread exited with code ${code}`;
        parentPort!.postMessage({ idleFailure: failure } satisfies SupervisorMessage);
      }
      clearTimeout(this.idleTimers.get(thread));
      this.idleTimers.delete(thread);
    });
    return thread;
  }

  private run(thread: Worker, job: PdfJob): void {
    thread.ref();
    let done = false;
    // A copy with its own memory, handed over to the reader rather than copied again; the job
    // keeps its own in case it is read again alone.
    const data = new Uint8Array(job.data);
    const finish = (outcome: PdfOutcome | 'again', reuse: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      thread.off('message', onMessage);
      thread.off('exit', onExit);
      this.reading.delete(thread);
      if (reuse) this.rest(thread);
      else this.stop(thread);
      if (outcome === 'again') this.queue.unshift({ ...job, alone: true });
      else job.resolve(outcome);
      this.dispatch();
    };
    const onMessage = (outcome: PdfOutcome) => finish(outcome, outcome.cleanup === undefined);
    const onExit = (code: number) => {
      const failure = this.failures.get(thread);
      // Past its heap limit (resourceLimits), a reader is ended with this code.
      const bound = (failure as NodeJS.ErrnoException | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'failure';
      finish(
        { kind: 'unreadable', reason: failure ? `PDF reader failed: ${failure.message}` : `PDF reader stopped (exit code ${code})`, bound },
        false,
      );
    };
    const timer = setTimeout(
      () => finish({ kind: 'unreadable', reason: `no answer within ${job.timeoutMs} ms`, bound: 'time' }, false),
      job.timeoutMs,
    );
    const startRss = process.memoryUsage.rss();
    // Read alone and stopped: the PDF's doing, unless the process was past the limit when it was handed over
    // (measured then, not now: a reader stopped a moment ago may not have given its memory back yet).
    const tooLarge: PdfOutcome =
      job.rssBefore > job.memoryBytes
        ? { kind: 'postponed', reason: `the worker held ${job.rssBefore} bytes, more than ${job.memoryBytes}, before reading the PDF` }
        : { kind: 'unreadable', reason: `reading it took the process past ${job.memoryBytes} bytes of memory`, bound: 'memory' };
    this.reading.set(thread, { job, startRss, stop: () => finish(job.alone ? tooLarge : 'again', false) });
    thread.on('message', onMessage);
    thread.once('exit', onExit);
    thread.postMessage({ data, format: job.format, receipt: job.receipt }, [data.buffer as ArrayBuffer]);
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

parentPort?.on('message', async (request: ReadRequest) => {
  const outcome = await pdfThreads.read(request);
  parentPort!.postMessage({ id: request.id, outcome } satisfies SupervisorMessage, transferOf(outcome));
});
