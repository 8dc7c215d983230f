import type { Logger } from 'pino';
import { mailboxKey, type Config } from '../config/load';
import { sendingAgency, type AgencyDirectory } from '../letter/agencies';
import { fromAuthenticationResults, type AuthResult } from '../letter/authenticity';
import { automaticReason, autoReplySuppressed, type AutomaticReason } from '../letter/automatic';
import { correspondenceExcerpt, messageIdsAnswered } from '../letter/correspondence';
import { letterDetails, type Letter } from '../letter/letter';
import { replyShape } from '../letter/loop';
import { readLetterMetadata, type LetterMetadata, type MetadataProblem } from '../letter/metadata';
import type { ReadProblem } from '../letter/mime';
import { decide, isComplete, type Decision, type NoticeReasonCode } from '../letter/policy';
import { senderTier } from '../letter/trust';
import type { Pool } from '../registry/db';
import { findInboundWithRaw, type InboundRecord } from '../registry/inbound';
import { AlreadyDecided, recordNotRegistered, registerLetter, type Clock } from '../registry/letters';
import { findReplyAnswered, markReplyBounced, pendingReplyOf, withheldReplyOf, type ReplyPlan } from '../registry/replies';
import { routeNewLetter } from '../registry/work';
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
  /** Queues the receipt stamp of a letter registered (worker/stamps.ts). */
  queueStamp: (letterId: number) => Promise<void>;
}

export type LetterOutcome =
  | { kind: 'registered' | 'duplicate'; letter: Letter; created: boolean }
  | { kind: 'automatic' | 'held' | 'refused'; reason: string }
  | { kind: 'correspondence'; letterId: number | null }
  | { kind: 'decided-before' }
  | { kind: 'missing' };

const CLOCK_AHEAD_WARNING_MS = 60_000;
// RFC 5321's limit on a path: no mail can be sent to a longer envelope sender (an IMAP mailbox's
// Return-Path is not checked by any SMTP server of ours), and the reply caps could not index it.
const MAX_ADDRESS_BYTES = 254;

/**
 * The "letters" job: load a kept message, read it as a registry clerk would, decide what
 * becomes of it, and record that with the reply it calls for. Safe to run any number of times.
 */
export async function processInbound(deps: LetterDeps, inboundId: string): Promise<LetterOutcome> {
  const log = deps.logger.child({ inboundId });
  const kept = await load(deps, inboundId, log);
  if (kept.kind !== 'kept') return kept;
  const read = await readMessage(kept.raw, kept.inbound.mailFrom, { pdfMemoryBytes: deps.config.workers.pdfMemoryMb * 2 ** 20 });
  // What could not be read goes into the decision record (a registered letter's flags) and the log.
  if (read.problems.length > 0) log.warn({ problems: read.problems }, 'message read with problems');
  const decided = await decideOn(deps, kept, read, log);
  return record(deps, kept.inbound, read, decided, log);
}

interface Kept {
  kind: 'kept';
  inbound: InboundRecord;
  raw: Buffer;
}

/** The message and its bytes; nothing to do for a message decided by an earlier run, but to queue its reply. */
async function load(deps: LetterDeps, inboundId: string, log: Logger): Promise<Kept | LetterOutcome> {
  const kept = await findInboundWithRaw(deps.pool, inboundId);
  if (!kept) {
    log.warn('queued message is not in the register; nothing to do');
    return { kind: 'missing' };
  }
  if (kept.inbound.outcome) {
    // Decided by an earlier run that stopped before queueing its reply.
    const replyId = await pendingReplyOf(deps.pool, inboundId);
    if (replyId !== null) await deps.queueReply(replyId);
    return { kind: 'decided-before' };
  }
  return { kind: 'kept', ...kept };
}

/**
 * Automatic mail, set aside before anything else; a person's answer to one of our replies; or
 * the policy's decision, with what it was taken on.
 */
type Decided =
  | { action: 'set-aside'; reason: AutomaticReason }
  | { action: 'correspondence'; replyId: number; letterId: number | null }
  | (Decision & { metadata: LetterMetadata; authenticity: AuthResult });

/**
 * Automatic mail first, whatever else is true of it: it is never answered, so its sender is
 * not checked nor its markings read. Anything else is read for its markings (ที่, ลงวันที่,
 * ชั้นความลับ ...), its sender checked, and the office's rules (letter/policy) decide.
 */
async function decideOn(deps: LetterDeps, kept: Kept, read: ReadMessage, log: Logger): Promise<Decided> {
  const { config } = deps;
  const automatic = automaticReason({
    mailFrom: kept.inbound.mailFrom,
    fromAddress: read.details.fromAddress,
    headers: read.headers,
    ownAddresses: config.books.flatMap((b) => b.addresses),
  });
  if (automatic) return { action: 'set-aside', reason: automatic };
  // An answer to our receipt or notice with no document of its own: about a letter, not a letter.
  const noDocument = !isComplete(read.details.attachments, '', {
    types: config.letters.allowedTypes,
    extensions: config.letters.allowedExtensions,
    minBodyChars: Infinity,
  });
  if (noDocument) {
    const answered = await findReplyAnswered(deps.pool, messageIdsAnswered(read.headers));
    if (answered) return { action: 'correspondence', replyId: answered.replyId, letterId: answered.letterId };
  }
  const metadata = readLetterMetadata({
    subject: read.text.subject,
    body: read.text.body,
    firstPage: read.text.firstPage ?? undefined,
    fileNames: read.details.attachments.map((a) => a.filename),
  });
  if (metadata.problems) log.warn({ problems: metadata.problems }, 'letter markings read with problems');
  const authenticity = await authenticityOf(deps, kept.inbound, kept.raw, read);
  const decision = decide({
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
  return { ...decision, metadata, authenticity };
}

/** Records what was decided, with the reply it calls for, and queues that reply. */
function record(deps: LetterDeps, inbound: InboundRecord, read: ReadMessage, decided: Decided, log: Logger): Promise<LetterOutcome> {
  if (decided.action === 'set-aside') return recordAutomatic(deps, inbound, read, decided.reason, log);
  if (decided.action === 'correspondence') return recordCorrespondence(deps, inbound, read, decided, log);
  const replies = repliesTo(deps, inbound, read, decided, log);
  if (decided.action === 'register') return recordLetter(deps, inbound, read, decided, replies, log);
  return recordNotALetter(deps, inbound, read, decided, replies, log);
}

/** What the message said of itself, and what of it could not be read, kept with every decision: for its notice and for the supervisor. */
function whatItSaid(read: ReadMessage, metadata?: LetterMetadata) {
  const problems: (ReadProblem | MetadataProblem)[] = [...read.problems, ...(metadata?.problems ?? [])];
  return { subject: read.details.subject, messageId: read.details.messageId, from: read.details.fromAddress, problems };
}

async function recordAutomatic(
  deps: LetterDeps,
  inbound: InboundRecord,
  read: ReadMessage,
  reason: AutomaticReason,
  log: Logger,
): Promise<LetterOutcome> {
  // A bounce of one of our replies: that reply did not arrive (a "delayed" warning is not a bounce).
  const failed = /^action:\s*failed\b/im.test(read.report.deliveryStatus ?? '');
  const bounced =
    failed && read.report.originalMessageId
      ? await markReplyBounced(deps.pool, read.report.originalMessageId, read.report.deliveryStatus ?? 'delivery failed')
      : null;
  await recordNotRegistered(
    deps.pool,
    {
      inboundId: inbound.id,
      outcome: 'automatic',
      decision: { reason, ...whatItSaid(read), bounced },
      reply: null,
      replyLimits: deps.config.replies,
    },
    deps.clock,
  );
  log.info({ reason, bouncedReplyId: bounced }, 'automatic message: kept, not registered, not answered');
  return { kind: 'automatic', reason };
}

type DecidedAs<Action extends Decided['action']> = Extract<Decided, { action: Action }>;

/** Kept, linked to the letter our reply was about, shown to its officers: never numbered, never answered. */
async function recordCorrespondence(
  deps: LetterDeps,
  inbound: InboundRecord,
  read: ReadMessage,
  decided: DecidedAs<'correspondence'>,
  log: Logger,
): Promise<LetterOutcome> {
  await recordNotRegistered(
    deps.pool,
    {
      inboundId: inbound.id,
      outcome: 'correspondence',
      decision: { reason: 'correspondence', ...whatItSaid(read), answers: decided.replyId, excerpt: correspondenceExcerpt(read.text.body) },
      aboutLetterId: decided.letterId,
      reply: null,
      replyLimits: deps.config.replies,
    },
    deps.clock,
  );
  log.info({ letterId: decided.letterId, answersReplyId: decided.replyId }, 'correspondence about a letter: kept and linked, not registered, not answered');
  return { kind: 'correspondence', letterId: decided.letterId };
}

/** Refused or held: kept with why, and the sender told when the policy allows. */
async function recordNotALetter(
  deps: LetterDeps,
  inbound: InboundRecord,
  read: ReadMessage,
  decision: DecidedAs<'refuse' | 'hold'>,
  replies: Replies,
  log: Logger,
): Promise<LetterOutcome> {
  const { replyId } = await recordNotRegistered(
    deps.pool,
    {
      inboundId: inbound.id,
      outcome: decision.outcome,
      decision: {
        reason: decision.reason,
        ...whatItSaid(read, decision.metadata),
        secrecy: decision.metadata.secrecy,
        authenticity: decision.authenticity,
      },
      reply: replies(notice(decision.notice)),
      replyLimits: deps.config.replies,
    },
    deps.clock,
  );
  if (replyId !== null) await deps.queueReply(replyId);
  else if (decision.notice) await logWithheld(deps, inbound.id, log);
  log.info(
    { outcome: decision.outcome, reason: decision.reason, notice: decision.notice, auth: decision.authenticity.verdict },
    'message not registered',
  );
  return { kind: decision.outcome, reason: decision.reason };
}

/** Registered as the next letter of its book, or linked to the letter it repeats. */
async function recordLetter(
  deps: LetterDeps,
  inbound: InboundRecord,
  read: ReadMessage,
  decision: DecidedAs<'register'>,
  replies: Replies,
  log: Logger,
): Promise<LetterOutcome> {
  const agency = sendingAgency(deps.agencies, { address: read.details.fromAddress, displayName: read.details.fromName });
  const { metadata, authenticity } = decision;
  const details = letterDetails({ read, metadata, decision, authenticity, agency });
  const registration = await registerLetter(
    deps.pool,
    {
      inboundId: inbound.id,
      book: inbound.book,
      details,
      reply: replies(decision.reply),
      duplicate: {
        keys: {
          messageId: details.messageId,
          fromAddress: details.fromAddress,
          attachmentSha256s: details.attachments.map((a) => a.sha256),
          referenceNormalised: details.referenceNormalised,
        },
        reply: replies(notice(decision.duplicateNotice)),
        decision: { reason: 'duplicate', ...whatItSaid(read, decision.metadata) },
      },
      replyLimits: deps.config.replies,
    },
    deps.clock,
  ).catch((err) => {
    if (!(err instanceof AlreadyDecided)) throw err;
    // Another run held or refused it meanwhile: its decision stands, and says so in the log.
    log.info({ outcome: err.outcome }, 'already decided by another run; not registered');
    return null;
  });
  if (!registration) return { kind: 'decided-before' };
  if (registration.replyId !== null) await deps.queueReply(registration.replyId);
  else if (registration.created) await logWithheld(deps, inbound.id, log);
  const { letter } = registration;
  // Who must act on it (the desk's routing), in its own transaction; a letter this misses is routed by the reconciler.
  if (registration.outcome === 'registered') {
    await routeNewLetter(deps.pool, letter.id, deps.config.routing, deps.clock).then(
      (routed) =>
        'problem' in routed &&
        routed.problem &&
        log.warn({ letterId: letter.id, routing: routed }, 'letter not routed as the routing settings say'),
      (err: Error) => log.error({ letterId: letter.id, err: err.message }, 'letter not routed; the reconciler will try again'),
    );
    // Then its receipt stamp, a job of its own: a slow PDF holds up neither this letter's receipt nor the next letter.
    await deps
      .queueStamp(letter.id)
      .catch((err: Error) => log.warn({ letterId: letter.id, err: err.message }, 'receipt stamp not queued; the reconciler will queue it'));
  }
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
  if (registration.outcome === 'registered' && registration.created) warnIfAhead(letter, deps.clock, log);
  return { kind: registration.outcome, letter, created: registration.created };
}

// A registration never takes an earlier time than the book's last one (registry/letters.ts):
// a time well ahead of this worker's clock means another worker's clock runs ahead.
function warnIfAhead(letter: Letter, clock: Clock, log: Logger): void {
  const ahead = letter.registeredAt.getTime() - clock().getTime();
  if (ahead <= CLOCK_AHEAD_WARNING_MS) return;
  log.warn(
    { letterId: letter.id, registeredAt: letter.registeredAt.toISOString(), aheadSeconds: Math.round(ahead / 1000) },
    "registration time is ahead of this worker's clock: check the clocks (NTP) of the hosts that run workers",
  );
}

type Reply = { kind: 'acknowledgement' } | { kind: 'notice'; reason: NoticeReasonCode };
/** Our reply to the message as the register plans it; null when there is none to send. */
type Replies = (reply: Reply | null) => ReplyPlan | null;

const notice = (reason: NoticeReasonCode | null): Reply | null => (reason ? { kind: 'notice', reason } : null);

/**
 * Replies go to the envelope sender: none to the null sender, nor to one too long to be an
 * address. Each plan carries what the reply rules weigh (plan_reply, registry/sql/000010.sql):
 * how far the sender is trusted, the message's shape for the loop check, and whether it
 * asked for no automatic reply.
 */
function repliesTo(
  deps: LetterDeps,
  inbound: InboundRecord,
  read: ReadMessage,
  decided: Decision & { metadata: LetterMetadata; authenticity: AuthResult },
  log: Logger,
): Replies {
  const { config } = deps;
  const recipient = inbound.mailFrom;
  if (!recipient) return () => null;
  const bytes = Buffer.byteLength(recipient);
  if (bytes > MAX_ADDRESS_BYTES) {
    log.warn({ senderBytes: bytes }, 'envelope sender too long to be an address: no reply will be sent');
    return () => null;
  }
  const agency = sendingAgency(deps.agencies, { address: read.details.fromAddress, displayName: read.details.fromName });
  const rules = {
    tier: senderTier({
      verdict: decided.authenticity.verdict,
      fromAddress: read.details.fromAddress,
      envelopeSender: recipient,
      inDirectory: agency.source === 'directory',
      trustedSuffixes: config.replies.trustedSuffixes,
    }),
    ...replyShape({
      subject: read.details.subject,
      body: read.text.body,
      referenceNormalised: decided.metadata.reference?.normalised ?? null,
      attachmentSha256s: read.details.attachments.map((a) => a.sha256),
    }),
    suppress: autoReplySuppressed(read.headers),
  };
  const domain = config.smtp.hostname ?? config.agency.domain;
  return (reply) =>
    reply && {
      kind: reply.kind,
      reason: reply.kind === 'notice' ? reply.reason : null,
      recipient,
      messageId: `<${reply.kind === 'acknowledgement' ? 'ack' : 'notice'}.${inbound.id}@${domain}>`,
      ...rules,
    };
}

/**
 * A reply planned and not sent: a loop stopped is a warning for the operator (also in /metrics
 * and `saraban replies list`); a reply held by a window waits for the sender's digest.
 */
async function logWithheld(deps: LetterDeps, inboundId: string, log: Logger): Promise<void> {
  const withheld = await withheldReplyOf(deps.pool, inboundId);
  if (!withheld) return;
  const { status, reason, tier, subjectKey, bodyHash } = withheld;
  const fields = { replyStatus: status, withheld: reason, tier, subjectKey };
  if (reason.startsWith('loop:')) log.warn({ ...fields, bodyHash }, 'mail loop stopped: this reply is not sent');
  else if (status === 'held') log.info(fields, "reply held back by the sender's window: it goes out in the sender's digest");
  else log.info(fields, 'reply not sent');
}

/**
 * SMTP mail is checked here (SPF with the session's IP, HELO and MAIL FROM; DKIM; DMARC).
 * Mail fetched by IMAP passed through another server first: only that server's own
 * Authentication-Results header, named by its authserv-id in the settings, is believed.
 */
async function authenticityOf(deps: LetterDeps, inbound: InboundRecord, raw: Buffer, read: ReadMessage): Promise<AuthResult> {
  // The address the register shows for the message checked: for a forward, its forwarder's.
  const shown = read.forwardedBy?.address ?? read.details.fromAddress;
  if (inbound.edge === 'imap') {
    const mailbox = deps.config.imap.find((m) => inbound.sourceKey?.startsWith(`imap:${mailboxKey(m)}:`));
    const fromDomain = shown?.includes('@') ? shown.slice(shown.lastIndexOf('@') + 1) : null;
    return fromAuthenticationResults(read.authenticationResults, mailbox?.trustedAuthservId ?? null, fromDomain);
  }
  return checkSmtpAuthenticity(
    raw,
    { ip: inbound.clientIp, helo: inbound.helo, mailFrom: inbound.mailFrom },
    {
      resolver: deps.resolver ?? (deps.config.authenticity.checkDns ? undefined : noDns),
      mta: deps.config.smtp.hostname ?? deps.config.agency.domain,
      from: shown,
    },
  );
}
