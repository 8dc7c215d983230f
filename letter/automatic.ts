// RFC 3834: a machine must not answer a machine. These are the marks by which a message
// says it was sent automatically; a reply to any of them risks a mail loop or backscatter.

/** Why a message counts as automatic, or null when a person sent it. */
export type AutomaticReason =
  | 'null-sender'
  | 'auto-submitted'
  | 'precedence'
  | 'list'
  | 'report'
  | 'auto-reply-header'
  | 'daemon-sender'
  | 'own-address'
  | 'gateway-loop-header';

/**
 * Every reply of a saraban-gateway carries this header, naming its domain (letter/acknowledgement.ts).
 * A message that carries one, whichever gateway's, is a gateway's automatic reply.
 */
export const LOOP_HEADER = 'X-Saraban-Loop';

/** Header values by lower-case name, as the message carried them (first occurrence). */
export type HeaderValues = Readonly<Record<string, string | undefined>>;

export interface MessageFacts {
  /** The envelope sender; null for the null reverse-path <>. */
  mailFrom: string | null;
  /** The From header's address. */
  fromAddress?: string | null;
  headers: HeaderValues;
  /** Our own central addresses: mail from them is ours coming back. */
  ownAddresses?: readonly string[];
}

// Local parts that only machines send from.
const DAEMON_LOCAL_PARTS = /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|auto-?reply)([+-].*)?$/i;

export function automaticReason(message: MessageFacts): AutomaticReason | null {
  const { mailFrom, headers } = message;
  // The null reverse-path (<>) is how bounces and other notifications are sent.
  if (!mailFrom) return 'null-sender';
  const autoSubmitted = headers['auto-submitted']?.split(';')[0].trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return 'auto-submitted';
  const precedence = headers['precedence']?.trim().toLowerCase();
  if (precedence === 'bulk' || precedence === 'junk' || precedence === 'list') return 'precedence';
  if (headers['list-id'] !== undefined || headers['list-unsubscribe'] !== undefined) return 'list';
  // Delivery and read reports (multipart/report), whoever sent them.
  if (/^\s*multipart\/report\b/i.test(headers['content-type'] ?? '')) return 'report';
  // Older auto-responders mark themselves this way instead of Auto-Submitted.
  if (headers['x-autoreply'] !== undefined || headers['x-autorespond'] !== undefined) return 'auto-reply-header';
  // Ours, or another gateway's: two gateways never acknowledge each other's acknowledgements.
  if (headers[LOOP_HEADER.toLowerCase()] !== undefined) return 'gateway-loop-header';
  const senders = [mailFrom, message.fromAddress].filter((a): a is string => !!a).map((a) => a.toLowerCase());
  if (senders.some((a) => DAEMON_LOCAL_PARTS.test(a.split('@')[0]))) return 'daemon-sender';
  const own = (message.ownAddresses ?? []).map((a) => a.toLowerCase());
  if (senders.some((a) => own.includes(a))) return 'own-address';
  return null;
}

/**
 * The sender asks for no automatic reply (Microsoft's X-Auto-Response-Suppress: All, or
 * AutoReply among its values). Unlike the marks above it does not say that a machine wrote
 * the message, only that none should answer it: a letter carrying it is registered, and its
 * receipt recorded as suppressed. Returns the reason to record, or null.
 */
export function autoReplySuppressed(headers: HeaderValues): string | null {
  const value = headers['x-auto-response-suppress'];
  if (value === undefined) return null;
  const asked = value.split(/[,;\s]+/).map((v) => v.toLowerCase());
  return asked.includes('all') || asked.includes('autoreply') ? `sender asked for none (X-Auto-Response-Suppress: ${value.trim()})` : null;
}
