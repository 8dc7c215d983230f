// What happens to a message once it is read: the registry office's rules as one pure
// function, so each rule has a unit test and the worker only carries the decision out.
// Automatic mail never comes here: it is kept aside, unanswered, before its sender is even
// checked (letter/automatic.ts).

export type ForgedPolicy = 'suspect' | 'refuse' | 'acknowledge';
export type NoticeReasonCode = 'no-letter-attached' | 'top-secret' | 'duplicate' | 'unreadable-letter';

export interface DecisionInputs {
  /** Shown forged (DMARC fail, or SPF fail with no aligned DKIM pass); not merely unverified. */
  forged: boolean;
  onForged: ForgedPolicy;
  secrecy: 'ลับที่สุด' | 'ลับมาก' | 'ลับ' | null;
  /** An attachment of an allowed type, or a body long enough to be the letter itself. */
  complete: boolean;
  /** The attached letter is a PDF that could not be read (encrypted, damaged). */
  letterUnreadable: boolean;
}

export type Decision =
  /** Not registered; the sender is told why, unless the sender is forged. */
  | { action: 'refuse'; outcome: 'refused'; reason: 'forged' | 'no-letter-attached'; notice: NoticeReasonCode | null }
  /** ลับที่สุด: kept aside for the supervisor, out of the normal queue. */
  | { action: 'hold'; outcome: 'held'; reason: 'top-secret'; notice: NoticeReasonCode | null }
  | {
      action: 'register';
      suspect: boolean;
      restricted: boolean;
      reply: { kind: 'acknowledgement' } | { kind: 'notice'; reason: NoticeReasonCode } | null;
      /** When it turns out to be a letter registered before: the notice for that. */
      duplicateNotice: NoticeReasonCode | null;
    };

export function decide(input: DecisionInputs): Decision {
  // Never backscatter: a sender shown to be forged gets no mail from us, whatever happens.
  const mayTell = !input.forged || input.onForged === 'acknowledge';
  if (input.forged && input.onForged === 'refuse') return { action: 'refuse', outcome: 'refused', reason: 'forged', notice: null };
  if (input.secrecy === 'ลับที่สุด') return { action: 'hold', outcome: 'held', reason: 'top-secret', notice: mayTell ? 'top-secret' : null };
  if (!input.complete) {
    return { action: 'refuse', outcome: 'refused', reason: 'no-letter-attached', notice: mayTell ? 'no-letter-attached' : null };
  }
  const reply: Extract<Decision, { action: 'register' }>['reply'] = !mayTell
    ? null
    : input.letterUnreadable
      ? { kind: 'notice', reason: 'unreadable-letter' }
      : { kind: 'acknowledgement' };
  return {
    action: 'register',
    suspect: input.forged && input.onForged === 'suspect',
    restricted: input.secrecy === 'ลับมาก' || input.secrecy === 'ลับ',
    reply,
    duplicateNotice: mayTell ? 'duplicate' : null,
  };
}

export interface AttachmentRule {
  types: readonly string[]; // MIME types; "image/*" matches every image
  extensions: readonly string[];
}

/** Is there a letter: an attachment of an allowed type, or a body long enough to be one. */
export function isComplete(
  attachments: ReadonlyArray<{ filename: string; contentType: string }>,
  bodyText: string,
  rule: AttachmentRule & { minBodyChars: number },
): boolean {
  const allowed = (a: { filename: string; contentType: string }) => {
    const type = a.contentType.toLowerCase();
    const extension = a.filename.toLowerCase().split('.').pop() ?? '';
    return (
      rule.types.some((t) => (t.endsWith('/*') ? type.startsWith(t.slice(0, -1)) : type === t)) ||
      (a.filename.includes('.') && rule.extensions.includes(extension))
    );
  };
  return attachments.some(allowed) || bodyText.replace(/\s+/g, ' ').trim().length >= rule.minBodyChars;
}
