import type { Logger } from 'pino';
import type { Transporter } from 'nodemailer';
import type { Book, Config } from '../config/load';
import { composeAcknowledgement, type AcknowledgementMessage } from '../letter/acknowledgement';
import { composeDigest, type DigestEntry } from '../letter/digest';
import { composeNotice, type NoticeReason } from '../letter/notices';
import type { Pool } from '../registry/db';
import { findReplyToSend, type ReplyToSend } from '../registry/outbox';
import { markReplySent, repliesInDigest, type Reply } from '../registry/replies';

export interface MailDeps {
  config: Config;
  pool: Pool;
  transport: Transporter;
  clock: () => Date;
  logger: Logger;
}

/**
 * The "mail" job: send one reply (an acknowledgement, a notice or a digest) to the relay and record
 * it. A failure throws so the queue retries with back-off. A crash between sending and
 * recording sends it again: the same Message-ID lets the receiving side see the repeat.
 */
export async function sendReply(deps: MailDeps, replyId: number, attempt: number): Promise<'sent' | 'skipped'> {
  const found = await findReplyToSend(deps.pool, replyId);
  if (!found || found.reply.status !== 'pending') return 'skipped';
  const { reply } = found;
  const message = reply.kind === 'digest' ? await digestMessage(deps, reply) : replyMessage(deps, found);
  await deps.transport.sendMail({
    // From the central address the letter was sent to, which is also where a bounce returns.
    from: { name: deps.config.agency.name, address: message.from },
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
      letterId: found.letter?.id,
      number: found.letter?.number,
      to: reply.recipient,
      ...message.logged,
    },
    `${reply.kind} sent`,
  );
  return 'sent';
}

interface OutgoingMessage extends AcknowledgementMessage {
  from: string;
  logged?: Record<string, unknown>;
}

/** An acknowledgement or a notice: the answer to one message. */
function replyMessage(deps: MailDeps, { reply, inbound, letter }: ReplyToSend): OutgoingMessage {
  const book = deps.config.books.find((b) => b.code === (letter?.book ?? inbound?.book));
  if (!inbound || !book || (reply.kind === 'acknowledgement' && !letter)) {
    throw new Error(`reply ${reply.id}: its message, letter or book is missing`);
  }
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
  return { ...message, from: centralAddress(book, inbound.rcptTo) };
}

/** The digest: one message for every reply a window held back and the digest lists (registry/replies.ts). */
async function digestMessage(deps: MailDeps, digest: Reply): Promise<OutgoingMessage> {
  const listed = await repliesInDigest(deps.pool, digest.id);
  const bookOf = (code: string) => deps.config.books.find((b) => b.code === code);
  if (listed.length === 0) throw new Error(`digest ${digest.id} lists no reply`);
  const entries: DigestEntry[] = listed.map(({ reply, receivedAt, subject, letter }) => ({
    receivedAt,
    subject,
    reference: letter?.reference ?? null,
    registered: letter && {
      book: bookOf(letter.book) ?? { code: letter.book, name: letter.book },
      number: letter.number,
      year: letter.year,
      registeredAt: letter.registeredAt,
    },
    notice: reply.kind === 'notice' ? (reply.reason as NoticeReason) : null,
  }));
  const first = listed[0];
  const book =
    (first.letter && bookOf(first.letter.book)) || deps.config.books.find((b) => first.rcptTo.some((a) => b.addresses.includes(a)));
  if (!book) throw new Error(`digest ${digest.id}: the book its replies belong to is not in the settings`);
  return {
    ...composeDigest({ agency: deps.config.agency, entries }),
    from: centralAddress(book, first.rcptTo),
    logged: { replyIds: listed.map((l) => l.reply.id), numbers: listed.flatMap((l) => (l.letter ? [l.letter.number] : [])) },
  };
}

function centralAddress(book: Book, rcptTo: string[]): string {
  return rcptTo.find((a) => book.addresses.includes(a)) ?? book.addresses[0];
}
