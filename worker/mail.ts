import type { Logger } from 'pino';
import type { Transporter } from 'nodemailer';
import type { Config } from '../config/load';
import { composeAcknowledgement } from '../letter/acknowledgement';
import { findAcknowledgement, markAcknowledgementSent } from '../registry/acknowledgements';
import { findInbound } from '../registry/inbound';
import { findLetter } from '../registry/letters';
import type { Pool } from '../registry/db';

export interface MailDeps {
  config: Config;
  pool: Pool;
  transport: Transporter;
  clock: () => Date;
  logger: Logger;
}

/**
 * The "mail" job: send one acknowledgement to the relay and record it. A failure throws so
 * the queue retries with back-off. A crash between sending and recording sends it again:
 * the same Message-ID lets the receiving side see the repeat.
 */
export async function sendAcknowledgement(deps: MailDeps, acknowledgementId: number, attempt: number): Promise<'sent' | 'skipped'> {
  const ack = await findAcknowledgement(deps.pool, acknowledgementId);
  if (!ack || ack.status !== 'pending') return 'skipped';
  const letter = await findLetter(deps.pool, ack.letterId);
  const inbound = letter && (await findInbound(deps.pool, letter.inboundId));
  const book = letter && deps.config.books.find((b) => b.code === letter.book);
  if (!letter || !inbound || !book) throw new Error(`acknowledgement ${acknowledgementId}: its letter or book is missing`);

  const message = composeAcknowledgement({
    agency: deps.config.agency,
    book,
    number: letter.number,
    year: letter.year,
    registeredAt: letter.registeredAt,
    subject: letter.subject,
    letterMessageId: letter.messageId,
    attachments: letter.attachments,
  });
  // From the central address the letter was sent to, which is also where a bounce returns.
  const centralAddress = inbound.rcptTo.find((a) => book.addresses.includes(a)) ?? book.addresses[0];
  await deps.transport.sendMail({
    from: { name: deps.config.agency.name, address: centralAddress },
    to: ack.recipient,
    subject: message.subject,
    text: message.text,
    headers: message.headers,
    messageId: ack.messageId,
    date: deps.clock(),
  });
  await markAcknowledgementSent(deps.pool, acknowledgementId, deps.clock(), attempt);
  deps.logger.info(
    { acknowledgementId, letterId: letter.id, number: letter.number, year: letter.year, to: ack.recipient },
    'acknowledgement sent',
  );
  return 'sent';
}
