import { sarabun, wrapMeasured, type Weight } from './thai-pdf';

// Thai text in the PDFs drawn with PDFKit (the register print, which PDFKit writes out page by
// page where pdf-lib would hold the whole document): Sarabun embedded, each line drawn as runs of
// one script as lib/thai-pdf.ts draws them, and the same line breaking between Thai words.

/**
 * Sarabun's own substitutions (GSUB) place Thai marks on their letters, as pdf-lib draws them.
 * Its GPOS mark offsets are left out: PDFKit draws an offset glyph by moving the text position,
 * which pdftotext then reads as a space inside the word ("ปั้ น").
 */
const FEATURES = { mark: false, mkmk: false } as unknown as PDFKit.Mixins.OpenTypeFeatures[];

// A letter of a script other than Thai (Latin, mostly), and what may follow it in its run.
const OTHER_RUN = /(\p{L}(?<![\u0E00-\u0E7F])[^\u0E00-\u0E7F]*)/u;

/**
 * The text cut where its letters change between Thai and another script, as fontkit shapes a
 * string: by the script of its first letter. Unlike lib/thai-pdf.ts scriptRuns, digits,
 * punctuation and spaces stay in the run they are in ("๒๐ พ.ย. ๒๕๖๙" is one run, not eight):
 * each run is a call into PDFKit and fontkit, and a register draws hundreds of thousands.
 */
export function letterRuns(text: string): string[] {
  return text.split(OTHER_RUN).filter((run) => run !== '');
}

/** Thai, then printable ASCII, in the order of their code points (า before ำ). */
const EVERY_CHARACTER = [
  ...Array.from({ length: 0x0e5b - 0x0e01 + 1 }, (_, i) => String.fromCharCode(0x0e01 + i)),
  ...Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)),
].join(' ');

const characters = new Intl.Segmenter('th', { granularity: 'grapheme' });

/** Widths and wrapped cells remembered: pieces of Thai text recur (words, dates, names); a cache is emptied when it is this full. */
const KEPT = 20_000;

function remembered<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    if (cache.size >= KEPT) cache.clear();
    cache.set(key, value);
  }
  return value;
}

/**
 * Thai text on a PDFKit document: measured, wrapped and drawn. Make the document with
 * `fontLayoutCache: false`: PDFKit's own cache keeps every string it laid out, and a register's
 * titles would all stay in memory.
 */
export class ThaiText {
  private readonly widths = new Map<string, number>();
  private readonly wrapped = new Map<string, string[]>();

  constructor(private readonly doc: PDFKit.PDFDocument) {
    for (const weight of ['regular', 'bold'] as const) {
      doc.registerFont(weight, sarabun(weight));
      // fontkit keeps one glyph object per glyph, with the characters it was first made from, and
      // PDFKit maps each glyph back to those for copying and searching the text (ToUnicode): each
      // character laid out on its own first, า reads as า, not as nothing (the tail of an ำ).
      doc.font(weight).widthOfString(EVERY_CHARACTER, { features: FEATURES });
    }
  }

  /**
   * How wide the text is drawn: its characters' widths, each with its marks, added up. A glyph's
   * advance does not depend on its neighbours but for kerning (Latin pairs tighten; Thai differs
   * by a hundredth of its size at most), which a cell's padding covers; and each character is
   * laid out by fontkit once, not every string (a register has hundreds of thousands).
   */
  width(text: string, weight: Weight, size: number): number {
    return remembered(this.widths, `${weight} ${size} ${text}`, () => {
      let width = 0;
      for (const { segment } of characters.segment(text)) {
        width += remembered(this.widths, `${weight} ${size} ${segment}`, () => {
          this.doc.font(weight).fontSize(size);
          return this.doc.widthOfString(segment, { features: FEATURES });
        });
      }
      return width;
    });
  }

  /** The text in lines no wider than maxWidth (lib/thai-pdf.ts wrapMeasured); the same text in the same width is wrapped once. */
  wrap(text: string, weight: Weight, size: number, maxWidth: number): string[] {
    return remembered(this.wrapped, `${weight} ${size} ${maxWidth} ${text}`, () =>
      wrapMeasured(text, (piece) => this.width(piece, weight, size), maxWidth),
    );
  }

  /** Draws one line with the top of its line box at (x, y), run by run. */
  draw(text: string, x: number, y: number, weight: Weight, size: number): void {
    this.doc.font(weight).fontSize(size);
    let at = x;
    for (const run of letterRuns(text)) {
      const width = this.width(run, weight, size);
      // Its width given, PDFKit lays the run out once less.
      this.doc.text(run, at, y, { lineBreak: false, features: FEATURES, textWidth: width } as PDFKit.Mixins.TextOptions);
      at += width;
    }
  }
}
