import { sameOrganisation, type AuthVerdict } from './authenticity';

// How far the office trusts a sender with automatic replies: the tier picks the reply windows
// (settings replies.<tier>). A government agency that proves who it is gets many receipts in a
// morning; someone who proves nothing gets few, and the rest in a digest.

export type ReplyTier = 'trusted' | 'authenticated' | 'unverified';

export interface SenderFacts {
  verdict: AuthVerdict;
  /** The From address: what DMARC (or aligned SPF/DKIM) vouched for. */
  fromAddress: string | null;
  /** The envelope sender: where the reply goes. */
  envelopeSender: string | null;
  /** The From address, or its domain, is in the agency directory (จาก found there). */
  inDirectory: boolean;
  /** Domain suffixes trusted like the directory, e.g. ".go.th". */
  trustedSuffixes: readonly string[];
}

/**
 * authenticated: the sender proved its From domain (DMARC pass, or aligned SPF or DKIM pass:
 * letter/authenticity.ts verdict 'authentic') and the reply's address, the envelope sender,
 * belongs to the same organisation; otherwise a DKIM-signed letter replayed with another
 * envelope sender would buy that address our generous windows. trusted: authenticated and
 * in the agency directory or under a trusted suffix.
 */
export function senderTier(facts: SenderFacts): ReplyTier {
  const fromDomain = domainOf(facts.fromAddress);
  const replyDomain = domainOf(facts.envelopeSender);
  if (facts.verdict !== 'authentic' || !fromDomain || !replyDomain || !sameOrganisation(fromDomain, replyDomain)) return 'unverified';
  const underTrustedSuffix = facts.trustedSuffixes.some((suffix) => {
    const s = suffix.toLowerCase().replace(/^\./, '');
    return s !== '' && fromDomain.endsWith(`.${s}`);
  });
  return facts.inDirectory || underTrustedSuffix ? 'trusted' : 'authenticated';
}

function domainOf(address: string | null): string | null {
  const at = address?.lastIndexOf('@') ?? -1;
  if (!address || at < 0) return null;
  return (
    address
      .slice(at + 1)
      .trim()
      .toLowerCase()
      .replace(/\.$/, '') || null
  );
}
