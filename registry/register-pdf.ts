import type { PassThrough } from 'node:stream';
import PDFDocument from 'pdfkit';
import {
  closingLine,
  NumberTally,
  pageNumber,
  printedAt,
  REGISTER_HEADINGS,
  registerRow,
  registerTitle,
  type RegisterEntry,
  type RegisterForm,
} from '../letter/register-form';
import { roomIn } from '../lib/room';
import type { Weight } from '../lib/thai-pdf';
import { ThaiText } from '../lib/thai-pdfkit';

// The register printed as the regulation's form, to be bound at the end of the year: A4
// landscape, the agency, book and year at the top of every page, the columns' headings repeated,
// long cells wrapped between words, "หน้า ๑ จาก ๒๐" at the foot, and after the last letter the
// line that says whether the numbers run without a gap.
//
// PDFKit writes each page out when the next begins, so a register of any size is never whole in
// memory (pdf-lib, which draws the other PDFs, keeps the document until it is saved). The page
// count is printed on the first page but known only at the end: the register is laid out twice,
// once to count the pages without drawing them, once to draw them, both passes reading the same
// snapshot of the database.

const [PAGE_WIDTH, PAGE_HEIGHT] = [841.89, 595.28]; // A4 landscape, in points
// Wider on the left, where the pages are bound.
const MARGIN = { left: 42, right: 28, top: 28, bottom: 34 };
const CONTENT_WIDTH = PAGE_WIDTH - MARGIN.left - MARGIN.right;
/** Each column's share of the width, in REGISTER_HEADINGS' order: เรื่อง the widest. */
const COLUMN_SHARES = [0.092, 0.07, 0.112, 0.08, 0.14, 0.1, 0.216, 0.11, 0.08];
const COLUMN_WIDTHS = COLUMN_SHARES.map((share) => share * CONTENT_WIDTH);
const SIZE = { title: 14, subtitle: 11, body: 10, footer: 9 };
/** A line's box, as a multiple of its size: room for Thai marks above and below. */
const LEADING = 1.45;
const PAD = { x: 3, y: 2 };
/** A cell longer than this many lines is cut, so that every row fits on a page. */
const MAX_CELL_LINES = 16;
const RULE_WIDTH = 0.5;
const RULE_COLOR = '#555555';
const HEADING_FILL = '#e6e6e6';

/** The table's top on every page: below the title lines. */
const TABLE_TOP = MARGIN.top + SIZE.title * LEADING + SIZE.subtitle * LEADING + 6;
const TABLE_BOTTOM = PAGE_HEIGHT - MARGIN.bottom - SIZE.footer * LEADING;

/**
 * Lays the register out page by page; draws it only when given the page count (the second pass).
 * The first pass measures the same rows with the same font and breaks the same pages.
 */
class Layout {
  pages = 0;
  private y = 0;
  readonly tally = new NumberTally();

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly text: ThaiText,
    private readonly form: RegisterForm,
    /** Null while counting: nothing is drawn. */
    private readonly totalPages: number | null,
  ) {}

  private get drawing(): boolean {
    return this.totalPages !== null;
  }

  entry(entry: RegisterEntry): void {
    this.tally.add(entry.letter.number, entry.state);
    this.row(registerRow(entry, { digits: this.form.digits, revealRestricted: this.form.revealRestricted }), 'regular');
  }

  /** After the last row: the closing line, on the last page (a new one if it has no room). */
  close(): void {
    if (this.pages === 0) this.newPage();
    const lines = this.text.wrap(closingLine(this.tally, this.form.digits), 'bold', SIZE.subtitle, CONTENT_WIDTH);
    const height = (lines.length + 1) * SIZE.subtitle * LEADING;
    if (this.y + height > TABLE_BOTTOM) this.newPage();
    this.y += SIZE.subtitle * LEADING;
    for (const line of lines) {
      if (this.drawing) this.text.draw(line, MARGIN.left, this.y, 'bold', SIZE.subtitle);
      this.y += SIZE.subtitle * LEADING;
    }
  }

  private newPage(): void {
    this.pages++;
    this.y = TABLE_TOP;
    if (this.drawing) {
      this.doc.addPage({ size: [PAGE_WIDTH, PAGE_HEIGHT], margin: 0 });
      this.frame();
    }
    this.row([...REGISTER_HEADINGS], 'bold');
  }

  /** The title lines and the foot of the page. */
  private frame(): void {
    const [what, agency, bookAndYear] = registerTitle(this.form.agency, this.form.book, this.form.year, this.form.digits);
    this.centred(what, MARGIN.top, 'bold', SIZE.title);
    this.centred(`${agency}  ${bookAndYear}`, MARGIN.top + SIZE.title * LEADING, 'regular', SIZE.subtitle);
    const foot = PAGE_HEIGHT - MARGIN.bottom - SIZE.footer * LEADING + 4;
    this.text.draw(printedAt(this.form.at, this.form.digits), MARGIN.left, foot, 'regular', SIZE.footer);
    const page = pageNumber(this.pages, this.totalPages!, this.form.digits);
    this.text.draw(page, PAGE_WIDTH - MARGIN.right - this.text.width(page, 'regular', SIZE.footer), foot, 'regular', SIZE.footer);
  }

  private centred(line: string, y: number, weight: Weight, size: number): void {
    this.text.draw(line, MARGIN.left + (CONTENT_WIDTH - this.text.width(line, weight, size)) / 2, y, weight, size);
  }

  /** One row of the table, ruled all round, on this page if it has room, else on the next. */
  private row(cells: string[], weight: Weight): void {
    const lines = cells.map((cell, i) => this.cellLines(cell, weight, COLUMN_WIDTHS[i] - 2 * PAD.x));
    const height = Math.max(...lines.map((l) => l.length)) * SIZE.body * LEADING + 2 * PAD.y;
    if (weight === 'regular' && (this.pages === 0 || this.y + height > TABLE_BOTTOM)) this.newPage();
    if (this.drawing) this.drawRow(lines, weight, height);
    this.y += height;
  }

  private cellLines(cell: string, weight: Weight, width: number): string[] {
    const lines = this.text.wrap(cell, weight, SIZE.body, width);
    if (lines.length <= MAX_CELL_LINES) return lines;
    return [...lines.slice(0, MAX_CELL_LINES - 1), `${lines[MAX_CELL_LINES - 1]}…`];
  }

  private drawRow(lines: string[][], weight: Weight, height: number): void {
    const top = this.y;
    const doc = this.doc;
    if (weight === 'bold') doc.rect(MARGIN.left, top, CONTENT_WIDTH, height).fill(HEADING_FILL).fillColor('black');
    let x = MARGIN.left;
    lines.forEach((cell, i) => {
      cell.forEach((line, n) => {
        // Headings and the number centred; the rest from the left.
        const left = weight === 'bold' || i === 1 ? x + (COLUMN_WIDTHS[i] - this.text.width(line, weight, SIZE.body)) / 2 : x + PAD.x;
        this.text.draw(line, left, top + PAD.y + n * SIZE.body * LEADING, weight, SIZE.body);
      });
      x += COLUMN_WIDTHS[i];
    });
    doc.lineWidth(RULE_WIDTH).strokeColor(RULE_COLOR);
    doc.moveTo(MARGIN.left, top).lineTo(MARGIN.left + CONTENT_WIDTH, top);
    doc.moveTo(MARGIN.left, top + height).lineTo(MARGIN.left + CONTENT_WIDTH, top + height);
    COLUMN_WIDTHS.reduce((at, width) => {
      doc.moveTo(at, top).lineTo(at, top + height);
      return at + width;
    }, MARGIN.left);
    doc.moveTo(MARGIN.left + CONTENT_WIDTH, top).lineTo(MARGIN.left + CONTENT_WIDTH, top + height);
    doc.stroke();
  }
}

function pdfDocument(form: RegisterForm): PDFKit.PDFDocument {
  return new PDFDocument({
    autoFirstPage: false,
    // PDFKit's cache of laid-out strings keeps every one it met: a register's titles would all stay.
    fontLayoutCache: false,
    lang: 'th-TH',
    displayTitle: true,
    info: {
      Title: `${form.book.name} (${form.book.code}) ปี พ.ศ. ${form.year}`,
      Subject: 'ทะเบียนหนังสือรับ',
      Author: form.agency,
      Creator: 'saraban-gateway',
      Producer: 'saraban-gateway (PDFKit)',
      CreationDate: form.at,
    },
  });
}

/**
 * Writes the register's PDF into `out`: `read` gives the register's entries, and is called
 * twice (read both from one snapshot, or the pages counted may not be the pages drawn).
 */
export async function writeRegisterPdf(read: () => AsyncIterable<RegisterEntry>, form: RegisterForm, out: PassThrough): Promise<void> {
  // The first pass: a document that is never written, for its fonts' measures.
  const scratch = pdfDocument(form);
  const counting = new Layout(scratch, new ThaiText(scratch), form, null);
  for await (const entry of read()) counting.entry(entry);
  counting.close();

  const doc = pdfDocument(form);
  doc.pipe(out);
  const layout = new Layout(doc, new ThaiText(doc), form, counting.pages);
  let n = 0;
  for await (const entry of read()) {
    layout.entry(entry);
    if (++n % 20 === 0) await roomIn(out);
  }
  layout.close();
  if (layout.pages !== counting.pages) throw new Error(`the register laid out in ${counting.pages} pages, then drawn in ${layout.pages}`);
  doc.end();
}
