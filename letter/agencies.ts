// Who sent the letter: the register's จาก column. The directory (config/agencies.csv) names
// agencies by central address or by domain; a sub-domain (mail.moi.go.th) belongs to its
// agency, but the shared suffixes (go.th, ac.th, ...) belong to nobody: matching them would
// name every government sender after one agency.
import { domainToASCII, domainToUnicode } from 'node:url';
import { parse } from 'csv-parse/sync';

export interface AgencyDirectory {
  byAddress: ReadonlyMap<string, string>;
  byDomain: ReadonlyMap<string, string>;
}

export type AgencySource = 'directory' | 'display-name' | 'domain' | 'unknown';

/** What จาก says when neither the address nor the display name tells who sent it. */
export const UNKNOWN_SENDER = 'ไม่ทราบผู้ส่ง';

/** Suffixes under which many agencies or companies register their own domains. */
const PUBLIC_SUFFIXES: ReadonlySet<string> = new Set(['th', 'go.th', 'ac.th', 'or.th', 'co.th', 'in.th', 'mi.th', 'net.th']);

export function isPublicSuffix(domain: string): boolean {
  return PUBLIC_SUFFIXES.has(domain) || !domain.includes('.');
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// Dot-atom (RFC 5322) plus UTF-8 local parts (RFC 6531).
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+)*$/;

/** The domain in lower-case ASCII (IDNs as xn--), or null when it is not a host name. */
function normaliseDomain(raw: string): string | null {
  const ascii = domainToASCII(raw.trim().replace(/\.$/, '').toLowerCase());
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  if (/^\d+$/.test(labels[labels.length - 1])) return null; // an IP address, not a domain
  return ascii;
}

interface Address {
  full: string; // local@domain, lower-case, domain in ASCII
  domain: string;
}

function normaliseAddress(raw: string): Address | null {
  const text = raw.trim().replace(/^<(.*)>$/, '$1');
  const at = text.lastIndexOf('@');
  if (at <= 0) return null;
  const local = text.slice(0, at).toLowerCase();
  const domain = normaliseDomain(text.slice(at + 1));
  if (!domain || local.length > 64 || !LOCAL_PART.test(local)) return null;
  return { full: `${local}@${domain}`, domain };
}

interface DirectoryRow {
  record: string[];
  info: { lines: number };
}

/**
 * Parses the directory CSV (header: match,name). A bad line is reported with its line number
 * and skipped, so one typo does not keep every other agency out of the register.
 * Addresses and domains are lower-cased (IDNs kept as xn--); a BOM, blank lines and lines
 * starting with # are ignored.
 */
export function parseAgencyDirectory(csvText: string): { directory: AgencyDirectory; problems: string[] } {
  const problems: string[] = [];
  const rows = parse(csvText, {
    bom: true,
    info: true,
    trim: true,
    comment: '#',
    comment_no_infix: true, // '#' inside a name is text
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      if (err) problems.push(`line ${lineOf(err)}: ${err.message}`);
      return undefined;
    },
  }) as unknown as DirectoryRow[];

  const byAddress = new Map<string, string>();
  const byDomain = new Map<string, string>();
  const seenOn = new Map<string, number>();
  let columns = { match: 0, name: 1, count: 2 };
  let first = true;

  for (const { record, info } of rows) {
    const line = info.lines;
    if (record.every((field) => field === '')) continue;
    if (first) {
      first = false;
      const header = record.map((field) => field.toLowerCase());
      if (header.includes('match') && header.includes('name')) {
        columns = { match: header.indexOf('match'), name: header.indexOf('name'), count: header.length };
        continue;
      }
      problems.push(`line ${line}: the first line must be the header match,name; read as an agency`);
    }
    if (record.length > columns.count) {
      problems.push(`line ${line}: ${record.length} fields where ${columns.count} were expected; put a name with a comma in double quotes`);
      continue;
    }
    const match = record[columns.match] ?? '';
    const name = (record[columns.name] ?? '').replace(/\s+/g, ' ');
    if (!name) {
      problems.push(`line ${line}: ${match || 'the line'} has no agency name`);
      continue;
    }
    const key = matchKey(match);
    if ('problem' in key) {
      problems.push(`line ${line}: ${key.problem}`);
      continue;
    }
    const earlier = seenOn.get(key.value);
    if (earlier !== undefined) {
      problems.push(`line ${line}: ${key.value} is already on line ${earlier}; the first is kept`);
      continue;
    }
    seenOn.set(key.value, line);
    (key.kind === 'address' ? byAddress : byDomain).set(key.value, name);
  }
  return { directory: { byAddress, byDomain }, problems };
}

function lineOf(err: Error): number | string {
  const lines = (err as Error & { lines?: unknown }).lines;
  return typeof lines === 'number' ? lines : '?';
}

function matchKey(match: string): { kind: 'address' | 'domain'; value: string } | { problem: string } {
  if (!match) return { problem: 'no address or domain in the match column' };
  if (match.includes('@') && !match.startsWith('@')) {
    const address = normaliseAddress(match);
    return address ? { kind: 'address', value: address.full } : { problem: `"${match}" is not an e-mail address` };
  }
  // "@moi.go.th" is a common way of writing "anyone at moi.go.th".
  const domain = normaliseDomain(match.replace(/^@/, ''));
  if (!domain) return { problem: `"${match}" is neither an e-mail address nor a domain` };
  if (isPublicSuffix(domain)) return { problem: `${domain} is shared by many agencies, not one agency's domain` };
  return { kind: 'domain', value: domain };
}

/** The domain and its parents down to (not including) a public suffix: mail.moi.go.th, moi.go.th. */
function agencyDomains(domain: string): string[] {
  const labels = domain.split('.');
  const candidates: string[] = [];
  for (let i = 0; i < labels.length; i++) {
    const candidate = labels.slice(i).join('.');
    if (isPublicSuffix(candidate)) break;
    candidates.push(candidate);
  }
  return candidates;
}

// Display names that name a mailbox or a role, not who is writing: "saraban" says nothing about which agency.
const GENERIC_NAMES: ReadonlySet<string> = new Set([
  'สารบรรณ',
  'งานสารบรรณ',
  'ฝ่ายสารบรรณ',
  'สารบรรณกลาง',
  'งานสารบรรณกลาง',
  'ระบบสารบรรณ',
  'สารบรรณอิเล็กทรอนิกส์',
  'ระบบสารบรรณอิเล็กทรอนิกส์',
  'ธุรการ',
  'งานธุรการ',
  'ฝ่ายธุรการ',
  'admin',
  'administrator',
  'info',
  'information',
  'office',
  'contact',
  'mail',
  'email',
  'user',
  'noreply',
  'donotreply',
  'webmaster',
  'postmaster',
]);

function usableDisplayName(raw: string | null): string | null {
  if (!raw) return null;
  const name = raw
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(["'])(.*)\1$/, '$2')
    .trim();
  if (!name) return null;
  // Outlook and many webmails put the address itself where a name should be.
  if (/^<?[^\s<>]+@[^\s<>]+>?$/.test(name) || normaliseDomain(name)) return null;
  const key = name.toLowerCase().replace(/[\s._-]+/g, '');
  if (GENERIC_NAMES.has(key) || /^e?sarab[au]n\d*$/.test(key)) return null;
  return name;
}

/**
 * The sending agency: the directory by exact address, then by domain and its parent domains
 * (mail.moi.go.th -> moi.go.th), then the From display name (unless it is an address or a
 * generic word like "saraban"), then the domain itself.
 */
export function sendingAgency(
  directory: AgencyDirectory,
  from: { address: string | null; displayName: string | null },
): { name: string; source: AgencySource } {
  const address = from.address ? normaliseAddress(from.address) : null;
  if (address) {
    const exact = directory.byAddress.get(address.full);
    if (exact) return { name: exact, source: 'directory' };
    for (const domain of agencyDomains(address.domain)) {
      const name = directory.byDomain.get(domain);
      if (name) return { name, source: 'directory' };
    }
  }
  const displayName = usableDisplayName(from.displayName);
  if (displayName) return { name: displayName, source: 'display-name' };
  // Thai officers read สพฐ.ไทย, not xn--.
  if (address) return { name: domainToUnicode(address.domain), source: 'domain' };
  return { name: UNKNOWN_SENDER, source: 'unknown' };
}
