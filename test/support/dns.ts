// DNS for authenticity tests: a table of records instead of the network, the same every run.
import type { DnsResolver } from '../../worker/authenticity';

export function dnsError(code: string, name: string): Error {
  return Object.assign(new Error(`query ${code} ${name}`), { code });
}

/** Answers TXT lookups from the table, as dns.promises.resolve would: one chunk per record. */
export function tableResolver(txt: Map<string, string[]>, queried: string[] = []): DnsResolver {
  return async (name, rrtype) => {
    queried.push(`${rrtype} ${name}`);
    const records = rrtype === 'TXT' ? txt.get(name.toLowerCase()) : undefined;
    if (!records) throw dnsError('ENOTFOUND', name);
    return records.map((record) => [record]);
  };
}
