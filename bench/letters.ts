// The load: official letters as another agency's mail server sends them, each with one PDF,
// over a number of SMTP connections that each send one letter after another (devkit/sender.ts).
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import MailComposer from 'nodemailer/lib/mail-composer';
import { encodeWords } from 'nodemailer/lib/mime-funcs';
import { pdfFile } from '../devkit/pdf';
import { SmtpSender } from '../devkit/sender';

/**
 * A stand-in for the letter's PDF, about `bytes` long: one A4 page whose text layer says what a
 * letter says, and a stream of random bytes that no page uses, where a scan's image would be.
 * A reader of the first page finds text, as in most letters; the size is what travels and is
 * stored and hashed. A real PDF can be given instead (--pdf).
 */
export function standInPdf(bytes: number): Buffer {
  const text = [
    'Ministry of Education, ref. 0206/1457',
    '20 November 2569',
    'Subject: Invitation to the planning working group meeting',
    'To: Director',
  ];
  const content = Buffer.from(`BT /F1 14 Tf 72 770 Td 18 TL ${text.map((line) => `(${line}) Tj T*`).join(' ')} ET\n`);
  const objects = (padding: Buffer) => [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>'),
    Buffer.from('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'),
    Buffer.concat([Buffer.from(`<< /Length ${content.length} >>\nstream\n`), content, Buffer.from('\nendstream')]),
    Buffer.concat([Buffer.from(`<< /Length ${padding.length} >>\nstream\n`), padding, Buffer.from('\nendstream')]),
  ];
  const assemble = (padding: Buffer) => pdfFile(objects(padding));
  const overhead = assemble(Buffer.alloc(0)).length;
  return assemble(randomBytes(Math.max(0, bytes - overhead - 8))); // 8: the longer /Length, near enough
}

export const SENDER = 'saraban@moe.go.th';
export const CENTRAL_ADDRESS = 'saraban@example.go.th';

// Each letter has its own number in the reference (ที่) and its own bytes in the PDF: the
// register takes a second letter with the same reference and attachment for a duplicate.
const subjectOf = (reference: string) => `ที่ ศธ 0206/${reference} ลงวันที่ 20 พฤศจิกายน 2569 เรื่อง ขอเชิญประชุมคณะทำงานจัดทำแผนปฏิบัติราชการ`;

export interface OutgoingLetter {
  /** With angle brackets, as the acknowledgement's In-Reply-To will quote it. */
  messageId: string;
  raw: Buffer;
}

/** Makes the n-th letter of this run (or the warm-up letter). */
export type LetterPress = (n: number | 'warm-up') => OutgoingLetter;

// Stand-ins in the composed template, replaced for each letter. ASCII, so nodemailer writes
// them as they are (the PDF's in base64, on a line of its own).
const SUBJECT_SLOT = 'bench-subject-slot';
const ID_SLOT = '<bench-message-id-slot@moe.go.th>';
const PDF_SLOT = 'bench-pdf-slot';
// Base64 as nodemailer writes it: 76 characters, from 57 bytes, a line.
const BASE64_LINE_BYTES = 57;

const base64Lines = (bytes: Buffer) => (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');

/**
 * Composes the letter once with nodemailer - MIME structure, body, the PDF in base64 - and
 * makes each letter from it by putting in its own Message-ID, subject and the last lines of
 * its PDF. The load generator shares the machine's cores with what is measured: composing
 * and encoding 100 KB per letter would be the bench's cost, not the gateway's.
 */
export async function letterPress(pdf: Buffer, runId: string): Promise<LetterPress> {
  const template = await new MailComposer({
    from: SENDER,
    to: CENTRAL_ADDRESS,
    subject: SUBJECT_SLOT,
    text: 'เรียน ผู้อำนวยการ\n\nด้วยกระทรวงศึกษาธิการขอเชิญท่านเข้าร่วมประชุม รายละเอียดตามสิ่งที่ส่งมาด้วย\n',
    attachments: [{ filename: 'หนังสือเชิญประชุม.pdf', content: PDF_SLOT, contentType: 'application/pdf' }],
    messageId: ID_SLOT,
  })
    .compile()
    .build();
  const [beforeSubject, beforeId, beforePdf, afterPdf] = splitAt(template, [
    SUBJECT_SLOT,
    ID_SLOT,
    Buffer.from(PDF_SLOT).toString('base64'),
  ]);
  // The PDF's base64 up to its last whole line is the same for every letter; the rest, with
  // a comment naming the letter after %%EOF (where PDF readers look no further), is not.
  const shared = pdf.length - (pdf.length % BASE64_LINE_BYTES);
  const sharedLines = Buffer.from(base64Lines(pdf.subarray(0, shared)) + (shared > 0 ? '\r\n' : ''));
  const ownTail = (name: string) =>
    base64Lines(Buffer.concat([pdf.subarray(shared), Buffer.from(`\n% saraban-gateway bench, letter ${name}\n`)]));

  return (n) => {
    const name = `${runId}.${n}`;
    const messageId = `<${name}@moe.go.th>`;
    // Long Thai subjects go as several encoded words, one a line.
    const subject = encodeWords(subjectOf(n === 'warm-up' ? '0' : String(n + 1)), 'B', 52).replace(/\s+(?==\?)/g, '\r\n ');
    const raw = Buffer.concat([
      beforeSubject,
      Buffer.from(subject),
      beforeId,
      Buffer.from(messageId),
      beforePdf,
      sharedLines,
      Buffer.from(ownTail(name)),
      afterPdf,
    ]);
    return { messageId, raw };
  };
}

/** The template cut at each stand-in, which must come in this order. */
function splitAt(template: Buffer, slots: string[]): Buffer[] {
  const pieces: Buffer[] = [];
  let from = 0;
  for (const slot of slots) {
    const at = template.indexOf(slot, from);
    if (at < 0) throw new Error(`composed letter has no ${slot} where expected`);
    pieces.push(template.subarray(from, at));
    from = at + slot.length;
  }
  pieces.push(template.subarray(from));
  return pieces;
}

export interface Delivery {
  messageId: string;
  /** performance.now() when the sender began the transaction (MAIL FROM). */
  startedAt: number;
  /** performance.now() when the 250 after the final dot arrived. */
  acceptedAt: number;
}

export interface LoadResult {
  startedAt: number;
  deliveries: Delivery[];
  failures: Array<{ messageId: string; error: string }>;
}

/** Sends one letter on a connection of its own and returns the server's reply. */
export async function sendOne(port: number, letter: OutgoingLetter): Promise<string> {
  const sender = new SmtpSender(port);
  try {
    await sender.greet();
    return await sender.send(SENDER, CENTRAL_ADDRESS, letter.raw);
  } finally {
    sender.close();
  }
}

/**
 * `connections` senders take letter numbers from one shared counter until `letters` have
 * been handed out. A letter the server refuses is counted as a failure and not sent again:
 * the figures are about letters the server said yes to. Aborting closes the connections.
 */
export async function sendLetters(
  port: number,
  options: { letters: number; connections: number; press: LetterPress; signal: AbortSignal },
): Promise<LoadResult> {
  const { letters, connections, press, signal } = options;
  const open = new Set<SmtpSender>();
  const closeAll = () => open.forEach((sender) => sender.close({ drop: signal.aborted }));
  signal.addEventListener('abort', closeAll, { once: true });

  const deliveries: Delivery[] = [];
  const failures: LoadResult['failures'] = [];
  let next = 0;
  const startedAt = performance.now();
  // One connection, letter after letter; a new one when it breaks (a refusal leaves it usable,
  // unless it was a 421).
  const sendOnOneConnection = async () => {
    let sender: SmtpSender | null = null;
    try {
      for (let n = next++; n < letters && !signal.aborted; n = next++) {
        const letter = press(n);
        const begun = performance.now();
        try {
          if (!sender) {
            // Known to closeAll before its greeting, so that an abort reaches it there too.
            const opening = new SmtpSender(port);
            open.add(opening);
            await opening.greet().catch((err: unknown) => {
              opening.close({ drop: true });
              open.delete(opening);
              throw err;
            });
            sender = opening;
          }
          await sender.send(SENDER, CENTRAL_ADDRESS, letter.raw);
          deliveries.push({ messageId: letter.messageId, startedAt: begun, acceptedAt: performance.now() });
        } catch (err) {
          failures.push({ messageId: letter.messageId, error: (err as Error).message });
        }
        if (sender && !sender.usable) {
          sender.close();
          open.delete(sender);
          sender = null;
        }
      }
    } finally {
      sender?.close();
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, sendOnOneConnection));
  } finally {
    signal.removeEventListener('abort', closeAll);
    closeAll();
  }
  return { startedAt, deliveries, failures };
}
