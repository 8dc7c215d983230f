import { readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { PdfReadingPostponed, readFirstPage } from '../../../worker/pdf';
import { memoryHungryPdf, onePagePdf, roomy } from '../../support/pdf';

// 1 GB of spaces, deflated: made once for the file, it takes seconds.
let hungryPdf: Promise<Buffer> | undefined;
const gigabyteOfSpaces = () => (hungryPdf ??= memoryHungryPdf(1024));

const TEXT_PDF = { present: true, textLayer: true, encrypted: false, unreadable: false };

describe('reading the first page of a PDF in a reader thread', () => {
  it('flags a damaged PDF (a PDF header, then nothing a reader can use) as unreadable', async () => {
    const damaged = Buffer.concat([Buffer.from('%PDF-1.4\n% scanner output\n'), randomBytes(2048)]);
    const r = await readFirstPage(damaged, { memoryBytes: roomy() });
    expect(r.flags).toEqual({ present: true, textLayer: false, encrypted: false, unreadable: true });
    // pdf.js's own words say what is wrong with it.
    expect(r.problems).toEqual([{ kind: 'pdf-unreadable', detail: expect.stringMatching(/\w/) }]);
  });

  it('flags a PDF that takes longer than the time allowed as unreadable, and reads the next one', async () => {
    const slow = await readFirstPage(onePagePdf('Hello', { times: 50_000 }), { timeoutMs: 1, memoryBytes: roomy() });
    expect(slow.flags).toEqual({ present: true, textLayer: false, encrypted: false, unreadable: true });
    expect(slow.problems).toEqual([{ kind: 'pdf-unreadable', detail: 'no answer within 1 ms' }]);
    const next = await readFirstPage(onePagePdf('Hello'), { memoryBytes: roomy() });
    expect(next.flags).toEqual(TEXT_PDF);
    expect(next.problems).toEqual([]);
  });

  // A thread's heap limit does not count the buffers pdf.js decodes into: the process's size is watched.
  it('stops reading a PDF that takes the process past its memory limit, as unreadable', async () => {
    const hungry = await gigabyteOfSpaces();
    // Room for a reader (pdf.js loaded in a thread), not for 1 GB of spaces; time for all of it.
    const options = { timeoutMs: 120_000, memoryBytes: process.memoryUsage.rss() + 300 * 2 ** 20 };
    const stopped = await readFirstPage(hungry, options);
    expect(stopped.flags).toEqual({ present: true, textLayer: false, encrypted: false, unreadable: true });
    expect(stopped.problems).toEqual([
      { kind: 'pdf-unreadable', detail: `reading it took the process past ${options.memoryBytes} bytes of memory` },
    ]);
  });

  it('reads again, alone, a PDF whose reader was stopped for another one beside it', async () => {
    // Which reader grows cannot be seen, so both are stopped: here the second is over its limit from the start
    // (and so, read alone, postponed). Read alone, a PDF may still take the process to its limit and 256 MiB:
    // the worker holds more than that here, whatever ran before this test.
    const held = Buffer.alloc(400 * 2 ** 20, 1);
    const slow = onePagePdf('Hello', { times: 50_000 });
    // The first one's limit is set from what the worker holds now (roomy), not the default: its PDF, read alone,
    // would be postponed too (CI saw it).
    const [beside, overLimit] = await Promise.allSettled([
      readFirstPage(slow, { timeoutMs: 60_000, memoryBytes: roomy() }),
      readFirstPage(slow, { timeoutMs: 60_000, memoryBytes: 1 }),
    ]);
    expect(beside.status === 'fulfilled' && beside.value.flags).toEqual({
      present: true,
      textLayer: true,
      encrypted: false,
      unreadable: false,
    });
    expect(overLimit.status === 'rejected' && overLimit.reason).toBeInstanceOf(PdfReadingPostponed);
    expect(held[held.length - 1]).toBe(1);
  });

  it('judges a PDF read alone on what it adds, not on what the rest of the process holds', async () => {
    // The letters in hand can take the process past the limit on their own (25 MB messages, eight at once).
    const held = Buffer.alloc(400 * 2 ** 20, 1);
    const options = { timeoutMs: 60_000, memoryBytes: process.memoryUsage.rss() - 100 * 2 ** 20 };
    // Long enough to be read when the process's size is looked at (every 100 ms).
    const read = await readFirstPage(onePagePdf('Hello', { times: 50_000 }), options);
    expect(read.flags).toEqual({ present: true, textLayer: true, encrypted: false, unreadable: false });
    expect(held[held.length - 1]).toBe(1);
  });

  it('postpones a PDF, rather than flag it, while the worker holds more than the limit and 256 MiB, and does not let it grow', async () => {
    // What the worker holds before the PDF is read is no sign of a bad PDF: the letters job is tried again later.
    const held = Buffer.alloc(400 * 2 ** 20, 1);
    const hungry = await gigabyteOfSpaces();
    const limit = process.memoryUsage.rss() - 600 * 2 ** 20;
    let peak = 0;
    const sampling = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
    const start = process.memoryUsage.rss();
    await expect(readFirstPage(hungry, { timeoutMs: 120_000, memoryBytes: limit })).rejects.toThrow(PdfReadingPostponed);
    clearInterval(sampling);
    // Stopped at the first look, 100 ms in: far from the 1 GB it would decode (pdf.js doubles its buffer as it goes).
    expect(peak).toBeLessThan(start + 300 * 2 ** 20);
    expect(held[0]).toBe(1);
  });
});

describe('the memory watch, while the letter work blocks the main thread', () => {
  // The kernel's high-water mark of the process's size (VmHWM), reset first: the only view of the
  // process's peak that needs no timer on this thread, which the test blocks.
  const peakRss = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
  const resetPeak = () => writeFileSync('/proc/self/clear_refs', '5');

  it('stops a reader at the limit though this thread does not answer for seconds', async () => {
    const hungry = await gigabyteOfSpaces();
    // Warm a reader first, so that what the limit allows beside it is pdf.js's room and no more.
    await readFirstPage(onePagePdf('Hello'), { memoryBytes: roomy() });
    const limit = process.memoryUsage.rss() + 300 * 2 ** 20;
    resetPeak();
    const reading = readFirstPage(hungry, { timeoutMs: 120_000, memoryBytes: limit });
    // As mailparser or a DKIM check on a hostile message would: no timer of this thread runs meanwhile.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 6_000);
    const peak = peakRss();
    const stopped = await reading;
    expect(stopped.problems).toEqual([{ kind: 'pdf-unreadable', detail: `reading it took the process past ${limit} bytes of memory` }]);
    // Stopped within a look or two of the limit (every 100 ms), not after decoding its 1 GB of spaces.
    expect(peak).toBeLessThan(limit + 200 * 2 ** 20);
  });
});
