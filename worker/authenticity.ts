import { authenticate, type AuthenticateResult, type DNSResolver } from 'mailauth';
import addressparser from 'nodemailer/lib/addressparser';
import { DeadlinePassed, withDeadline } from '../lib/deadline';
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

// mailauth's work on a header is synchronous, out of reach of the deadline above, and two of its
// parsers take time in the square of what they read: its header parser re-joins every folded line
// (100,000 lines: 27 s), and the address parser of its own nodemailer copies its list for every
// address in From (and in Return-Path, for the null sender: 100,000 addresses, 30 s). A letter has
// a few dozen folded lines and one From address. Beyond these bounds mailauth is given the header
// made plain (folded lines joined; From reduced to its one address; Return-Path, which the sender
// wrote and nothing here trusts, left out), so that padding cannot turn "forged" into anything
// milder; only a signature over what was changed no longer verifies.
const MAX_FOLDED_LINES = 10_000;
// mailauth takes each folded line out of the array of all lines: its time is folded lines x lines.
const MAX_FOLDED_BY_LINES = 50_000_000;
const MAX_ADDRESS_FIELDS_BYTES = 8 * 1024;

/** The header as mailauth may be given it, whether it carries a signature, or why it cannot be checked at all. */
export function headerForMailauth(header: Buffer): { header: Buffer; signed: boolean } | { notChecked: string } {
  // As mailauth reads a header: latin1, a line that starts with any white space (\s: also 0xA0,
  // \v, \f, CR) continues the field before it, and names are trimmed with trim().
  const fields: string[] = [];
  const lines = header.toString('latin1').split('\n');
  let folded = 0;
  for (const line of lines) {
    if (/^\s/.test(line) && fields.length > 0) {
      fields[fields.length - 1] += `\n${line}`;
      folded++;
    } else fields.push(line);
  }
  const names = fields.map((f) =>
    f
      .slice(0, Math.max(0, f.indexOf(':')))
      .trim()
      .toLowerCase(),
  );
  const signed = names.some((name) => name === 'dkim-signature' || name.startsWith('arc-'));
  let plain = fields;
  const isAddressField = (i: number) => names[i] === 'from' || names[i] === 'return-path';
  const addressFields = fields.filter((_f, i) => isAddressField(i));
  if (addressFields.reduce((sum, f) => sum + f.length, 0) > MAX_ADDRESS_FIELDS_BYTES) {
    const addresses = fields
      .filter((_f, i) => names[i] === 'from')
      .flatMap((f) => addressparser(f.slice(f.indexOf(':') + 1), { flatten: true }))
      .map((a) => a.address)
      .filter(Boolean);
    // DMARC is only defined for a From of one address: with more (or none) mailauth could only say so.
    if (addresses.length !== 1) return { notChecked: `its From field names ${addresses.length} addresses` };
    // The first From keeps its place, with the one address; every other From and Return-Path goes.
    const first = names.indexOf('from');
    const eol = fields[first].endsWith('\r') ? '\r' : '';
    plain = fields.flatMap((f, i) => (!isAddressField(i) ? [f] : i === first ? [`From: <${addresses[0]}>${eol}`] : []));
  }
  if (folded > MAX_FOLDED_LINES || folded * lines.length > MAX_FOLDED_BY_LINES) plain = plain.map((f) => f.replace(/\r?\n(?=\s)/g, ''));
  return { header: plain === fields ? header : Buffer.from(plain.join('\n'), 'latin1'), signed };
}

/** SMTP mail: SPF (with the session's ip, helo, MAIL FROM), DKIM, DMARC, ARC via mailauth. Never throws: an internal error gives verdict 'unverified' with the reason. */
export async function checkSmtpAuthenticity(raw: Buffer, envelope: SmtpEnvelope, options: SmtpAuthenticityOptions): Promise<AuthResult> {
  try {
    const header = headerOf(raw);
    const prepared = headerForMailauth(header ?? raw);
    if ('notChecked' in prepared) return unverified(`not checked: ${prepared.notChecked}`);
    // mailauth reads the body only to hash it for DKIM and ARC signatures, byte by byte in
    // JavaScript: for a letter with a PDF, most of the check's time. A message that carries no
    // signature has nothing in its body that can change a result, so only its header is given.
    const message = !header
      ? prepared.header // no blank line: the message is all header
      : !prepared.signed
        ? Buffer.concat([prepared.header, Buffer.from('\r\n')])
        : prepared.header === header
          ? raw
          : Buffer.concat([prepared.header, raw.subarray(header.length)]);
    const checked = await withDeadline(
      authenticate(message, {
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
