import type { Writable } from 'node:stream';

/**
 * Waits while `out` has more in hand than it wants, until its reader has taken some. For a
 * writer that makes its output without asking whether there is room (exceljs, PDFKit): without
 * this wait, a slow reader (a browser on a slow line, a pipe) would leave the whole file in
 * memory. Throws once `out` is destroyed (its reader went away): there is no point going on.
 */
export async function roomIn(out: Writable): Promise<void> {
  if (out.destroyed) throw new Error('the output was closed before everything was written');
  if (!out.writableNeedDrain) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}
