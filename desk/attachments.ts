import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';

// A letter's files are not stored apart from the message they came in: the message is kept as
// it arrived (the evidence), and the register lists each file with its SHA-256. A download
// reads the message again and hands over the part whose bytes have that hash, so what the
// officer gets is exactly what the register lists, or nothing.

// A cover note forwarding the letter: its files may be inside the message it attaches.
const FORWARD_DEPTH = 3;

/** The bytes of the file with this SHA-256 in the message, looking inside attached messages; null when it is not there. */
export async function fileInMessage(raw: Buffer, sha256: string, depth = FORWARD_DEPTH): Promise<Buffer | null> {
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  for (const part of parsed.attachments) {
    if (createHash('sha256').update(part.content).digest('hex') === sha256) return part.content;
  }
  if (depth > 0) {
    for (const part of parsed.attachments) {
      if (part.contentType !== 'message/rfc822') continue;
      const inner = await fileInMessage(part.content, sha256, depth - 1);
      if (inner) return inner;
    }
  }
  return null;
}

/**
 * How a browser is to show a file: a PDF inline (officers read letters in the browser), any
 * other type as a download, so that no HTML or script a sender attached runs on the desk's origin.
 */
export function contentDisposition(filename: string, contentType: string): string {
  const how = contentType.toLowerCase() === 'application/pdf' ? 'inline' : 'attachment';
  // RFC 6266: an ASCII fallback, and the real (Thai) name in UTF-8 (RFC 8187).
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${how}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
