import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import type { HeaderValues } from '../letter/automatic';
import type { LetterDetails } from '../registry/letters';

export interface ReadMessage {
  details: LetterDetails;
  headers: HeaderValues;
}

// Headers whose raw value decides whether the message is automatic (RFC 3834).
const MARK_HEADERS = ['auto-submitted', 'precedence', 'list-id'];

/**
 * Reads what the register needs from a raw message. A message mailparser cannot read is
 * still a message someone sent: it is registered with what the envelope tells.
 */
export async function readMessage(raw: Buffer, mailFrom: string | null): Promise<ReadMessage> {
  try {
    const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
    const from = parsed.from?.value[0];
    const headers: Record<string, string> = {};
    for (const line of parsed.headerLines) {
      if (MARK_HEADERS.includes(line.key) && headers[line.key] === undefined) {
        headers[line.key] = line.line
          .slice(line.line.indexOf(':') + 1)
          .replace(/\s+/g, ' ')
          .trim();
      }
    }
    return {
      details: {
        messageId: parsed.messageId ?? null,
        fromAddress: from?.address?.toLowerCase() || mailFrom,
        fromName: from?.name || null,
        subject: parsed.subject ?? '',
        attachments: parsed.attachments.map((a) => ({
          filename: a.filename ?? 'unnamed',
          contentType: a.contentType,
          size: a.content.length,
          sha256: createHash('sha256').update(a.content).digest('hex'),
        })),
      },
      headers,
    };
  } catch {
    return {
      details: { messageId: null, fromAddress: mailFrom, fromName: null, subject: '', attachments: [] },
      headers: {},
    };
  }
}
