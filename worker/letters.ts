import type { Logger } from 'pino';
import { mailboxKey, type Config } from '../config/load';
import { sendingAgency, type AgencyDirectory } from '../letter/agencies';
import { fromAuthenticationResults, type AuthResult } from '../letter/authenticity';
import { automaticReason } from '../letter/automatic';
import { letterDetails, type Letter } from '../letter/letter';
import { readLetterMetadata } from '../letter/metadata';
import { decide, isComplete } from '../letter/policy';
import type { Pool } from '../registry/db';
import { findInboundWithRaw, type InboundRecord } from '../registry/inbound';
import { AlreadyDecided, recordNotRegistered, registerLetter, type Clock } from '../registry/letters';
import { markReplyBounced, pendingReplyOf, type ReplyKind, type ReplyPlan } from '../registry/replies';
import { checkSmtpAuthenticity, noDns, type DnsResolver } from './authenticity';
import { readMessage, type ReadMessage } from './read';

export interface LetterDeps {
  config: Config;
  pool: Pool;
  clock: Clock;
  logger: Logger;
  agencies: AgencyDirectory;
  /** DNS for SPF/DKIM/DMARC; real DNS when not given. */
  resolver?: DnsResolver;
  queueReply: (replyId: number) => Promise<void>;
}

export type LetterOutcome =
  | { kind: 'registered' | 'duplicate'; letter: Letter; created: boolean }
  | { kind: 'automatic' | 'held' | 'refused'; reason: string }
  | { kind: 'decided-before' }
  | { kind: 'missing' };

const CLOCK_AHEAD_WARNING_MS = 60_000;
// RFC 5321's limit on a path: no mail can be sent to a longer envelope sender (an IMAP mailbox's
// Return-Path is not checked by any SMTP server of ours), and the reply caps could not index it.
const MAX_ADDRESS_BYTES = 254;

/**
 * The "letters" job: read a kept message as a registry clerk would, decide (letter/policy),
 * and record the decision with the reply it calls for. Safe to run any number of times.
 */
export async function processInbound(deps: LetterDeps, inboundId: string): Promise<LetterOutcome> {
  const { config, pool, clock } = deps;
  const log = deps.logger.child({ inboundId });
  const kept = await findInboundWithRaw(pool, inboundId);
  if (!kept) {
    log.warn('queued message is not in the register; nothing to do');
    return { kind: 'missing' };
  }
  const { inbound, raw } = kept;
  if (inbound.outcome) {
    // Decided by an earlier run that stopped before queueing its reply.
    const replyId = await pendingReplyOf(pool, inboundId);
    if (replyId !== null) await deps.queueReply(replyId);
    return { kind: 'decided-before' };
  }

  const read = await readMessage(raw, inbound.mailFrom, { pdfMemoryBytes: config.workers.pdfMemoryMb * 2 ** 20 });
  const ownAddresses = config.books.flatMap((b) => b.addresses);
  const automatic = automaticReason({
    mailFrom: inbound.mailFrom,
    fromAddress: read.details.fromAddress,
    headers: read.headers,
    ownAddresses,
  });
  const said = { subject: read.details.subject, messageId: read.details.messageId, from: read.details.fromAddress };
  const limits = config.replies;

  if (automatic) {
    // A bounce of one of our replies: that reply did not arrive (a "delayed" warning is not a bounce).
    const failed = /^action:\s*failed\b/im.test(read.report.deliveryStatus ?? '');
    const bounced =
      failed && read.report.originalMessageId
        ? await markReplyBounced(pool, read.report.originalMessageId, read.report.deliveryStatus ?? 'delivery failed')
        : null;
    await recordNotRegistered(
      pool,
      { inboundId, outcome: 'automatic', decision: { reason: automatic, ...said, bounced }, reply: null, replyLimits: limits },
      clock,
    );
    log.info({ reason: automatic, bouncedReplyId: bounced }, 'automatic message: kept, not registered, not answered');
    return { kind: 'automatic', reason: automatic };
  }

  const metadata = readLetterMetadata({ subject: read.text.subject, body: read.text.body, firstPage: read.text.firstPage ?? undefined });
  const authenticity = await authenticityOf(deps, inbound, raw, read);
  const decision = decide({
    automatic: null,
    forged: authenticity.verdict === 'forged',
    onForged: config.authenticity.onForged,
    secrecy: metadata.secrecy,
    complete: isComplete(read.details.attachments, read.text.body, {
      types: config.letters.allowedTypes,
      extensions: config.letters.allowedExtensions,
      minBodyChars: config.letters.minBodyChars,
    }),
    letterUnreadable: read.pdf.present && (read.pdf.encrypted || read.pdf.unreadable),
  });
  const domain = config.smtp.hostname ?? config.agency.domain;
  const writable = inbound.mailFrom !== null && Buffer.byteLength(inbound.mailFrom) <= MAX_ADDRESS_BYTES;
  if (inbound.mailFrom !== null && !writable) {
    log.warn({ senderBytes: Buffer.byteLength(inbound.mailFrom) }, 'envelope sender too long to be an address: no reply will be sent');
  }
  const replyTo = (kind: ReplyKind, reason: string | null): ReplyPlan | null =>
    inbound.mailFrom && writable
      ? {
          kind,
          reason,
          recipient: inbound.mailFrom,
          messageId: `<${kind === 'acknowledgement' ? 'ack' : 'notice'}.${inboundId}@${domain}>`,
        }
      : null;

  if (decision.action === 'refuse' || decision.action === 'hold') {
    const { replyId } = await recordNotRegistered(
      pool,
      {
        inboundId,
        outcome: decision.outcome,
        decision: { reason: decision.reason, ...said, secrecy: metadata.secrecy, authenticity },
        reply: decision.notice ? replyTo('notice', decision.notice) : null,
        replyLimits: limits,
      },
      clock,
    );
    if (replyId !== null) await deps.queueReply(replyId);
    log.info(
      { outcome: decision.outcome, reason: decision.reason, notice: decision.notice, auth: authenticity.verdict },
      'message not registered',
    );
    return { kind: decision.outcome, reason: decision.reason };
  }

  if (decision.action !== 'register') throw new Error(`unexpected decision ${decision.action}`); // automatic was handled above
  const agency = sendingAgency(deps.agencies, { address: read.details.fromAddress, displayName: read.details.fromName });
  const details = letterDetails({ read, metadata, decision, authenticity, agency });
  const registration = await registerLetter(
    pool,
    {
      inboundId,
      book: inbound.book,
      details,
      reply: decision.reply ? replyTo(decision.reply.kind, decision.reply.kind === 'notice' ? decision.reply.reason : null) : null,
      duplicate: {
        keys: {
          messageId: read.details.messageId,
          fromAddress: read.details.fromAddress,
          attachmentSha256s: read.details.attachments.map((a) => a.sha256),
          referenceNormalised: details.referenceNormalised,
        },
        reply: decision.duplicateNotice ? replyTo('notice', decision.duplicateNotice) : null,
        decision: { reason: 'duplicate', ...said },
      },
      replyLimits: limits,
    },
    clock,
  ).catch((err) => {
    if (err instanceof AlreadyDecided) return null;
    throw err;
  });
  if (!registration) return { kind: 'decided-before' };
  if (registration.replyId !== null) await deps.queueReply(registration.replyId);
  const { letter } = registration;
  log.info(
    {
      outcome: registration.outcome,
      letterId: letter.id,
      book: letter.book,
      year: letter.year,
      number: letter.number,
      auth: authenticity.verdict,
    },
    registration.outcome === 'registered' ? 'letter registered' : 'duplicate of a registered letter',
  );
  // A registration never takes an earlier time than the book's last one (registry/letters.ts):
  // a time well ahead of this worker's clock means another worker's clock runs ahead.
  const ahead = letter.registeredAt.getTime() - clock().getTime();
  if (registration.outcome === 'registered' && registration.created && ahead > CLOCK_AHEAD_WARNING_MS) {
    log.warn(
      { letterId: letter.id, registeredAt: letter.registeredAt.toISOString(), aheadSeconds: Math.round(ahead / 1000) },
      "registration time is ahead of this worker's clock: check the clocks (NTP) of the hosts that run workers",
    );
  }
  return { kind: registration.outcome, letter, created: registration.created };
}

/**
 * SMTP mail is checked here (SPF with the session's IP, HELO and MAIL FROM; DKIM; DMARC).
 * Mail fetched by IMAP passed through another server first: only that server's own
 * Authentication-Results header, named by its authserv-id in the settings, is believed.
 */
async function authenticityOf(deps: LetterDeps, inbound: InboundRecord, raw: Buffer, read: ReadMessage): Promise<AuthResult> {
  const fromDomain = read.details.fromAddress?.split('@')[1] ?? null;
  if (inbound.edge === 'imap') {
    const mailbox = deps.config.imap.find((m) => inbound.sourceKey?.startsWith(`imap:${mailboxKey(m)}:`));
    return fromAuthenticationResults(read.authenticationResults, mailbox?.trustedAuthservId ?? null, fromDomain);
  }
  return checkSmtpAuthenticity(
    raw,
    { ip: inbound.clientIp, helo: inbound.helo, mailFrom: inbound.mailFrom },
    {
      resolver: deps.resolver ?? (deps.config.authenticity.checkDns ? undefined : noDns),
      mta: deps.config.smtp.hostname ?? deps.config.agency.domain,
    },
  );
}
