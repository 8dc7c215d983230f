import type { Logger } from 'pino';
import type { Config } from '../config/load';
import { automaticReason } from '../letter/automatic';
import { findInbound, markInboundNotALetter, readInboundRaw } from '../registry/inbound';
import { registerLetter, type Clock, type Letter } from '../registry/letters';
import type { Pool } from '../registry/db';
import { readMessage } from './read';

export interface LetterDeps {
  config: Config;
  pool: Pool;
  clock: Clock;
  logger: Logger;
  queueAcknowledgement: (acknowledgementId: number) => Promise<void>;
}

export type LetterOutcome =
  { kind: 'registered'; letter: Letter; created: boolean } | { kind: 'automatic'; reason: string } | { kind: 'missing' };

/**
 * The "letters" job: read a kept message, decide, register it, queue its acknowledgement.
 * Safe to run any number of times for the same message.
 */
export async function processInbound(deps: LetterDeps, inboundId: string): Promise<LetterOutcome> {
  const log = deps.logger.child({ inboundId });
  const inbound = await findInbound(deps.pool, inboundId);
  if (!inbound) {
    log.warn('queued message is not in the register; nothing to do');
    return { kind: 'missing' };
  }
  const { details, headers } = await readMessage(await readInboundRaw(deps.pool, inboundId), inbound.mailFrom);

  const reason = automaticReason(inbound.mailFrom, headers);
  if (reason) {
    await markInboundNotALetter(deps.pool, inboundId, 'automatic', deps.clock(), { reason });
    log.info({ reason }, 'automatic message: kept, not registered, not answered');
    return { kind: 'automatic', reason };
  }

  const { letter, acknowledgementId, created } = await registerLetter(
    deps.pool,
    {
      inboundId,
      book: inbound.book,
      details,
      acknowledgeTo: inbound.mailFrom,
      acknowledgementMessageId: `<ack.${inboundId}@${deps.config.smtp.hostname ?? deps.config.agency.domain}>`,
    },
    deps.clock,
  );
  if (acknowledgementId !== null) await deps.queueAcknowledgement(acknowledgementId);
  log.info({ letterId: letter.id, book: letter.book, year: letter.year, number: letter.number, created }, 'letter registered');
  return { kind: 'registered', letter, created };
}
