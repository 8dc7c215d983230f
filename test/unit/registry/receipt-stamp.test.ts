import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { STAMP_PLACE, stampLines, stampPdf } from '../../../registry/receipt-stamp';
import { onePagePdf, pdfText } from '../../support/pdf';
import { renderGrey, renderPng, SAMPLE_STAMP as STAMP, shapedPdf, type PdfShape, type Raster } from '../../support/stamp-pdfs';

const DPI = 110;
const PX = DPI / 72;
// Set SARABAN_STAMP_PNG=dir to keep the rendered pages and look at them.
const KEEP = process.env.SARABAN_STAMP_PNG;

/** Pixels darker than near-white within the rectangle (in pixels, right/top edges exclusive). */
function inked(r: Raster, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = Math.max(0, y0); y < Math.min(r.height, y1); y++)
    for (let x = Math.max(0, x0); x < Math.min(r.width, x1); x++) if (r.pixel(x, y) < 200) n++;
  return n;
}

/** Whether the grey level is in the raster at (x, y) or a pixel next to it. */
function matchesNear(grey: number, r: Raster, x: number, y: number): boolean {
  for (let dy = -1; dy <= 1; dy++)
    for (let dx = -1; dx <= 1; dx++) {
      const [nx, ny] = [x + dx, y + dy];
      if (nx >= 0 && ny >= 0 && nx < r.width && ny < r.height && Math.abs(r.pixel(nx, ny) - grey) <= 24) return true;
    }
  return false;
}

describe('the receipt stamp on a letter PDF', () => {
  it('writes the agency, เลขรับ, วันที่ in the Buddhist era and เวลา, in Thai digits unless Arabic are asked for', () => {
    expect(stampLines(STAMP)).toEqual({
      agency: 'สำนักงานผู้ว่าราชการจังหวัดน่าน',
      lines: ['เลขรับ ๑๒/๒๕๖๙', 'วันที่ ๗ ธันวาคม ๒๕๖๙', 'เวลา ๐๙.๐๕ น.'],
    });
    expect(stampLines({ ...STAMP, book: 'กลาง', digits: 'arabic' }).lines).toEqual([
      'เลขรับ กลาง 12/2569',
      'วันที่ 7 ธันวาคม 2569',
      'เวลา 09.05 น.',
    ]);
  });

  const shapes: PdfShape[] = [
    'a4-text',
    'scan',
    'rotated-90',
    'rotated-180',
    'rotated-270',
    'letter-size',
    'top-right-content',
    'crop-offset',
  ];
  it.each(shapes)('stamps a %s page in a strip at its visual top right, leaving the page itself as it was', async (shape) => {
    const original = await shapedPdf(shape);
    const kept = Buffer.from(original);
    const outcome = await stampPdf(original, STAMP);
    if (outcome.kind !== 'stamped') throw new Error(outcome.detail);
    expect(Buffer.from(original).equals(kept)).toBe(true);

    const [before, after] = await Promise.all([renderGrey(original, DPI), renderGrey(outcome.pdf, DPI)]);
    const strip = Math.round(STAMP_PLACE.strip * PX);
    expect(Math.abs(after.width - before.width)).toBeLessThanOrEqual(1);
    expect(Math.abs(after.height - (before.height + strip))).toBeLessThanOrEqual(1);

    // The page below the strip is the unstamped page: a pixel counts as changed when no pixel
    // beside its place matches it (poppler may put a line of glyphs one pixel off).
    let changed = 0;
    for (let y = 0; y < Math.min(before.height, after.height - strip); y++)
      for (let x = 0; x < Math.min(before.width, after.width); x++) if (!matchesNear(before.pixel(x, y), after, x, y + strip)) changed++;
    expect(changed).toBeLessThanOrEqual(10);

    // The stamp is drawn in its box at the right of the strip, and nothing else is in the strip.
    const box = {
      x0: Math.round(after.width - (STAMP_PLACE.gap + STAMP_PLACE.box.width) * PX),
      x1: Math.round(after.width - STAMP_PLACE.gap * PX),
      y0: Math.round(STAMP_PLACE.gap * PX),
      y1: Math.round((STAMP_PLACE.gap + STAMP_PLACE.box.height) * PX),
    };
    expect(inked(after, box.x0 + 4, box.y0 + 4, box.x1 - 4, box.y1 - 4)).toBeGreaterThan(500);
    // Its border: ink on each of its four sides.
    expect(inked(after, box.x0 - 2, box.y0 + 10, box.x0 + 3, box.y1 - 10)).toBeGreaterThan(50);
    expect(inked(after, box.x1 - 3, box.y0 + 10, box.x1 + 2, box.y1 - 10)).toBeGreaterThan(50);
    expect(inked(after, box.x0 + 10, box.y0 - 2, box.x1 - 10, box.y0 + 3)).toBeGreaterThan(100);
    expect(inked(after, box.x0 + 10, box.y1 - 3, box.x1 - 10, box.y1 + 2)).toBeGreaterThan(100);
    expect(inked(after, 0, 0, box.x0 - 3, strip)).toBe(0);

    // Its text reads as the same Thai (pdftotext's สำา normalised as the reader does).
    const text = await pdfText(outcome.pdf);
    for (const line of ['สำนักงานผู้ว่าราชการจังหวัดน่าน', 'เลขรับ ๑๒/๒๕๖๙', 'วันที่ ๗ ธันวาคม ๒๕๖๙', 'เวลา ๐๙.๐๕ น.']) expect(text).toContain(line);

    if (KEEP) {
      mkdirSync(KEEP, { recursive: true });
      writeFileSync(path.join(KEEP, `${shape}.png`), await renderPng(outcome.pdf, DPI));
      writeFileSync(path.join(KEEP, `${shape}.pdf`), outcome.pdf);
    }
  });

  it('keeps what a CropBox hid hidden when the visible box grows', async () => {
    const outcome = await stampPdf(await shapedPdf('crop-offset'), STAMP);
    if (outcome.kind !== 'stamped') throw new Error(outcome.detail);
    const after = await renderGrey(outcome.pdf, DPI);
    // The printer's black band above the old visible box (y 910-950) lies under the strip's left end.
    const strip = Math.round(STAMP_PLACE.strip * PX);
    expect(inked(after, 0, 0, Math.round(after.width / 2), strip)).toBe(0);
    const doc = await PDFDocument.load(outcome.pdf);
    expect(doc.getPage(0).getCropBox()).toEqual({ x: 50, y: 60, width: 595, height: 842 + STAMP_PLACE.strip });
  });

  it('stamps only page 1 of a longer letter', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    doc.addPage();
    const outcome = await stampPdf(await doc.save(), STAMP);
    if (outcome.kind !== 'stamped') throw new Error(outcome.detail);
    const stamped = await PDFDocument.load(outcome.pdf);
    expect(stamped.getPageCount()).toBe(2);
    expect(stamped.getPage(0).getHeight()).toBeCloseTo(doc.getPage(0).getHeight() + STAMP_PLACE.strip, 3);
    expect(stamped.getPage(1).getHeight()).toBeCloseTo(doc.getPage(1).getHeight(), 3);
  });

  it('refuses an encrypted PDF and a damaged one, saying why', async () => {
    expect(await stampPdf(onePagePdf('secret', { encrypted: true }), STAMP)).toMatchObject({ kind: 'refused', reason: 'encrypted' });
    expect(await stampPdf(Buffer.from('not a pdf at all'), STAMP)).toMatchObject({ kind: 'refused', reason: 'damaged' });
    const cut = Buffer.from(await shapedPdf('a4-text')).subarray(0, 300);
    expect(await stampPdf(cut, STAMP)).toMatchObject({ kind: 'refused', reason: 'damaged' });
  });
});
