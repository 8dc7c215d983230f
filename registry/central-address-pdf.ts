import { PageSizes, PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { CentralAddressReport } from '../letter/contact';
import { toThaiDigits } from '../letter/calendar';
import { drawThaiText, embedThaiFonts, textWidth, wrapText, type ThaiFonts } from '../lib/thai-pdf';

// The central-address report on A4, as a Thai office prints a form: the title centred, the
// agency's facts as label and value, the officers as a ruled table whose header row is repeated
// on every page, and the date at the end.

const [PAGE_WIDTH, PAGE_HEIGHT] = PageSizes.A4;
// Thai official documents keep a wider left margin (for the binding).
const MARGIN = { left: 70, right: 56, top: 56, bottom: 56 };
const CONTENT_WIDTH = PAGE_WIDTH - MARGIN.left - MARGIN.right;
/** Room for Thai marks above and below the line: Sarabun's marks reach well beyond its x-height. */
const LEADING = 1.45;
/** From the top of a line's box to its baseline. */
const ASCENT = 1.08;
const CELL_PADDING = 5;
const COLUMN_SHARES = [0.1, 0.29, 0.32, 0.29];
const RULE = { thickness: 0.6, color: rgb(0.3, 0.3, 0.3) };
const HEADER_FILL = rgb(0.9, 0.9, 0.9);

const SIZE = { title: 17, basis: 13, body: 14, pageNumber: 10 };

/** A page with a cursor going down it. */
class Writer {
  pages: PDFPage[] = [];
  page!: PDFPage;
  y = 0;

  constructor(
    private readonly doc: PDFDocument,
    readonly fonts: ThaiFonts,
  ) {
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
    this.pages.push(this.page);
    this.y = PAGE_HEIGHT - MARGIN.top;
  }

  room(): number {
    return this.y - MARGIN.bottom;
  }

  /** Draws lines of text, each placed by `x` from its width, and moves the cursor below them. */
  lines(lines: string[], font: PDFFont, size: number, x: (width: number) => number): void {
    for (const line of lines) {
      drawThaiText(this.page, line, x(textWidth(line, font, size)), this.y - size * ASCENT, { font, size });
      this.y -= size * LEADING;
    }
  }
}

export async function centralAddressPdf(report: CentralAddressReport, at: Date): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  // Stamped with the report's own time, so the same register gives the same file.
  doc.setTitle(report.title);
  doc.setLanguage('th-TH');
  doc.setCreator('saraban-gateway');
  doc.setProducer('saraban-gateway (pdf-lib)');
  doc.setCreationDate(at);
  doc.setModificationDate(at);
  const w = new Writer(doc, await embedThaiFonts(doc));
  const { regular, bold } = w.fonts;

  const centred = (width: number) => MARGIN.left + (CONTENT_WIDTH - width) / 2;
  w.lines(wrapText(report.title, bold, SIZE.title, CONTENT_WIDTH), bold, SIZE.title, centred);
  w.lines(wrapText(report.basis, regular, SIZE.basis, CONTENT_WIDTH), regular, SIZE.basis, centred);
  w.y -= SIZE.body;

  // Labels in a column as wide as the widest, values wrapped beside them.
  const labelWidth = Math.max(...report.fields.map(([label]) => textWidth(label, bold, SIZE.body))) + 12;
  for (const [label, value] of report.fields) {
    const top = w.y;
    w.lines([label], bold, SIZE.body, () => MARGIN.left);
    const afterLabel = w.y;
    w.y = top;
    w.lines(wrapText(value, regular, SIZE.body, CONTENT_WIDTH - labelWidth), regular, SIZE.body, () => MARGIN.left + labelWidth);
    w.y = Math.min(w.y, afterLabel);
  }
  w.y -= SIZE.body / 2;

  const widths = COLUMN_SHARES.map((share) => share * CONTENT_WIDTH);
  const header = () => row(w, report.columns, widths, bold, HEADER_FILL);
  header();
  for (const cells of report.rows) {
    if (rowHeight(cells, widths, regular) > w.room()) {
      w.newPage();
      header();
    }
    row(w, cells, widths, regular);
  }
  // No officer named: one cell across the table says so.
  if (!report.rows.length) row(w, [report.noRows], [CONTENT_WIDTH], regular);

  const dateLineHeight = SIZE.body * LEADING;
  if (w.room() < 2 * dateLineHeight) w.newPage();
  w.y -= dateLineHeight;
  w.lines([report.date], regular, SIZE.body, (width) => MARGIN.left + CONTENT_WIDTH - width);

  if (w.pages.length > 1) {
    w.pages.forEach((page, i) => {
      const text = toThaiDigits(`หน้า ${i + 1} จาก ${w.pages.length}`);
      const x = MARGIN.left + (CONTENT_WIDTH - textWidth(text, regular, SIZE.pageNumber)) / 2;
      drawThaiText(page, text, x, MARGIN.bottom / 2, { font: regular, size: SIZE.pageNumber });
    });
  }
  return doc.save();
}

function cellLines(cells: string[], widths: number[], font: PDFFont): string[][] {
  return cells.map((cell, i) => wrapText(cell, font, SIZE.body, widths[i] - 2 * CELL_PADDING));
}

function rowHeight(cells: string[], widths: number[], font: PDFFont): number {
  const lines = Math.max(...cellLines(cells, widths, font).map((l) => l.length));
  return lines * SIZE.body * LEADING + CELL_PADDING;
}

/** One row of the table, ruled all round; the first cell (ลำดับ) centred. */
function row(w: Writer, cells: string[], widths: number[], font: PDFFont, fill?: ReturnType<typeof rgb>): void {
  const height = rowHeight(cells, widths, font);
  const top = w.y;
  if (fill) w.page.drawRectangle({ x: MARGIN.left, y: top - height, width: CONTENT_WIDTH, height, color: fill });
  let x = MARGIN.left;
  cellLines(cells, widths, font).forEach((lines, i) => {
    w.y = top - CELL_PADDING / 2;
    const left = x;
    w.lines(lines, font, SIZE.body, (width) => (i === 0 ? left + (widths[i] - width) / 2 : left + CELL_PADDING));
    x += widths[i];
  });
  const rule = (from: [number, number], to: [number, number]) =>
    w.page.drawLine({ start: { x: from[0], y: from[1] }, end: { x: to[0], y: to[1] }, ...RULE });
  rule([MARGIN.left, top], [MARGIN.left + CONTENT_WIDTH, top]);
  rule([MARGIN.left, top - height], [MARGIN.left + CONTENT_WIDTH, top - height]);
  widths.reduce((at, width) => {
    rule([at, top], [at, top - height]);
    return at + width;
  }, MARGIN.left);
  rule([MARGIN.left + CONTENT_WIDTH, top], [MARGIN.left + CONTENT_WIDTH, top - height]);
  w.y = top - height;
}
