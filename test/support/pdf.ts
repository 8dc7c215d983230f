import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createDeflate } from 'node:zlib';
import { pdfFile } from '../../devkit/pdf';
import { normaliseThaiText } from '../../letter/thai';

/**
 * The text of a PDF as poppler's pdftotext reads it (Debian's poppler-utils; .ci/run installs
 * it) in the order it was drawn (-raw: a table cell's lines stay together), normalised as the
 * reader normalises letters' PDFs: pdftotext gives สำา for สำ.
 */
export async function pdfText(pdf: Uint8Array): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'saraban-pdf-'));
  try {
    const file = path.join(dir, 'in.pdf');
    await writeFile(file, pdf);
    const { stdout } = await promisify(execFile)('pdftotext', ['-raw', '-enc', 'UTF-8', file, '-']);
    return normaliseThaiText(stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A valid one-page PDF with a text layer (ASCII: the standard fonts have no Thai). `times`
 * repeats the text (a large file); `encrypted` adds a user password nobody gave us.
 */
export function onePagePdf(text: string, options: { encrypted?: boolean; times?: number } = {}): Buffer {
  const content = `BT /F1 14 Tf 72 760 Td (${text.replace(/[()\\]/g, '')}) Tj ET\n`.repeat(options.times ?? 1).trim();
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  // Standard security handler, RC4 40-bit: /U does not match the empty password, so a reader
  // needs the user password; the content need not really be encrypted for that.
  if (options.encrypted) objects.push(`<< /Filter /Standard /V 1 /R 2 /O <${'a'.repeat(64)}> /U <${'b'.repeat(64)}> /P -44 >>`);
  const id = '<0123456789abcdef0123456789abcdef>';
  return pdfFile(objects, options.encrypted ? ` /Encrypt 6 0 R /ID [${id} ${id}]` : '');
}

/** `megabytes` MB of spaces between `before` and `after`, deflated: a few hundred KB that inflate to all of it. */
async function deflatedSpaces(megabytes: number, before = '', after = ''): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const compressed: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => compressed.push(chunk));
  const finished = new Promise((resolve) => deflate.on('end', resolve));
  deflate.write(before);
  const spaces = Buffer.alloc(2 ** 20, ' ');
  for (let i = 0; i < megabytes; i++) deflate.write(spaces);
  deflate.write(after);
  deflate.end();
  await finished;
  return Buffer.concat(compressed);
}

/** A stream object of these compressed bytes, its dictionary led by `entries`. */
const flateStream = (stream: Buffer, entries = '') =>
  Buffer.concat([
    Buffer.from(`<< ${entries}/Length ${stream.length} /Filter /FlateDecode >>\nstream\n`),
    stream,
    Buffer.from('\nendstream'),
  ]);

/**
 * A one-page PDF whose page is a few hundred KB of compressed content that pdf.js decodes into
 * `megabytes` MB of spaces before reading its text: a PDF that asks for memory, not time.
 */
export async function memoryHungryPdf(megabytes: number): Promise<Buffer> {
  return pdfFile([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    flateStream(await deflatedSpaces(megabytes)),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]);
}

/**
 * A one-page PDF with an object stream of a few hundred KB that pdf-lib inflates whole into
 * `megabytes` MB as it loads the file (before it can stamp it): memory, outside any heap limit.
 */
export async function memoryHungryObjectStream(megabytes: number): Promise<Buffer> {
  return pdfFile([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
    flateStream(await deflatedSpaces(megabytes, '6 0 ', '<< >>'), '/Type /ObjStm /N 1 /First 4 '),
  ]);
}

/** A test letter's PDF, unique per call so that no two test letters are the same file. */
export const samplePdf = (text = `Test letter ${randomBytes(6).toString('hex')}`) => onePagePdf(text);

/**
 * A reader thread's memory limit with room beside what this Jest worker already holds (other
 * test files, large PDFs made for them): under the default 1.5 GB a worker that has grown is
 * already over it, and the reading is postponed. For every reading that is not about the limit.
 */
export const roomy = () => process.memoryUsage.rss() + 2 ** 30;
