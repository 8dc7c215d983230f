import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { degrees, PageSizes, PDFDocument, rgb, StandardFonts } from 'pdf-lib';
import type { ReceiptStamp } from '../../registry/receipt-stamp';

// Real-shaped letters' PDFs for the receipt stamp's tests, made with pdf-lib, and pages rendered
// by poppler's pdftoppm (Debian's poppler-utils) to compare pixels.

const run = promisify(execFile);

/** The stamp the tests draw: an agency with marks above and below its letters, 09:05 in Bangkok on 7 December 2569. */
export const SAMPLE_STAMP: ReceiptStamp = {
  agency: 'สำนักงานผู้ว่าราชการจังหวัดน่าน',
  number: 12,
  year: 2569,
  registeredAt: new Date('2026-12-07T02:05:00Z'),
  digits: 'thai',
};

/** Draws a letter's body: a heading at the top left, a dozen lines of text, a signature block. */
async function letterPage(doc: PDFDocument, size: [number, number], options: { topRight?: boolean } = {}) {
  const page = doc.addPage(size);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const [width, height] = size;
  page.drawText('No. MOI 0201.2/5951', { x: 72, y: height - 60, size: 12, font });
  for (let i = 0; i < 14; i++)
    page.drawText(`Line ${i + 1} of the letter body, about the central e-mail address of the agency.`, {
      x: 72,
      y: height - 150 - i * 22,
      size: 11,
      font,
    });
  page.drawRectangle({ x: width - 220, y: 120, width: 150, height: 40, borderColor: rgb(0, 0, 0), borderWidth: 1 });
  // A ministry's reference and logo in the top right: where a stamp would go.
  if (options.topRight) {
    page.drawRectangle({ x: width - 110, y: height - 110, width: 80, height: 80, color: rgb(0.6, 0.1, 0.1) });
    page.drawText('URGENT', { x: width - 180, y: height - 40, size: 14, font });
  }
  return page;
}

export type PdfShape =
  'a4-text' | 'scan' | 'rotated-90' | 'rotated-180' | 'rotated-270' | 'letter-size' | 'top-right-content' | 'crop-offset';

/** A one-page PDF of that shape. */
export async function shapedPdf(shape: PdfShape): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setCreationDate(new Date('2026-12-01T00:00:00Z'));
  doc.setModificationDate(new Date('2026-12-01T00:00:00Z'));
  switch (shape) {
    case 'a4-text':
      await letterPage(doc, PageSizes.A4);
      break;
    case 'letter-size':
      await letterPage(doc, PageSizes.Letter);
      break;
    case 'top-right-content':
      await letterPage(doc, PageSizes.A4, { topRight: true });
      break;
    case 'rotated-90':
    case 'rotated-180':
    case 'rotated-270': {
      // A letter scanned sideways or upside down: turned by /Rotate to be read.
      const size: [number, number] = shape === 'rotated-180' ? PageSizes.A4 : [PageSizes.A4[1], PageSizes.A4[0]];
      const page = await letterPage(doc, size, { topRight: true });
      page.setRotation(degrees(Number(shape.slice('rotated-'.length))));
      break;
    }
    case 'crop-offset': {
      const page = await letterPage(doc, [700, 950], { topRight: true });
      // Printer's marks outside the visible box, which must stay hidden.
      page.drawRectangle({ x: 0, y: 910, width: 700, height: 40, color: rgb(0, 0, 0) });
      page.setCropBox(50, 60, 595, 842);
      break;
    }
    case 'scan': {
      // One picture per page, as a scanner makes it: the text letter rendered to PNG.
      const png = await renderPng(await shapedPdf('a4-text'), 72);
      const page = doc.addPage(PageSizes.A4);
      const image = await doc.embedPng(png);
      page.drawImage(image, { x: 0, y: 0, width: PageSizes.A4[0], height: PageSizes.A4[1] });
      break;
    }
  }
  return doc.save();
}

async function inScratchDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'saraban-stamp-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Page 1 as PNG, as `pdftoppm -r <dpi> -cropbox -png` draws it (the visible box, as viewers show): to look at. */
export function renderPng(pdf: Uint8Array, dpi = 110): Promise<Buffer> {
  return inScratchDir(async (dir) => {
    await writeFile(path.join(dir, 'in.pdf'), pdf);
    await run('pdftoppm', [
      '-r',
      String(dpi),
      '-cropbox',
      '-png',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      path.join(dir, 'in.pdf'),
      path.join(dir, 'out'),
    ]);
    return readFile(path.join(dir, 'out.png'));
  });
}

/** Page 1 in grey levels (0 black, 255 white), row by row. */
export interface Raster {
  width: number;
  height: number;
  pixel(x: number, y: number): number;
}

/**
 * Page 1 rendered by the same pdftoppm at `dpi` in grey (PGM), which is read without a PNG
 * decoder: the pixels that the PNG shows.
 */
export function renderGrey(pdf: Uint8Array, dpi = 110): Promise<Raster> {
  return inScratchDir(async (dir) => {
    await writeFile(path.join(dir, 'in.pdf'), pdf);
    await run('pdftoppm', [
      '-r',
      String(dpi),
      '-cropbox',
      '-gray',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      path.join(dir, 'in.pdf'),
      path.join(dir, 'out'),
    ]);
    const pgm = await readFile(path.join(dir, 'out.pgm'));
    // "P5\n<width> <height>\n255\n" then one byte per pixel.
    const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 64).toString('latin1'));
    if (!header) throw new Error('pdftoppm gave no PGM');
    const [width, height] = [Number(header[1]), Number(header[2])];
    const data = pgm.subarray(header[0].length);
    return { width, height, pixel: (x, y) => data[y * width + x] };
  });
}
