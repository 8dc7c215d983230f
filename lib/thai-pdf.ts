import { readFileSync } from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { rgb, type PDFDocument, type PDFFont, type PDFPage, type RGB } from 'pdf-lib';

// Thai text in PDFs drawn with pdf-lib and Sarabun, for every document the product prints (the
// central-address report, the receipt stamp; the register, which is drawn with PDFKit, shares
// the font, the runs and the line breaking: lib/thai-pdfkit.ts).
//
// pdf-lib shapes a string as the one script of its first strong character and drops GPOS
// offsets: Sarabun's own substitutions place Thai marks right in a Thai-only string, but in
// "No. 123 ที่" the tone mark of ที่ is lost. So every line is drawn as runs of one script each
// (pdf-lib issue #675; test/unit/lib/thai-pdf.test.ts and the stamp tests check the marks).

export type Weight = 'regular' | 'bold';

/** Sarabun as TTF, from the npm package (nothing fetched at run time). */
const FONT_FILES: Record<Weight, string> = {
  regular: '@expo-google-fonts/sarabun/400Regular/Sarabun_400Regular.ttf',
  bold: '@expo-google-fonts/sarabun/700Bold/Sarabun_700Bold.ttf',
};

const fontBytes = new Map<Weight, Buffer>();

/** A font file's bytes, read once per process. */
export function sarabun(weight: Weight): Buffer {
  let bytes = fontBytes.get(weight);
  if (!bytes) {
    bytes = readFileSync(require.resolve(FONT_FILES[weight]));
    fontBytes.set(weight, bytes);
  }
  return bytes;
}

export type ThaiFonts = Record<Weight, PDFFont>;

/** Sarabun regular and bold embedded in the document, each as the subset of glyphs it uses. */
export async function embedThaiFonts(doc: PDFDocument): Promise<ThaiFonts> {
  doc.registerFontkit(fontkit);
  const [regular, bold] = await Promise.all([
    doc.embedFont(sarabun('regular'), { subset: true }),
    doc.embedFont(sarabun('bold'), { subset: true }),
  ]);
  return { regular, bold };
}

// Thai letters, vowels, tone marks and digits; spaces between Thai words stay in the Thai run.
const THAI_RUN = /(\s*[\u0E00-\u0E7F][\u0E00-\u0E7F\s]*)/;

/**
 * The text cut where it changes between Thai and any other script, spaces kept with the Thai
 * run beside them: "ที่ saraban@x.go.th" -> ["ที่ ", "saraban@x.go.th"]. Joined, the runs are the text.
 */
export function scriptRuns(text: string): string[] {
  return text.split(THAI_RUN).filter((run) => run !== '');
}

/** How wide the text is when drawn by drawThaiText: the runs' widths added up. */
export function textWidth(text: string, font: PDFFont, size: number): number {
  return scriptRuns(text).reduce((width, run) => width + font.widthOfTextAtSize(run, size), 0);
}

export interface TextStyle {
  font: PDFFont;
  size: number;
  color?: RGB;
}

/** Draws one line of text with its left end of the baseline at (x, y), run by run; returns its width. */
export function drawThaiText(page: PDFPage, text: string, x: number, y: number, style: TextStyle): number {
  let at = x;
  for (const run of scriptRuns(text)) {
    page.drawText(run, { x: at, y, font: style.font, size: style.size, color: style.color ?? rgb(0, 0, 0) });
    at += style.font.widthOfTextAtSize(run, style.size);
  }
  return at - x;
}

// Thai is written without spaces between words: ICU's dictionary (as browsers and LibreOffice
// use it) finds where a line may break. It has its errors ("ผู้อำนวยการก|องกลาง"), the same a
// browser makes.
const words = new Intl.Segmenter('th', { granularity: 'word' });
const graphemes = new Intl.Segmenter('th', { granularity: 'grapheme' });
const SPACE = /^\s+$/;

/**
 * The pieces a line may be broken between: words and the spaces between them, punctuation kept
 * with what it follows ("น." and "๐๘.๓๐–๑๖.๓๐" and an e-mail address are never broken).
 */
function breakable(paragraph: string): string[] {
  const pieces: string[] = [];
  let previous: Intl.SegmentData | undefined;
  for (const segment of words.segment(paragraph)) {
    const space = SPACE.test(segment.segment);
    const startsPiece = !previous || space || (segment.isWordLike && (previous.isWordLike || SPACE.test(previous.segment)));
    if (startsPiece) pieces.push(segment.segment);
    else pieces[pieces.length - 1] += segment.segment;
    previous = segment;
  }
  return pieces;
}

/**
 * The text in lines no wider than maxWidth, broken between words (Thai words too), and at its
 * own line breaks. A word wider than a line by itself is cut between characters, never
 * between a letter and its marks.
 */
export function wrapText(text: string, font: PDFFont, size: number, maxWidth: number): string[] {
  return wrapMeasured(text, (piece) => textWidth(piece, font, size), maxWidth);
}

/**
 * wrapText for any font: `widthOf` measures a piece (a word, the spaces between words, a
 * character with its marks), each once. A line is as wide as its pieces side by side (a glyph's
 * advance does not depend on the words beside it), so a long text costs no more than its pieces.
 */
export function wrapMeasured(text: string, widthOf: (piece: string) => number, maxWidth: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    // The line so far, its width, and the width of the spaces at its end (not drawn at a break).
    let line = '';
    let width = 0;
    let spaces = 0;
    for (const word of breakable(paragraph)) {
      const whole = widthOf(word);
      const pieces: Array<[string, number]> =
        whole <= maxWidth || SPACE.test(word) ? [[word, whole]] : Array.from(graphemes.segment(word), (g) => [g.segment, widthOf(g.segment)]);
      for (const [piece, pieceWidth] of pieces) {
        const space = SPACE.test(piece);
        if (space) {
          if (line !== '') {
            line += piece;
            spaces += pieceWidth;
          }
        } else if (line === '' || width + spaces + pieceWidth <= maxWidth) {
          line += piece;
          width += spaces + pieceWidth;
          spaces = 0;
        } else {
          lines.push(line.trimEnd());
          line = piece;
          width = pieceWidth;
          spaces = 0;
        }
      }
    }
    lines.push(line.trimEnd());
  }
  return lines;
}
