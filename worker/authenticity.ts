import { authenticate, type AuthenticateResult, type DNSResolver } from 'mailauth';
import { parseHeaderBlock, type HeaderField } from '../letter/charset';
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

// mailauth's work on a header is synchronous, out of reach of the deadline above, and some of it
// grows with the square of what it reads: the From fields (and Return-Path, for the null sender)
// go through an address parser that copies its list for every address (100,000 addresses: 30 s),
// and the header through a parser that re-joins every folded line (100,000 lines: 27 s). DMARC
// needs one From field with one address, and a letter's header is a few KB: a message beyond
// these bounds is not checked (unverified), which costs its sender nothing but the mark.
const MAX_ADDRESS_FIELDS_BYTES = 8 * 1024;
const MAX_HEADER_BYTES = 64 * 1024;
const MAX_HEADER_LINES = 2_000;

/** Why mailauth should not be given this header, or null (looked at before its fields are read). */
function headerTooLarge(header: Buffer): string | null {
  if (header.length > MAX_HEADER_BYTES) return `its header is ${header.length} bytes long`;
  let lines = 0;
  for (let at = header.indexOf(10); at >= 0; at = header.indexOf(10, at + 1)) lines++;
  return lines > MAX_HEADER_LINES ? `its header has ${lines} lines` : null;
}

/** Why mailauth should not be given these From and Return-Path fields, or null. */
function addressesTooMany(fields: HeaderField[]): string | null {
  const from = fields.filter((f) => f.name === 'from');
  if (from.length > 1) return `it has ${from.length} From fields`;
  const addresses = fields.filter((f) => f.name === 'from' || f.name === 'return-path');
  const bytes = addresses.reduce((sum, f) => sum + Buffer.byteLength(f.value), 0);
  if (bytes > MAX_ADDRESS_FIELDS_BYTES) return `its From and Return-Path fields are ${bytes} bytes long`;
  return null;
}

/** SMTP mail: SPF (with the session's ip, helo, MAIL FROM), DKIM, DMARC, ARC via mailauth. Never throws: an internal error gives verdict 'unverified' with the reason. */
export async function checkSmtpAuthenticity(raw: Buffer, envelope: SmtpEnvelope, options: SmtpAuthenticityOptions): Promise<AuthResult> {
  try {
    const header = headerOf(raw);
    const tooLarge = headerTooLarge(header ?? raw);
    if (tooLarge) return unverified(`not checked: ${tooLarge}`);
    const fields = parseHeaderBlock(header ?? raw);
    const tooMany = addressesTooMany(fields);
    if (tooMany) return unverified(`not checked: ${tooMany}`);
    // mailauth reads the body only to hash it for DKIM and ARC signatures, byte by byte in
    // JavaScript: for a letter with a PDF, most of the check's time. A message that carries no
    // signature has nothing in its body that can change a result, so only its header is given.
    const signed = fields.some((f) => f.name === 'dkim-signature' || f.name.startsWith('arc-'));
    const checked = await withDeadline(
      authenticate(signed || !header ? raw : Buffer.concat([header, Buffer.from('\r\n')]), {
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

/** The message's header up to its blank line; null when it has none (it is all header). */
function headerOf(raw: Buffer): Buffer | null {
  const blankLine = [raw.indexOf('\n\r\n'), raw.indexOf('\n\n')].filter((at) => at >= 0);
  return blankLine.length > 0 ? raw.subarray(0, Math.min(...blankLine) + 1) : null;
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
