import { authenticate, type AuthenticateResult, type DNSResolver } from 'mailauth';
import { parseHeaderBlock } from '../letter/charset';
import { DeadlinePassed, withDeadline } from '../letter/deadline';
import { verdictOf, type AuthEvidence, type AuthResult } from '../letter/authenticity';

/**
 * Answers like dns.promises.resolve(name, rrtype): TXT as string[][] (chunks), A as string[].
 * "No such record" is an error with code ENOTFOUND or ENODATA; ETIMEOUT, EREFUSED and any
 * other error are taken as a temporary DNS failure.
 */
export type DnsResolver = (name: string, rrtype: string) => Promise<unknown>;

/** DNS switched off: every look-up finds nothing, so nothing can be shown forged. */
export const noDns: DnsResolver = async (name) => {
  throw Object.assign(new Error(`DNS look-ups are switched off (authenticity.checkDns): ${name}`), { code: 'ENOTFOUND' });
};

export interface SmtpEnvelope {
  ip: string | null;
  helo: string | null;
  /** The reverse-path; null or '' for the null sender. */
  mailFrom: string | null;
}

export interface SmtpAuthenticityOptions {
  /** Real DNS when not given. */
  resolver?: DnsResolver;
  /** Our host name, as written in the Authentication-Results comments. */
  mta: string;
  /** A check that takes longer is unverified: a slow DNS server is not proof of forgery. */
  timeoutMs?: number;
}

const TIMEOUT_MS = 30_000;

/** SMTP mail: SPF (with the session's ip, helo, MAIL FROM), DKIM, DMARC, ARC via mailauth. Never throws: an internal error gives verdict 'unverified' with the reason. */
export async function checkSmtpAuthenticity(raw: Buffer, envelope: SmtpEnvelope, options: SmtpAuthenticityOptions): Promise<AuthResult> {
  try {
    const checked = await withDeadline(
      authenticate(withoutUnsignedBody(raw), {
        ip: envelope.ip ?? undefined,
        helo: envelope.helo ?? undefined,
        // For the null sender mailauth checks the HELO name (postmaster@helo), as RFC 7208 2.4 says.
        sender: envelope.mailFrom || undefined,
        mta: options.mta,
        resolver: options.resolver as DNSResolver | undefined,
        // Received headers are written by whoever sent the message: the session is the truth.
        trustReceived: false,
        disableBimi: true,
      }),
      options.timeoutMs ?? TIMEOUT_MS,
    );
    const evidence = evidenceOf(checked, envelope);
    return { ...verdictOf(evidence), ...evidence };
  } catch (err) {
    if (err instanceof DeadlinePassed) return unverified('authenticity check timed out');
    return unverified(`authenticity check failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * mailauth reads the body only to hash it for DKIM and ARC signatures, byte by byte in
 * JavaScript: for a letter with a PDF, most of the check's time. A message that carries no
 * signature has nothing in its body that can change a result, so only its header is given.
 */
function withoutUnsignedBody(raw: Buffer): Buffer {
  const blankLine = [raw.indexOf('\n\r\n'), raw.indexOf('\n\n')].filter((at) => at >= 0);
  if (blankLine.length === 0) return raw;
  const header = raw.subarray(0, Math.min(...blankLine) + 1);
  const signed = parseHeaderBlock(header).some((f) => f.name === 'dkim-signature' || f.name.startsWith('arc-'));
  return signed ? raw : Buffer.concat([header, Buffer.from('\r\n')]);
}

function evidenceOf(checked: AuthenticateResult, envelope: SmtpEnvelope): AuthEvidence {
  const { dkim, spf, dmarc, arc } = checked;
  // DMARC is only defined for a message with exactly one From address.
  const from = dkim.headerFrom.length === 1 ? dkim.headerFrom[0] : null;
  return {
    source: 'smtp',
    // Without the client's address SPF has nothing to check (mailauth would say neutral).
    spf: spf && envelope.ip ? resultOf(spf.status.result) : null,
    spfDomain: spf && envelope.ip ? spf.domain : null,
    dkim: dkim.results
      // An unsigned message has one result, 'none', with no signing domain.
      .filter((r) => r.signingDomain)
      .map((r) => ({ domain: r.signingDomain.toLowerCase(), result: resultOf(r.status.result), aligned: Boolean(r.status.aligned) })),
    dmarc: dmarc ? resultOf(dmarc.status.result) : null,
    arc: arc ? resultOf(arc.status.result) : null,
    fromDomain: from ? from.slice(from.lastIndexOf('@') + 1).toLowerCase() : null,
  };
}

function resultOf(result: string): string {
  return result === 'temperr' ? 'temperror' : result;
}

function unverified(reason: string): AuthResult {
  return { verdict: 'unverified', reason, source: 'smtp', spf: null, spfDomain: null, dkim: [], dmarc: null, arc: null, fromDomain: null };
}
