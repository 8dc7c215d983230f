import type { Logger } from 'pino';
import type { Transporter } from 'nodemailer';
import type { Config } from '../config/load';
import { composeAcknowledgement } from '../letter/acknowledgement';
import { composeNotice, type NoticeReason } from '../letter/notices';
import type { Pool } from '../registry/db';
import { findReplyToSend } from '../registry/outbox';
import { markReplySent } from '../registry/replies';

export interface MailDeps {
  config: Config;
  pool: Pool;
  transport: Transporter;
  clock: () => Date;
  logger: Logger;
}

/**
 * The "mail" job: send one reply (an acknowledgement or a notice) to the relay and record
 * it. A failure throws so the queue retries with back-off. A crash between sending and
 * recording sends it again: the same Message-ID lets the receiving side see the repeat.
 */
export async function sendReply(deps: MailDeps, replyId: number, attempt: number): Promise<'sent' | 'skipped'> {
  const found = await findReplyToSend(deps.pool, replyId);
  if (!found || found.reply.status !== 'pending') return 'skipped';
  const { reply, inbound, letter } = found;
  const book = deps.config.books.find((b) => b.code === (letter?.book ?? inbound.book));
  if (!book || (reply.kind === 'acknowledgement' && !letter)) throw new Error(`reply ${replyId}: its message, letter or book is missing`);

  const message =
    reply.kind === 'acknowledgement'
      ? composeAcknowledgement({
          agency: deps.config.agency,
          book,
          number: letter!.number,
          year: letter!.year,
          registeredAt: letter!.registeredAt,
          subject: letter!.subject,
          reference: letter!.reference,
          letterDateWritten: letter!.letterDateWritten,
          letterDate: letter!.letterDate,
          title: letter!.title,
          letterMessageId: letter!.messageId,
          attachments: letter!.attachments,
        })
      : composeNotice({
          reason: reply.reason as NoticeReason,
          agency: deps.config.agency,
          receivedAt: inbound.receivedAt,
          // A duplicate's or an unreadable letter's own subject is in the decision; the letter row is the first one's.
          subject: inbound.decision?.subject ?? letter?.subject ?? '',
          letterMessageId: inbound.decision ? (inbound.decision.messageId ?? null) : (letter?.messageId ?? null),
          existing: letter ? { book, number: letter.number, year: letter.year, registeredAt: letter.registeredAt } : undefined,
          // What this office accepts, as its settings say (file name extensions people know).
          allowedTypes: deps.config.letters.allowedExtensions.map((e) => e.toUpperCase()),
          // A letter returned at the desk: the officer's reason.
          returnedBecause: reply.detail?.returnedBecause,
        });
  // From the central address the letter was sent to, which is also where a bounce returns.
  const centralAddress = inbound.rcptTo.find((a) => book.addresses.includes(a)) ?? book.addresses[0];
  await deps.transport.sendMail({
    from: { name: deps.config.agency.name, address: centralAddress },
    to: reply.recipient,
    subject: message.subject,
    text: message.text,
    headers: message.headers,
    messageId: reply.messageId,
    date: deps.clock(),
  });
  await markReplySent(deps.pool, replyId, deps.clock(), attempt);
  deps.logger.info(
    {
      replyId,
      kind: reply.kind,
      reason: reply.reason,
      inboundId: reply.inboundId,
      letterId: letter?.id,
      number: letter?.number,
      to: reply.recipient,
    },
    `${reply.kind} sent`,
  );
  return 'sent';
}
