// RFC 3834: a machine must not answer a machine. These are the marks by which a message
// says it was sent automatically; a reply to any of them risks a mail loop or backscatter.

/** Why a message counts as automatic, or null when a person sent it. */
export type AutomaticReason = 'null-sender' | 'auto-submitted' | 'precedence' | 'list';

/** Header values by lower-case name, as the message carried them (first occurrence). */
export type HeaderValues = Readonly<Record<string, string | undefined>>;

export function automaticReason(mailFrom: string | null, headers: HeaderValues): AutomaticReason | null {
  // The null reverse-path (<>) is how bounces and other notifications are sent.
  if (!mailFrom) return 'null-sender';
  const autoSubmitted = headers['auto-submitted']?.split(';')[0].trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return 'auto-submitted';
  const precedence = headers['precedence']?.trim().toLowerCase();
  if (precedence === 'bulk' || precedence === 'junk' || precedence === 'list') return 'precedence';
  if (headers['list-id'] !== undefined) return 'list';
  return null;
}
