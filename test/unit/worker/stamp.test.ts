import { stampInThread } from '../../../worker/pdf';
import { mayStart, placeInQueue, type Work } from '../../../worker/pdf-threads';
import { memoryHungryObjectStream, onePagePdf, pdfText, roomy } from '../../support/pdf';
import { SAMPLE_STAMP as STAMP } from '../../support/stamp-pdfs';

describe('the receipt stamp drawn in a reader thread', () => {
  it('draws it on a copy of the PDF, leaving the PDF given as it was', async () => {
    const pdf = onePagePdf('Hello');
    const kept = Buffer.from(pdf);
    const run = await stampInThread(pdf, STAMP, { memoryBytes: roomy() });
    if (run.kind !== 'stamped') throw new Error(JSON.stringify(run));
    expect(pdf.equals(kept)).toBe(true);
    const text = await pdfText(run.pdf);
    expect(text).toContain('เลขรับ ๑๒/๒๕๖๙');
    expect(text).toContain('Hello');
  });

  it('refuses an encrypted PDF and a damaged one, saying why', async () => {
    expect(await stampInThread(onePagePdf('Hello', { encrypted: true }), STAMP, { memoryBytes: roomy() })).toMatchObject({
      kind: 'refused',
      reason: 'encrypted',
    });
    expect(await stampInThread(Buffer.from('%PDF-1.4\nnot a PDF after all'), STAMP, { memoryBytes: roomy() })).toMatchObject({
      kind: 'refused',
      reason: 'damaged',
    });
  });

  it('stops a stamp that takes longer than allowed, and stamps the next one', async () => {
    expect(await stampInThread(onePagePdf('Hello'), STAMP, { timeoutMs: 1, memoryBytes: roomy() })).toEqual({
      kind: 'stopped',
      bound: 'time',
      detail: 'no answer within 1 ms',
    });
    expect(await stampInThread(onePagePdf('Hello'), STAMP, { memoryBytes: roomy() })).toMatchObject({ kind: 'stamped' });
  });

  // pdf-lib holds the file's objects in memory as it loads it: an object stream is inflated whole, outside the thread's heap limit.
  it('stops a stamp that takes the process past its memory limit', async () => {
    const hungry = await memoryHungryObjectStream(512);
    const options = { timeoutMs: 120_000, memoryBytes: process.memoryUsage.rss() + 150 * 2 ** 20 };
    expect(await stampInThread(hungry, STAMP, options)).toEqual({
      kind: 'stopped',
      bound: 'memory',
      detail: `reading it took the process past ${options.memoryBytes} bytes of memory`,
    });
  });
});

describe("the reader threads' queue, with stamps in it", () => {
  const stamp: Work = { alone: false, format: 'stamp' };
  const pdf: Work = { alone: false, format: 'pdf' };
  const docx: Work = { alone: false, format: 'docx' };

  it('puts a letter to be read before every stamp waiting, and a stamp at the end', () => {
    expect(placeInQueue([pdf, stamp, stamp], 'docx')).toBe(1);
    expect(placeInQueue([pdf, stamp, stamp], 'stamp')).toBe(3);
    expect(placeInQueue([pdf, docx], 'pdf')).toBe(2);
    // Work stopped for memory, to be run again alone, keeps its place at the head.
    expect(placeInQueue([{ alone: true, format: 'stamp' }, stamp], 'pdf')).toBe(1);
  });

  it('starts a stamp only while no letter is being read', () => {
    expect(mayStart(stamp, [pdf], 1, 4)).toBe(false);
    expect(mayStart(stamp, [docx, stamp], 2, 4)).toBe(false);
    expect(mayStart(stamp, [stamp], 3, 4)).toBe(true);
  });

  it('never gives stamps every thread, but on a machine of one', () => {
    expect(mayStart(stamp, [], 2, 2)).toBe(true);
    expect(mayStart(stamp, [stamp], 1, 2)).toBe(false);
    expect(mayStart(pdf, [stamp], 1, 2)).toBe(true);
    expect(mayStart(stamp, [stamp, stamp], 1, 4)).toBe(true);
    expect(mayStart(stamp, [stamp, stamp, stamp], 1, 4)).toBe(false);
    expect(mayStart(stamp, [], 1, 1)).toBe(true);
    expect(mayStart(pdf, [stamp], 0, 1)).toBe(false);
  });

  it('starts nothing beside work run alone, and that work only once every thread is free', () => {
    expect(mayStart(pdf, [{ alone: true, format: 'stamp' }], 1, 2)).toBe(false);
    expect(mayStart({ alone: true, format: 'pdf' }, [stamp], 1, 2)).toBe(false);
    expect(mayStart({ alone: true, format: 'stamp' }, [], 0, 2)).toBe(true);
  });
});
