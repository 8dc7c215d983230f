import { domainToASCII } from 'node:url';

// Is the letter from who its From says? The policy: acknowledge unless the sender is shown
// to be forged. Many agencies publish no DMARC record, and a DNS time-out is not proof of
// forgery, so only a DMARC fail, or an SPF hard fail with nothing else to vouch for the
// From domain, counts as forged; what cannot be shown either way is "unverified".

export type AuthVerdict = 'authentic' | 'forged' | 'unverified';

export interface DkimSignature {
  /** The signing domain (d=). */
  domain: string;
  /** pass|fail|neutral|none|policy|temperror|permerror */
  result: string;
  /** The signing domain and the From domain share their organisational domain. */
  aligned: boolean;
}

export interface AuthResult {
  verdict: AuthVerdict;
  /** Short English reason, e.g. 'dmarc=fail', 'no policy published', 'dns temperror'. */
  reason: string;
  /** smtp: checked here while the sender was connected; authentication-results: read from the mailbox server's header. */
  source: 'smtp' | 'authentication-results' | 'none';
  /** pass|fail|softfail|neutral|none|temperror|permerror */
  spf: string | null;
  /** The domain SPF was checked for: the MAIL FROM domain, or the HELO name for the null sender. */
  spfDomain: string | null;
  dkim: DkimSignature[];
  /** pass|fail|none|temperror|permerror */
  dmarc: string | null;
  arc: string | null;
  fromDomain: string | null;
}

export type AuthEvidence = Omit<AuthResult, 'verdict' | 'reason'>;

export function verdictOf(r: AuthEvidence): { verdict: AuthVerdict; reason: string } {
  // A dmarc=fail with arc=pass may be a genuine letter through a forwarder or a list that
  // changed it; with no list of trusted ARC sealers yet it is still forged.
  if (r.dmarc === 'fail') return { verdict: 'forged', reason: 'dmarc=fail' };
  // DMARC's own alignment (organisational domain from the public suffix list) outranks ours below.
  if (r.dmarc === 'pass') return { verdict: 'authentic', reason: 'dmarc=pass' };

  const alignedDkimPass = r.dkim.some((d) => d.result === 'pass' && d.aligned);
  if (r.spf === 'fail' && !alignedDkimPass) return { verdict: 'forged', reason: 'spf=fail and no aligned dkim=pass' };
  if (alignedDkimPass) return { verdict: 'authentic', reason: 'aligned dkim=pass' };
  if (r.spf === 'pass' && r.fromDomain && r.spfDomain && sameOrganisation(r.fromDomain, r.spfDomain)) {
    return { verdict: 'authentic', reason: 'aligned spf=pass' };
  }

  if ([r.spf, r.dmarc, ...r.dkim.map((d) => d.result)].includes('temperror')) return { verdict: 'unverified', reason: 'dns temperror' };
  if (r.dmarc === 'none') return { verdict: 'unverified', reason: 'no policy published' };
  if (r.dmarc !== null) return { verdict: 'unverified', reason: `dmarc=${r.dmarc}` };
  if (r.spf === null && r.dkim.length === 0) return { verdict: 'unverified', reason: 'no authentication results' };
  return { verdict: 'unverified', reason: 'no dmarc result' };
}

/**
 * Relaxed alignment, simplified: the domains are equal or one is a subdomain of the other.
 * DMARC compares organisational domains from the public suffix list; without the list two
 * sibling subdomains (a.moe.go.th, b.moe.go.th) are not aligned here, and a public suffix
 * (go.th) would count as aligned with its subdomains, which is harmless only because no one
 * can sign for or send from a public suffix.
 */
export function sameOrganisation(a: string, b: string): boolean {
  const x = normaliseDomain(a);
  const y = normaliseDomain(b);
  if (!x || !y) return false;
  return x === y || x.endsWith(`.${y}`) || y.endsWith(`.${x}`);
}

/** As DNS knows it: lower case, no root dot, a Thai name in punycode (mailparser shows ศึกษา.go.th for xn--12c1fe0br.go.th). */
function normaliseDomain(domain: string): string {
  const d = domain.trim().toLowerCase().replace(/\.$/, '');
  return domainToASCII(d) || d;
}

// ---- Authentication-Results (RFC 8601) ----

export interface AuthenticationResult {
  /** Lower-case method without its version: spf, dkim, dmarc, arc, ... */
  method: string;
  /** Lower-case result: pass, fail, ... */
  result: string;
  /** ptype.property (lower-case) -> value, e.g. 'smtp.mailfrom', 'header.d'. */
  properties: Record<string, string>;
}

export interface AuthenticationResultsHeader {
  /** Who wrote the header; null when it names none (Microsoft 365 writes it without one). */
  authservId: string | null;
  results: AuthenticationResult[];
}

/** Parses one Authentication-Results value (with or without the field name, folded or not). */
export function parseAuthenticationResults(value: string): AuthenticationResultsHeader {
  const text = withoutComments(value.replace(/^\s*authentication-results\s*:/i, '').replace(/\r?\n(?=[ \t])/g, ''));
  const [first = '', ...rest] = splitOutsideQuotes(text, ';');
  // authserv-id [version]; with no authserv-id the first part is already a result.
  const named = !first.includes('=');
  const authservId = named ? unquote(tokens(first)[0] ?? '') || null : null;
  const resinfos = named ? rest : [first, ...rest];

  const results: AuthenticationResult[] = [];
  for (const resinfo of resinfos) {
    const [head, ...props] = tokens(resinfo.replace(/\s*=\s*/g, '='));
    if (!head) continue;
    const eq = head.indexOf('=');
    // 'none': the server checked nothing.
    if (eq <= 0) continue;
    const properties: Record<string, string> = {};
    for (const prop of props) {
      const at = prop.indexOf('=');
      if (at > 0) properties[prop.slice(0, at).toLowerCase()] = unquote(prop.slice(at + 1));
    }
    results.push({
      method: head.slice(0, eq).split('/')[0].toLowerCase(),
      result: unquote(head.slice(eq + 1)).toLowerCase(),
      properties,
    });
  }
  return { authservId, results };
}

/**
 * For mail that came through IMAP: trust only Authentication-Results headers whose authserv-id
 * equals trustedAuthservId (case-insensitive); the topmost such header. None trusted -> source
 * 'none', verdict 'unverified'.
 *
 * headerValues are in message order, topmost first. Anyone can write an Authentication-Results
 * header before sending; the receiving server adds its own above them (and should remove any
 * that claim its authserv-id), so the topmost header with our server's id is our server's.
 *
 * fromDomain is the domain of the From address the register shows. The server judged DMARC on
 * its own reading of From, which may not be ours (a second address, a comment left open, an
 * encoded word): its DMARC result counts only for the domain its header.from names. When that is
 * missing or another domain, the letter is not authentic: forged if DMARC failed (a forgery was
 * found in its From, whichever address it was), else unverified. SPF and DKIM are aligned here,
 * with the domain shown.
 */
export function fromAuthenticationResults(headerValues: string[], trustedAuthservId: string | null, fromDomain: string | null): AuthResult {
  const trusted = trustedAuthservId?.trim().toLowerCase();
  const header = trusted ? headerValues.map(parseAuthenticationResults).find((h) => h.authservId?.toLowerCase() === trusted) : undefined;
  if (!header) {
    const reason = trusted ? 'no trusted Authentication-Results' : 'no trusted authserv-id configured';
    return { verdict: 'unverified', reason, source: 'none', spf: null, spfDomain: null, dkim: [], dmarc: null, arc: null, fromDomain };
  }

  const first = (method: string) => header.results.find((r) => r.method === method);
  const spf = first('spf');
  const dmarc = first('dmarc');
  const evidence: AuthEvidence = {
    source: 'authentication-results',
    spf: spf?.result ?? null,
    spfDomain: domainOf(spf?.properties['smtp.mailfrom'] ?? spf?.properties['smtp.helo']),
    dkim: header.results
      .filter((r) => r.method === 'dkim')
      .map((r) => {
        const domain = domainOf(r.properties['header.d'] ?? r.properties['header.i']) ?? '';
        return { domain, result: r.result, aligned: fromDomain !== null && domain !== '' && sameOrganisation(fromDomain, domain) };
      }),
    dmarc: dmarc?.result ?? null,
    arc: first('arc')?.result ?? null,
    fromDomain,
  };
  const judged = domainOf(dmarc?.properties['header.from']);
  if (dmarc && !(judged && fromDomain && sameDomain(judged, fromDomain))) {
    const about = `${judged ? `header.from=${judged}` : 'no header.from'}, not the From shown (${fromDomain ?? 'none'})`;
    if (dmarc.result === 'fail') return { verdict: 'forged', reason: `dmarc=fail for ${about}`, ...evidence };
    return { verdict: 'unverified', reason: `dmarc=${dmarc.result} judged ${about}`, ...evidence };
  }
  return { ...verdictOf(evidence), ...evidence };
}

/** The same domain, whether written in Thai or as DNS knows it (punycode), in any case, with or without the root's dot. */
function sameDomain(a: string, b: string): boolean {
  return normaliseDomain(a) === normaliseDomain(b);
}

/** The domain of an address, or the value itself when it is a domain. */
function domainOf(value: string | undefined): string | null {
  if (!value) return null;
  const domain = value
    .slice(value.lastIndexOf('@') + 1)
    .trim()
    .toLowerCase();
  return domain || null;
}

/** The text with (comments) - which may nest - replaced by a space; quoted strings are kept. */
function withoutComments(text: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      if (depth === 0) out += text.slice(i, i + 2);
      i++;
    } else if (quoted) {
      out += c;
      if (c === '"') quoted = false;
    } else if (c === '(') {
      if (depth === 0) out += ' ';
      depth++;
    } else if (c === ')' && depth > 0) {
      depth--;
    } else if (depth === 0) {
      out += c;
      if (c === '"') quoted = true;
    }
  }
  return out;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      current += text.slice(i, i + 2);
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function tokens(text: string): string[] {
  return splitOutsideQuotes(text.replace(/\s+/g, ' '), ' ');
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(.)/g, '$1');
  return v;
}
