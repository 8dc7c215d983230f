import type { Writable } from 'node:stream';

/**
 * Waits while `out` has more in hand than it wants, until its reader has taken some. For a
 * writer that makes its output without asking whether there is room (exceljs, PDFKit): without
 * this wait, a slow reader (a browser on a slow line, a pipe) would leave the whole file in
 * memory. Throws once `out` is destroyed (its reader went away): there is no point going on.
 *
 * `ahead`: a stream the writer feeds on the way to `out` (exceljs's archive entry for a sheet),
 * waited for the same way, until it has room, fails, or `out` closes.
 */
export async function roomIn(out: Writable, ahead: Writable = out): Promise<void> {
  if (out.destroyed) throw new Error('the output was closed before everything was written');
  if (!needsDrain(ahead)) return;
  await new Promise<void>((resolve, reject) => {
    const end = () => {
      ahead.off('drain', done);
      out.off('close', done);
      if (ahead !== out) ahead.off('error', failed);
    };
    const done = () => {
      end();
      resolve();
    };
    const failed = (err: Error) => {
      end();
      reject(err);
    };
    ahead.on('drain', done);
    out.on('close', done);
    if (ahead !== out) ahead.on('error', failed);
  });
}

/** Node's streams say so; a readable-stream 2 stream (archiver's) keeps it in its state only. */
function needsDrain(stream: Writable): boolean {
  return stream.writableNeedDrain ?? (stream as { _writableState?: { needDrain?: boolean } })._writableState?.needDrain ?? false;
}
