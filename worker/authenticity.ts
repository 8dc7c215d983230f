import { authenticate, type AuthenticateResult, type DNSResolver } from 'mailauth';
import { domainToASCII } from 'node:url';
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
  /**
   * The From address the register shows (worker/read.ts: mailparser's reading, or the envelope
   * sender when there is none): the address whose authenticity the verdict is about.
   */
  from: string | null;
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
// mailauth finds the fields each signature's h= names by scanning a copy of the list of all fields
// once for each name: its time is, summed over the signatures, names in h= x fields (100 signatures
// of 1,000 names over 30,000 fields: 20 s on the event loop). A letter has a few signatures of a
// few dozen names over a few dozen fields, far below these bounds.
const MAX_SIGNATURE_WORK = 5_000_000;
const MAX_SIGNATURES = 20;

/** A header cut into fields as mailauth cuts it, with each field's name. */
function fieldsOf(header: Buffer): { fields: string[]; names: string[]; folded: number; lines: number } {
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
  return { fields, names, folded, lines: lines.length };
}

/** The header as mailauth may be given it, whether it carries a signature, or why it cannot be checked at all. */
export function headerForMailauth(header: Buffer): { header: Buffer; signed: boolean } | { notChecked: string } {
  const { fields, names, folded, lines } = fieldsOf(header);
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
  if (folded > MAX_FOLDED_LINES || folded * lines > MAX_FOLDED_BY_LINES) plain = plain.map((f) => f.replace(/\r?\n(?=\s)/g, ''));
  plain = withinSignatureBounds(plain, fieldsOf(Buffer.from(plain.join('\n'), 'latin1')).names);
  return { header: plain === fields ? header : Buffer.from(plain.join('\n'), 'latin1'), signed };
}

/**
 * The fields with the signatures beyond the bounds left out: DKIM-Signature fields from the first
 * past MAX_SIGNATURES or past MAX_SIGNATURE_WORK (the topmost are kept: the sender's server is the
 * one connected), and every ARC field when ARC's message signatures alone are past it.
 *
 * Why leaving a signature out can only take a pass away, never make one: a signature's result
 * depends on its own tags, its key, the body and the fields its h= picks, nothing else. Leaving
 * fields out changes what another signature picks only if its h= names the fields left out, so
 * when anything is left out, every signature whose h= names DKIM-Signature goes too (an ARC
 * message signature that does takes all ARC fields with it). Every signature kept then verifies
 * exactly as it would have; one left out loses its result, pass or fail. DMARC passes only on an
 * aligned pass that is still there; and with no pass, DMARC and letter/authenticity.ts verdictOf
 * come to the same forged (dmarc=fail; spf=fail without an aligned dkim=pass) whether failed
 * signatures are beside it or not: a failed signature never counts for a letter, so losing one
 * cannot count for it either.
 */
function withinSignatureBounds(fields: string[], names: string[]): string[] {
  const namesInH = (field: string) => {
    const tag = field
      .slice(field.indexOf(':') + 1)
      .split(';')
      .find((t) => /^\s*h\s*=/i.test(t));
    return tag
      ? tag
          .slice(tag.indexOf('=') + 1)
          .split(':')
          .map((n) => n.trim().toLowerCase())
          .filter(Boolean)
      : [];
  };
  const work = (i: number) => namesInH(fields[i]).length * fields.length;
  const indexes = (name: string) => names.flatMap((n, i) => (n === name ? [i] : []));
  const arcWork = indexes('arc-message-signature').reduce((sum, i) => sum + work(i), 0);
  let dropArc = arcWork > MAX_SIGNATURE_WORK;
  let spent = dropArc ? 0 : arcWork;
  const dropped = new Set<number>();
  for (const [kept, i] of indexes('dkim-signature').entries()) {
    spent += work(i);
    if (kept >= MAX_SIGNATURES || spent > MAX_SIGNATURE_WORK) dropped.add(i);
  }
  if (dropped.size === 0 && !dropArc) return fields;
  const signsSignatures = (i: number) => namesInH(fields[i]).includes('dkim-signature');
  for (const i of indexes('dkim-signature')) if (signsSignatures(i)) dropped.add(i);
  if (indexes('arc-message-signature').some(signsSignatures)) dropArc = true;
  return fields.filter((_f, i) => !dropped.has(i) && !(dropArc && names[i].startsWith('arc-')));
}

/**
 * The header with its From fields replaced by one From of the address (none when null), in the
 * place of the first: what mailauth is given when its own reading of From is not the address the
 * register shows. A signature over the From that was there no longer verifies; that can only
 * take a pass away.
 */
export function headerWithFrom(header: Buffer, address: string | null): Buffer {
  const { fields, names } = fieldsOf(header);
  const at = names.indexOf('from');
  const eol = fields[0]?.endsWith('\r') ? '\r' : '';
  // UTF-8 bytes in a latin1 string: the local part may be written in Thai (RFC 6532).
  const from = address === null ? [] : [Buffer.from(`From: <${writtenAddress(address)}>${eol}`, 'utf8').toString('latin1')];
  const kept = fields.flatMap((f, i) => (names[i] !== 'from' ? [f] : i === at ? from : []));
  if (at < 0) kept.unshift(...from);
  return Buffer.from(kept.join('\n'), 'latin1');
}

/** The address as mailauth's parser reads it back: the domain in ASCII, an unusual local part quoted. */
function writtenAddress(address: string): string {
  const { local, domain } = partsOf(address);
  // What cannot stand in a header goes: the recheck then sees another domain and says so.
  const printable = (text: string) => [...text].filter((c) => c > ' ' && c !== '\x7f').join('');
  const [user, host] = [printable(local), printable(domain).replace(/[<>"\\]/g, '')];
  return `${/^[^<>()[\]\\,;:"@]+$/.test(user) ? user : `"${user.replace(/["\\]/g, '\\$&')}"`}@${host}`;
}

/** The local part as written and the domain as DNS knows it (punycode, lower case): mailparser shows ศึกษา.go.th for xn--12c1fe0br.go.th. */
function partsOf(address: string): { local: string; domain: string } {
  const at = address.lastIndexOf('@');
  const domain = address
    .slice(at + 1)
    .trim()
    .toLowerCase();
  return { local: at < 0 ? '' : address.slice(0, at), domain: domainToASCII(domain) || domain };
}

function sameAddress(a: string, b: string): boolean {
  const [x, y] = [partsOf(a), partsOf(b)];
  return x.domain === y.domain && x.local.toLowerCase() === y.local.toLowerCase();
}

/**
 * SMTP mail: SPF (with the session's ip, helo, MAIL FROM), DKIM, DMARC, ARC via mailauth, for the
 * From address the register shows. Never throws: an internal error gives verdict 'unverified' with the reason.
 */
export async function checkSmtpAuthenticity(raw: Buffer, envelope: SmtpEnvelope, options: SmtpAuthenticityOptions): Promise<AuthResult> {
  try {
    const header = headerOf(raw);
    const prepared = headerForMailauth(header ?? raw);
    if ('notChecked' in prepared) return unverified(`not checked: ${prepared.notChecked}`);
    // mailauth reads the body only to hash it for DKIM and ARC signatures, byte by byte in
    // JavaScript: for a letter with a PDF, most of the check's time. A message that carries no
    // signature has nothing in its body that can change a result, so only its header is given.
    const messageWith = (given: Buffer) =>
      !header
        ? given // no blank line: the message is all header
        : !prepared.signed
          ? Buffer.concat([given, Buffer.from('\r\n')])
          : given === header
            ? raw
            : Buffer.concat([given, raw.subarray(header.length)]);
    const check = (given: Buffer) =>
      authenticate(messageWith(given), {
        ip: envelope.ip ?? undefined,
        helo: envelope.helo ?? undefined,
        // For the null sender mailauth checks the HELO name (postmaster@helo), as RFC 7208 2.4 says.
        sender: envelope.mailFrom || undefined,
        mta: options.mta,
        resolver: options.resolver as DNSResolver | undefined,
        // Received headers are written by whoever sent the message: the session is the truth.
        trustReceived: false,
        disableBimi: true,
      });
    const shown = options.from || null;
    const checked = await withDeadline(
      (async () => {
        const first = await check(prepared.header);
        const judged = first.dkim.headerFrom;
        if (shown === null ? judged.length === 0 : judged.length === 1 && sameAddress(judged[0], shown)) return first;
        // mailauth read From otherwise than mailparser did (its older address parser: a comment
        // left open, an empty second address, an encoded word, two addresses or two From fields).
        // DMARC is judged again for the address shown, written plainly, so that the letter comes
        // out as a plain forgery in that name would: forged where its domain asks for reject.
        const again = await check(headerWithFrom(prepared.header, shown));
        // DMARC judges the From domain alone: how mailauth reads the local part back changes nothing.
        const rejudged = again.dkim.headerFrom;
        const asShown =
          shown === null ? rejudged.length === 0 : rejudged.length === 1 && partsOf(rejudged[0]).domain === partsOf(shown).domain;
        return asShown ? again : null;
      })(),
      options.timeoutMs ?? TIMEOUT_MS,
    );
    if (!checked) return unverified(`its From address as shown (${shown}) could not be checked`);
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
