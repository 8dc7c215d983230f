import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import { checkSmtpAuthenticity, headerForMailauth, type DnsResolver } from '../../../worker/authenticity';
import { readMessage } from '../../../worker/read';
import { dnsError, tableResolver } from '../../support/dns';

// Real mailauth against a table of DNS records: no network, the same answer every run.

const GOOD_IP = '192.0.2.10';
const OTHER_IP = '203.0.113.5';
const mta = 'saraban.test';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const dkimRecord = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
// ศึกษา.go.th: an agency whose domain is written in punycode in its mail.
const IDN = 'xn--12c1fe0br.go.th';
const records = new Map<string, string[]>([
  ['s1._domainkey.moe.go.th', [dkimRecord]],
  ['moe.go.th', [`v=spf1 ip4:${GOOD_IP} -all`]],
  ['_dmarc.moe.go.th', ['v=DMARC1; p=reject']],
  // An agency with a lenient SPF record and no DMARC record.
  ['dsi.go.th', [`v=spf1 ip4:${GOOD_IP} ~all`]],
  // A forger's own domain, whose mail passes SPF, DKIM and DMARC for itself.
  ['s1._domainkey.forger.example', [dkimRecord]],
  ['forger.example', [`v=spf1 ip4:${OTHER_IP} -all`]],
  ['_dmarc.forger.example', ['v=DMARC1; p=reject']],
  [`s1._domainkey.${IDN}`, [dkimRecord]],
  [`_dmarc.${IDN}`, ['v=DMARC1; p=reject']],
]);

function letter(fromAddress: string, body = 'ขอเชิญประชุม\r\n'): Buffer {
  return Buffer.from(
    [
      `From: Clerk <${fromAddress}>`,
      'To: saraban@dsi.go.th',
      'Subject: =?UTF-8?B?4Lib4Lij4Liw4LiK4Li44Lih?=',
      'Date: Mon, 6 Jan 2025 10:00:00 +0700',
      `Message-ID: <1@${fromAddress.split('@')[1]}>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      body,
    ].join('\r\n'),
  );
}

async function signed(message: Buffer, signingDomain = 'moe.go.th'): Promise<Buffer> {
  const key = { signingDomain, selector: 's1', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) };
  // The implementation reads only signatureData; index.d.ts also asks for the key at the top level.
  const { signatures, errors } = await dkimSign(message, { ...key, signatureData: [key], signTime: new Date('2025-01-06T03:00:00Z') });
  expect(errors).toEqual([]);
  return Buffer.concat([Buffer.from(signatures), message]);
}

describe('authenticity checked while the sender is connected (mailauth)', () => {
  const resolver = tableResolver(records);
  const moe = { ip: GOOD_IP, helo: 'mail.moe.go.th', mailFrom: 'clerk@moe.go.th' };

  it('finds a signed letter from the agency server authentic: DMARC passes', async () => {
    const result = await checkSmtpAuthenticity(await signed(letter('clerk@moe.go.th')), moe, { resolver, mta, from: 'clerk@moe.go.th' });
    expect(result).toEqual({
      verdict: 'authentic',
      reason: 'dmarc=pass',
      source: 'smtp',
      spf: 'pass',
      spfDomain: 'moe.go.th',
      dkim: [{ domain: 'moe.go.th', result: 'pass', aligned: true }],
      dmarc: 'pass',
      arc: 'none',
      fromDomain: 'moe.go.th',
    });
  });

  // The body is only read when a signature covers it; these prove it is still read then.
  it('verifies the body of a signed letter below other fields, also with bare LF line ends', async () => {
    const body = 'ขอเชิญประชุม\r\n'.repeat(2000);
    const message = Buffer.concat([Buffer.from('Received: from mail.moe.go.th\r\n'), await signed(letter('clerk@moe.go.th', body))]);
    const lf = Buffer.from(message.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    for (const raw of [message, lf]) {
      const result = await checkSmtpAuthenticity(raw, moe, { resolver, mta, from: 'clerk@moe.go.th' });
      expect(result.dkim).toEqual([{ domain: 'moe.go.th', result: 'pass', aligned: true }]);
    }
    const changed = Buffer.from(message.toString('latin1').replace(/\r\n$/, ' (changed)\r\n'), 'latin1');
    const result = await checkSmtpAuthenticity(changed, { ...moe, ip: OTHER_IP }, { resolver, mta, from: 'clerk@moe.go.th' });
    expect(result.dkim).toEqual([{ domain: 'moe.go.th', result: 'neutral', aligned: true }]); // mailauth's word for a body hash that does not match
  });

  it('finds an unsigned letter in the agency name from another server forged', async () => {
    const result = await checkSmtpAuthenticity(
      letter('clerk@moe.go.th'),
      { ...moe, ip: OTHER_IP, helo: 'mx.example.net' },
      { resolver, mta, from: 'clerk@moe.go.th' },
    );
    expect(result).toMatchObject({
      verdict: 'forged',
      reason: 'dmarc=fail',
      spf: 'fail',
      dkim: [],
      dmarc: 'fail',
      fromDomain: 'moe.go.th',
    });
  });

  it('finds a letter changed after signing authentic when SPF passes for the From domain', async () => {
    const message = await signed(letter('clerk@moe.go.th'));
    const tampered = Buffer.from(message.toString('utf8').replace('ขอเชิญประชุม', 'โอนเงินด่วน'));
    const result = await checkSmtpAuthenticity(tampered, moe, { resolver, mta, from: 'clerk@moe.go.th' });
    // mailauth reports a body hash mismatch as dkim=neutral, not fail; DMARC passes on aligned SPF.
    expect(result).toMatchObject({
      verdict: 'authentic',
      reason: 'dmarc=pass',
      spf: 'pass',
      dkim: [{ domain: 'moe.go.th', result: 'neutral', aligned: true }],
      dmarc: 'pass',
    });
  });

  it('finds a letter with changed signed headers from another server forged', async () => {
    const message = await signed(letter('clerk@moe.go.th'));
    const tampered = Buffer.from(message.toString('utf8').replace('Date: Mon, 6 Jan 2025', 'Date: Tue, 7 Jan 2025'));
    const result = await checkSmtpAuthenticity(tampered, { ...moe, ip: OTHER_IP }, { resolver, mta, from: 'clerk@moe.go.th' });
    expect(result).toMatchObject({
      verdict: 'forged',
      reason: 'dmarc=fail',
      spf: 'fail',
      dkim: [{ domain: 'moe.go.th', result: 'fail', aligned: true }],
      dmarc: 'fail',
    });
  });

  it('leaves a letter unverified when the agency publishes no DMARC record and SPF soft-fails', async () => {
    const result = await checkSmtpAuthenticity(
      letter('clerk@dsi.go.th'),
      { ip: OTHER_IP, helo: 'mx.example.net', mailFrom: 'clerk@dsi.go.th' },
      { resolver, mta, from: 'clerk@dsi.go.th' },
    );
    expect(result).toMatchObject({ verdict: 'unverified', reason: 'no policy published', spf: 'softfail', dkim: [], dmarc: 'none' });
  });

  it('leaves a letter unverified, not forged, when every DNS query times out', async () => {
    const timingOut: DnsResolver = async (name) => {
      throw dnsError('ETIMEOUT', name);
    };
    const result = await checkSmtpAuthenticity(
      await signed(letter('clerk@moe.go.th')),
      { ...moe, ip: OTHER_IP },
      { resolver: timingOut, mta, from: 'clerk@moe.go.th' },
    );
    expect(result).toMatchObject({
      verdict: 'unverified',
      reason: 'dns temperror',
      spf: 'temperror',
      dkim: [{ domain: 'moe.go.th', result: 'temperror', aligned: true }],
      dmarc: 'temperror',
    });
  });

  it('treats a DNS server that refuses as a temporary error too', async () => {
    const refusing: DnsResolver = async (name) => {
      throw dnsError('ECONNREFUSED', name);
    };
    const result = await checkSmtpAuthenticity(
      letter('clerk@moe.go.th'),
      { ...moe, ip: OTHER_IP },
      { resolver: refusing, mta, from: 'clerk@moe.go.th' },
    );
    expect(result).toMatchObject({ verdict: 'unverified', reason: 'dns temperror', spf: 'temperror', dmarc: 'temperror' });
  });

  it('gives up as unverified when DNS never answers', async () => {
    const silent: DnsResolver = () => new Promise(() => undefined);
    const result = await checkSmtpAuthenticity(letter('clerk@moe.go.th'), moe, {
      resolver: silent,
      mta,
      from: 'clerk@moe.go.th',
      timeoutMs: 50,
    });
    expect(result).toMatchObject({ verdict: 'unverified', reason: 'authenticity check timed out', source: 'smtp' });
  });

  it('turns an error inside the check into unverified with the reason', async () => {
    const result = await checkSmtpAuthenticity(null as unknown as Buffer, moe, { resolver, mta, from: 'clerk@moe.go.th' });
    expect(result).toMatchObject({ verdict: 'unverified', source: 'smtp', spf: null, dkim: [], dmarc: null });
    expect(result.reason).toMatch(/^authenticity check failed: /);
  });

  // mailauth's address parser takes time in the square of the addresses: 100,000 took 30 s.
  // mailauth's header and address parsers take time in the square of what they read, beyond the
  // reach of its deadline: such headers reach it made plain, and still come out as they should.
  const plain = letter('clerk@moe.go.th').toString();
  const addresses = (n: number) => Array.from({ length: n }, (_, i) => `clerk${i}@moe.go.th`).join(', ');
  const foreign = { ...moe, ip: OTHER_IP, helo: 'mx.example.net' };
  const folded = (lines: number) => `X-Pad: a${'\r\n x'.repeat(lines)}\r\n`;

  it.each([
    ['a To field of 20,000 addresses', `To: ${addresses(20_000)}\r\n${plain}`],
    ['a field folded over 12,000 lines', `${folded(12_000)}${plain}`],
    ['a Return-Path of 20,000 addresses', `Return-Path: ${addresses(20_000)}\r\n${plain}`],
  ])('checks a letter with %s, from the agency server authentic', async (_what, message) => {
    // The null sender, so that mailauth reads Return-Path; SPF then checks the HELO name.
    const result = await checkSmtpAuthenticity(
      Buffer.from(message),
      { ip: GOOD_IP, helo: 'moe.go.th', mailFrom: null },
      { resolver, mta, from: 'clerk@moe.go.th' },
    );
    expect(result).toMatchObject({ verdict: 'authentic', reason: 'dmarc=pass', fromDomain: 'moe.go.th' });
  });

  it.each([
    ['70 KB of padding', `X-Pad: ${'a'.repeat(70_000)}\r\n${plain}`],
    ['a field folded over 12,000 lines', `${folded(12_000)}${plain}`],
    ['a From display name of 9,000 characters', plain.replace('From: Clerk <', `From: "${'A'.repeat(9_000)}" <`)],
    ['a Return-Path of 20,000 addresses', `Return-Path: ${addresses(20_000)}\r\n${plain}`],
  ])('still finds a letter in the agency name from another server forged, with %s', async (_what, message) => {
    const result = await checkSmtpAuthenticity(Buffer.from(message), foreign, { resolver, mta, from: 'clerk@moe.go.th' });
    expect(result).toMatchObject({ verdict: 'forged', reason: 'dmarc=fail', fromDomain: 'moe.go.th' });
  });

  it('does not check a letter whose From names 20,000 addresses on a line that starts with 0xA0 (a folded line to mailauth)', async () => {
    const message = Buffer.concat([
      Buffer.from(`From: clerk@moe.go.th\r\n\xa0${addresses(20_000)}\r\n`, 'latin1'),
      Buffer.from(plain.replace(/^From: .*\r\n/m, '')),
    ]);
    const result = await checkSmtpAuthenticity(message, foreign, { resolver, mta, from: 'clerk@moe.go.th' });
    expect(result).toMatchObject({ verdict: 'unverified' });
    expect(result.reason).toMatch(/^not checked: its From field names 2000[01] addresses$/);
  });

  it('does not check a letter whose From names 500 addresses: DMARC needs one', async () => {
    const message = plain.replace('From: Clerk <clerk@moe.go.th>', `From: ${addresses(500)}`);
    const result = await checkSmtpAuthenticity(Buffer.from(message), foreign, { resolver, mta, from: 'clerk@moe.go.th' });
    expect(result).toMatchObject({ verdict: 'unverified', reason: 'not checked: its From field names 500 addresses', dmarc: null });
  });

  it('gives mailauth a header beyond the bounds made plain: no folded line, no Return-Path, From its one address', () => {
    // mailauth also takes a line that starts with 0xA0, \v or \f for a folded one.
    const odd = `X-Odd: b${'\r\n\xa0y\r\n\vz\r\n\fw'.repeat(1_000)}\r\n`;
    const header = `Return-Path: ${addresses(20_000)}\r\n${folded(12_000)}${odd}From: "${'A'.repeat(9_000)}" <clerk@moe.go.th>\r\n`;
    const prepared = headerForMailauth(Buffer.from(header, 'latin1'));
    const text = 'header' in prepared ? prepared.header.toString('latin1') : '';
    expect(text).not.toMatch(/\n\s/);
    expect(text).not.toMatch(/^return-path:/im);
    expect(text).toMatch(/^From: <clerk@moe\.go\.th>\r$/m);
    expect(text).toMatch(/^X-Pad: a( x)+\r$/m);
  });

  it('gives mailauth an ordinary header as it came, so that its signature verifies', () => {
    const header = Buffer.from(plain.slice(0, plain.indexOf('\r\n\r\n') + 2));
    const prepared = headerForMailauth(header);
    expect('header' in prepared && prepared.header).toBe(header);
  });

  it('checks the HELO name for the null sender, and asks only the table', async () => {
    const queried: string[] = [];
    const result = await checkSmtpAuthenticity(
      letter('clerk@moe.go.th'),
      { ip: GOOD_IP, helo: 'moe.go.th', mailFrom: null },
      { resolver: tableResolver(records, queried), mta, from: 'clerk@moe.go.th' },
    );
    expect(result).toMatchObject({ verdict: 'authentic', reason: 'dmarc=pass', spf: 'pass', spfDomain: 'moe.go.th' });
    expect(queried).toEqual(expect.arrayContaining(['TXT moe.go.th', 'TXT _dmarc.moe.go.th']));
  });

  it('has no SPF result without the client address', async () => {
    const result = await checkSmtpAuthenticity(
      await signed(letter('clerk@moe.go.th')),
      { ip: null, helo: null, mailFrom: null },
      { resolver, mta, from: 'clerk@moe.go.th' },
    );
    expect(result).toMatchObject({ verdict: 'authentic', reason: 'dmarc=pass', spf: null, spfDomain: null });
  });
});

// The register shows the From address mailparser reads (worker/read.ts); mailauth judges DMARC on
// its own parse of From, with an older address parser. Where the two read different addresses, the
// letter must not come out better than a plain forgery in the name of the address shown.
describe('authenticity of the From address the register shows', () => {
  const resolver = tableResolver(records);
  // The forger sends from its own server, with its own envelope sender and signature.
  const forger = { ip: OTHER_IP, helo: 'mx.forger.example', mailFrom: 'bounce@forger.example' };
  const encoded = (text: string) => `=?utf-8?B?${Buffer.from(text).toString('base64')}?=`;

  async function checkedAsShown(message: Buffer, envelope: typeof forger) {
    const read = await readMessage(message, envelope.mailFrom);
    return {
      shown: read.details.fromAddress,
      result: await checkSmtpAuthenticity(message, envelope, { resolver, mta, from: read.details.fromAddress }),
    };
  }

  const shapes: [string, string][] = [
    ['an empty address after the agency address', 'From: Clerk <clerk@moe.go.th>,@'],
    ['an unclosed comment after the address', 'From: <clerk@moe.go.th('],
    ['the address as an encoded word', `From: ${encoded('clerk@moe.go.th')}`],
    ['a name and address as one encoded word', `From: ${encoded('Clerk <clerk@moe.go.th>')}`],
    ["the forger's address after the agency's", 'From: clerk@moe.go.th, someone@forger.example'],
    ['a second From field', 'From: clerk@moe.go.th\r\nFrom: someone@forger.example'],
  ];

  it.each(shapes)('finds a letter shown as from the agency forged when its From has %s, signed by the forger', async (_what, from) => {
    const message = await signed(
      Buffer.from(
        letter('clerk@moe.go.th')
          .toString()
          .replace(/^From: .*$/m, from),
      ),
      'forger.example',
    );
    const { shown, result } = await checkedAsShown(message, forger);
    expect(shown).toBe('clerk@moe.go.th');
    expect(result).toMatchObject({ verdict: 'forged', reason: 'dmarc=fail', dmarc: 'fail', fromDomain: 'moe.go.th' });
  });

  it.each(shapes)('finds a letter shown as from the agency forged when its From has %s, unsigned', async (_what, from) => {
    const message = Buffer.from(
      letter('clerk@moe.go.th')
        .toString()
        .replace(/^From: .*$/m, from),
    );
    const { shown, result } = await checkedAsShown(message, forger);
    expect(shown).toBe('clerk@moe.go.th');
    expect(result).toMatchObject({ verdict: 'forged', reason: 'dmarc=fail', dmarc: 'fail', fromDomain: 'moe.go.th' });
  });

  it('finds a signed letter from the agency authentic, checked as shown', async () => {
    const { shown, result } = await checkedAsShown(await signed(letter('clerk@moe.go.th')), {
      ...forger,
      ip: GOOD_IP,
      mailFrom: 'clerk@moe.go.th',
    });
    expect(shown).toBe('clerk@moe.go.th');
    expect(result).toMatchObject({
      verdict: 'authentic',
      reason: 'dmarc=pass',
      dkim: [{ domain: 'moe.go.th', result: 'pass', aligned: true }],
    });
  });

  it('finds a letter from a punycode domain, shown in Thai, authentic on its signature alone', async () => {
    const { shown, result } = await checkedAsShown(await signed(letter(`clerk@${IDN}`), IDN), forger);
    expect(shown).toBe('clerk@ศึกษา.go.th');
    expect(result).toMatchObject({
      verdict: 'authentic',
      reason: 'dmarc=pass',
      spfDomain: 'forger.example',
      dkim: [{ domain: IDN, result: 'pass', aligned: true }],
    });
  });

  it('finds a letter with no From, shown by its envelope sender, judged for that sender', async () => {
    const message = Buffer.from(
      letter('clerk@moe.go.th')
        .toString()
        .replace(/^From: .*\r\n/m, ''),
    );
    const { shown, result } = await checkedAsShown(message, { ...forger, mailFrom: 'clerk@moe.go.th' });
    expect(shown).toBe('clerk@moe.go.th');
    expect(result).toMatchObject({ verdict: 'forged', reason: 'dmarc=fail', fromDomain: 'moe.go.th' });
  });
});

// mailauth matches each signature's h= against the header field by field, copying and splicing
// its list of fields: its time is signatures x names in h= x fields (100 signatures of 1,000 names
// took 59 s, all of it on the event loop, out of reach of the deadline).
describe('a letter padded with DKIM signatures', () => {
  const resolver = tableResolver(records);
  const names = (n: number) => Array.from({ length: n }, (_, i) => `x-none-${i}`).join(':');
  const padding = (signatures: number, namesEach: number, fields: number) =>
    Array.from(
      { length: signatures },
      (_, i) => `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=forger.example; s=s1; bh=${i}; h=${names(namesEach)}; b=x\r\n`,
    ).join('') + `X-Pad: a\r\n`.repeat(fields);
  const padded = async (message: Buffer) => {
    const text = message.toString('latin1');
    const end = text.indexOf('\r\n\r\n') + 2;
    // Below the letter's own fields and signature, as a relay would not add them but a forger can.
    return Buffer.from(text.slice(0, end) + padding(100, 1_000, 30_000) + text.slice(end), 'latin1');
  };

  it('still finds the agency letter authentic on its own signature, from another server', async () => {
    const message = await padded(await signed(letter('clerk@moe.go.th')));
    const started = performance.now();
    const result = await checkSmtpAuthenticity(
      message,
      { ip: OTHER_IP, helo: 'mx.example.net', mailFrom: 'bounce@forger.example' },
      { resolver, mta, from: 'clerk@moe.go.th' },
    );
    expect(result).toMatchObject({
      verdict: 'authentic',
      reason: 'dmarc=pass',
      spf: 'pass',
      dkim: expect.arrayContaining([{ domain: 'moe.go.th', result: 'pass', aligned: true }]),
    });
    // Well under a second when bounded (about 20 s before); the margin is for a loaded machine.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('still finds an unsigned letter in the agency name from another server forged', async () => {
    const message = await padded(letter('clerk@moe.go.th'));
    const started = performance.now();
    const result = await checkSmtpAuthenticity(
      message,
      { ip: OTHER_IP, helo: 'mx.example.net', mailFrom: 'clerk@moe.go.th' },
      { resolver, mta, from: 'clerk@moe.go.th' },
    );
    expect(result).toMatchObject({ verdict: 'forged', reason: 'dmarc=fail', fromDomain: 'moe.go.th' });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('gives mailauth the topmost signatures within the bounds, and none that signs the signatures left out', () => {
    const signsSignatures = 'DKIM-Signature: v=1; a=rsa-sha256; d=moe.go.th; s=s1; bh=y; h=from:dkim-signature; b=y\r\n';
    const header = Buffer.from(`${signsSignatures}${padding(100, 1, 10)}From: <clerk@moe.go.th>\r\n`, 'latin1');
    const prepared = headerForMailauth(header);
    const text = 'header' in prepared ? prepared.header.toString('latin1') : '';
    // 20 signatures at most: the topmost 20, less the first, which signs the signatures left out.
    expect(text).not.toContain('h=from:dkim-signature');
    expect(text.match(/^DKIM-Signature: .* bh=(\d+);/gm)?.map((f) => /bh=(\d+)/.exec(f)?.[1])).toEqual(
      Array.from({ length: 19 }, (_, n) => String(n)),
    );
    expect(text).toMatch(/^From: <clerk@moe\.go\.th>\r$/m);
  });
});
