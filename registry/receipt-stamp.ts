import {
  degrees,
  PDFDocument,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  clip,
  concatTransformationMatrix,
  endPath,
  rgb,
  type PDFPage,
} from 'pdf-lib';
import { bangkokDate, bangkokParts, formatThaiDate, toThaiDigits } from '../letter/calendar';
import { registrationNumber } from '../letter/acknowledgement';
import { drawThaiText, embedThaiFonts, textWidth, wrapText } from '../lib/thai-pdf';

// The receipt stamp (ตรารับหนังสือ): the box a registry office stamps at the top right of a
// letter's first page, drawn on a copy of the letter's PDF.
//
// The stamp never covers the page: page 1 gets a blank strip added at its visual top (its
// visible box made taller) and the stamp sits in the strip's right end. Finding a free corner
// instead would need the page rendered (text positions miss scans, logos and lines, which is
// what a registry's letters are full of); the strip is safe on every page, and a page 10% taller
// still prints on A4 scaled to fit. The original content is clipped to its old visible box, so
// what a CropBox hid stays hidden.

const CM = 72 / 2.54;
/** The rubber stamp's size: about 5 x 2.5 cm. */
const BOX = { width: 5 * CM, height: 2.5 * CM };
/** The strip added above the page: 1.2 inch, the box and a small gap around it. */
const STRIP = 86.4;
const GAP = (STRIP - BOX.height) / 2;
const PADDING = 5;
/** Where the stamp goes on the page as its reader sees it, in points from the top right. */
export const STAMP_PLACE = { box: BOX, strip: STRIP, gap: GAP };
const SIZE = { agency: 10.5, smallestAgency: 7.5, line: 10 };
const INK = rgb(0.05, 0.15, 0.55);

export interface ReceiptStamp {
  /** The agency whose registry received the letter. */
  agency: string;
  /** The register (book) the number belongs to, when the office keeps more than one. */
  book?: string | null;
  number: number;
  /** Buddhist-era year of the number. */
  year: number;
  registeredAt: Date;
  digits: 'thai' | 'arabic';
}

export type StampOutcome = { kind: 'stamped'; pdf: Uint8Array } | { kind: 'refused'; reason: 'encrypted' | 'damaged'; detail: string };

/** The stamp's lines: agency, เลขรับ, วันที่, เวลา, as the rubber stamp has them. */
export function stampLines(stamp: ReceiptStamp): { agency: string; lines: string[] } {
  const digits = stamp.digits === 'thai' ? toThaiDigits : (text: string) => text;
  const { hour, minute } = bangkokParts(stamp.registeredAt);
  const two = (n: number) => String(n).padStart(2, '0');
  const number = registrationNumber(stamp.number, stamp.year);
  return {
    agency: stamp.agency.trim(),
    lines: [
      digits(`เลขรับ ${stamp.book ? `${stamp.book} ` : ''}${number}`),
      digits(`วันที่ ${formatThaiDate(bangkokDate(stamp.registeredAt))}`),
      digits(`เวลา ${two(hour)}.${two(minute)} น.`),
    ],
  };
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A page box with its corners in order, whichever way the file wrote them. */
function box(r: { x: number; y: number; width: number; height: number }): Box {
  return {
    x0: Math.min(r.x, r.x + r.width),
    y0: Math.min(r.y, r.y + r.height),
    x1: Math.max(r.x, r.x + r.width),
    y1: Math.max(r.y, r.y + r.height),
  };
}

/**
 * The page as its reader sees it (after /Rotate): width and height, and where a point (u from
 * the visual left, v from the visual bottom) is in the page's own coordinates.
 */
function visual(b: Box, rotation: number) {
  const w = b.x1 - b.x0;
  const h = b.y1 - b.y0;
  switch (rotation) {
    case 90:
      return { width: h, height: w, at: (u: number, v: number) => ({ x: b.x1 - v, y: b.y0 + u }) };
    case 180:
      return { width: w, height: h, at: (u: number, v: number) => ({ x: b.x1 - u, y: b.y1 - v }) };
    case 270:
      return { width: h, height: w, at: (u: number, v: number) => ({ x: b.x0 + v, y: b.y1 - u }) };
    default:
      return { width: w, height: h, at: (u: number, v: number) => ({ x: b.x0 + u, y: b.y0 + v }) };
  }
}

/** The box made taller by `strip` at the reader's top. */
function withStrip(b: Box, rotation: number, strip: number): Box {
  switch (rotation) {
    case 90:
      return { ...b, x0: b.x0 - strip };
    case 180:
      return { ...b, y0: b.y0 - strip };
    case 270:
      return { ...b, x1: b.x1 + strip };
    default:
      return { ...b, y1: b.y1 + strip };
  }
}

/** Keeps the page's own drawing inside its old visible box, in a graphics state of its own. */
function clipContent(page: PDFPage, b: Box): void {
  const context = page.doc.context;
  page.node.normalize();
  const start = context.register(
    context.flateStream([pushGraphicsState(), rectangle(b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0), clip(), endPath()].map(String).join('\n')),
  );
  const end = context.register(context.flateStream(String(popGraphicsState())));
  page.node.wrapContentStreams(start, end);
}

/**
 * The letter's PDF with the receipt stamp on page 1; the bytes given are not changed. An
 * encrypted or damaged PDF is not stamped, and the outcome says why (in English, for the log;
 * the reason code is what the desk shows in Thai).
 */
export async function stampPdf(pdf: Uint8Array, stamp: ReceiptStamp): Promise<StampOutcome> {
  if (!Buffer.from(pdf.buffer, pdf.byteOffset, Math.min(pdf.byteLength, 1024)).includes('%PDF-'))
    return { kind: 'refused', reason: 'damaged', detail: 'no PDF header in its first 1024 bytes' };
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: true });
  } catch (error) {
    return { kind: 'refused', reason: 'damaged', detail: `pdf-lib could not read it: ${(error as Error).message}` };
  }
  // pdf-lib cannot decrypt: drawing on an encrypted file would break it.
  if (doc.isEncrypted) return { kind: 'refused', reason: 'encrypted', detail: 'the PDF is encrypted' };
  try {
    if (doc.getPageCount() === 0) return { kind: 'refused', reason: 'damaged', detail: 'the PDF has no pages' };
    const page = doc.getPage(0);
    const rotation = (((page.getRotation().angle % 360) + 360) % 360) as number;
    if (rotation % 90 !== 0) return { kind: 'refused', reason: 'damaged', detail: `page 1 has /Rotate ${rotation}` };
    const visible = box(page.getCropBox());
    const media = box(page.getMediaBox());
    clipContent(page, visible);

    const shown = withStrip(visible, rotation, STRIP);
    page.setCropBox(shown.x0, shown.y0, shown.x1 - shown.x0, shown.y1 - shown.y0);
    const paper = {
      x0: Math.min(media.x0, shown.x0),
      y0: Math.min(media.y0, shown.y0),
      x1: Math.max(media.x1, shown.x1),
      y1: Math.max(media.y1, shown.y1),
    };
    page.setMediaBox(paper.x0, paper.y0, paper.x1 - paper.x0, paper.y1 - paper.y0);

    const fonts = await embedThaiFonts(doc);
    const view = visual(shown, rotation);
    const rotate = degrees(rotation);
    // The box's lower left corner, in the reader's view.
    const left = view.width - GAP - BOX.width;
    const bottom = view.height - GAP - BOX.height;
    const corner = view.at(left, bottom);
    page.drawRectangle({ ...corner, width: BOX.width, height: BOX.height, rotate, borderColor: INK, borderWidth: 1.2 });

    const { agency, lines } = stampLines(stamp);
    const inner = BOX.width - 2 * PADDING;
    const agencyLines = agencyFit(agency, fonts.bold, inner);
    const rows = [
      ...agencyLines.lines.map((text) => ({ text, font: fonts.bold, size: agencyLines.size })),
      ...lines.map((text) => ({ text, font: fonts.regular, size: SIZE.line })),
    ];
    // Lines spread evenly down the box, each centred.
    const pitch = (BOX.height - 2 * PADDING) / rows.length;
    rows.forEach((row, i) => {
      const width = textWidth(row.text, row.font, row.size);
      const u = left + (BOX.width - width) / 2;
      const v = bottom + BOX.height - PADDING - pitch * (i + 1) + (pitch - row.size * 0.7) / 2;
      drawRotated(page, row.text, view.at(u, v), rotation, { font: row.font, size: row.size, color: INK });
    });
    return { kind: 'stamped', pdf: await doc.save({ useObjectStreams: false }) };
  } catch (error) {
    return { kind: 'refused', reason: 'damaged', detail: `pdf-lib could not stamp it: ${(error as Error).message}` };
  }
}

/** The agency's name on one line, smaller if need be, else on two lines at the smallest size. */
function agencyFit(agency: string, font: Parameters<typeof textWidth>[1], width: number): { lines: string[]; size: number } {
  for (let size = SIZE.agency; size >= SIZE.smallestAgency; size -= 0.5)
    if (textWidth(agency, font, size) <= width) return { lines: [agency], size };
  return { lines: wrapText(agency, font, SIZE.smallestAgency, width).slice(0, 2), size: SIZE.smallestAgency };
}

/** drawThaiText along the reader's horizontal: run by run, each run turned with the page. */
function drawRotated(
  page: PDFPage,
  text: string,
  at: { x: number; y: number },
  rotation: number,
  style: Parameters<typeof drawThaiText>[4],
): void {
  if (rotation === 0) {
    drawThaiText(page, text, at.x, at.y, style);
    return;
  }
  page.pushOperators(pushGraphicsState());
  // Turn the page's coordinates so that the text's baseline runs along the reader's horizontal.
  const r = (rotation * Math.PI) / 180;
  const [c, s] = [Math.round(Math.cos(r)), Math.round(Math.sin(r))];
  page.pushOperators(concatTransformationMatrix(c, s, -s, c, at.x, at.y));
  drawThaiText(page, text, 0, 0, style);
  page.pushOperators(popGraphicsState());
}
