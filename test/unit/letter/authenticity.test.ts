import {
  fromAuthenticationResults,
  parseAuthenticationResults,
  sameOrganisation,
  verdictOf,
  type AuthEvidence,
} from '../../../letter/authenticity';

const from = 'moe.go.th';

function evidence(overrides: Partial<AuthEvidence>): AuthEvidence {
  return { source: 'smtp', spf: null, spfDomain: from, dkim: [], dmarc: null, arc: null, fromDomain: from, ...overrides };
}

const alignedPass = { domain: 'moe.go.th', result: 'pass', aligned: true };
const unalignedPass = { domain: 'mailer.example.com', result: 'pass', aligned: false };
const alignedFail = { domain: 'moe.go.th', result: 'fail', aligned: true };

describe('the verdict on a sender', () => {
  it.each<[string, Partial<AuthEvidence>, string, string]>([
    ['dmarc=fail', { dmarc: 'fail', spf: 'pass', dkim: [alignedPass] }, 'forged', 'dmarc=fail'],
    ['dmarc=fail with arc=pass (no trusted sealers yet)', { dmarc: 'fail', arc: 'pass' }, 'forged', 'dmarc=fail'],
    ['spf=fail and no dkim', { spf: 'fail', dmarc: 'none' }, 'forged', 'spf=fail and no aligned dkim=pass'],
    ['spf=fail and only an unaligned dkim=pass', { spf: 'fail', dkim: [unalignedPass] }, 'forged', 'spf=fail and no aligned dkim=pass'],
    ['spf=fail and an aligned dkim=fail', { spf: 'fail', dkim: [alignedFail] }, 'forged', 'spf=fail and no aligned dkim=pass'],
    ['spf=fail with a DMARC temperror', { spf: 'fail', dmarc: 'temperror' }, 'forged', 'spf=fail and no aligned dkim=pass'],
    ['spf=fail but an aligned dkim=pass', { spf: 'fail', dkim: [alignedPass], dmarc: 'none' }, 'authentic', 'aligned dkim=pass'],
    ['dmarc=pass even with spf=fail', { dmarc: 'pass', spf: 'fail' }, 'authentic', 'dmarc=pass'],
    ['dmarc=pass', { dmarc: 'pass', spf: 'pass', dkim: [alignedPass] }, 'authentic', 'dmarc=pass'],
    ['no policy, aligned dkim=pass', { dmarc: 'none', spf: 'softfail', dkim: [alignedPass] }, 'authentic', 'aligned dkim=pass'],
    ['no policy, spf=pass for the From domain', { dmarc: 'none', spf: 'pass' }, 'authentic', 'aligned spf=pass'],
    ['no policy, spf=pass for a subdomain', { dmarc: 'none', spf: 'pass', spfDomain: 'bounce.moe.go.th' }, 'authentic', 'aligned spf=pass'],
    [
      'no policy, spf=pass for another domain',
      { dmarc: 'none', spf: 'pass', spfDomain: 'mailer.example.com' },
      'unverified',
      'no policy published',
    ],
    ['no policy, spf=softfail', { dmarc: 'none', spf: 'softfail' }, 'unverified', 'no policy published'],
    ['no policy, spf=neutral', { dmarc: 'none', spf: 'neutral' }, 'unverified', 'no policy published'],
    ['no policy, spf=none', { dmarc: 'none', spf: 'none' }, 'unverified', 'no policy published'],
    ['no policy, spf=permerror', { dmarc: 'none', spf: 'permerror' }, 'unverified', 'no policy published'],
    ['no policy, only an unaligned dkim=pass', { dmarc: 'none', spf: 'none', dkim: [unalignedPass] }, 'unverified', 'no policy published'],
    ['dns time-out everywhere', { dmarc: 'temperror', spf: 'temperror' }, 'unverified', 'dns temperror'],
    [
      'dkim key time-out, no policy',
      { dmarc: 'none', spf: 'none', dkim: [{ ...alignedPass, result: 'temperror' }] },
      'unverified',
      'dns temperror',
    ],
    ['dmarc=permerror', { dmarc: 'permerror', spf: 'softfail' }, 'unverified', 'dmarc=permerror'],
    ['no DMARC result', { spf: 'softfail' }, 'unverified', 'no dmarc result'],
    ['nothing at all', { spf: null, spfDomain: null }, 'unverified', 'no authentication results'],
    ['spf=pass with no From domain', { spf: 'pass', fromDomain: null }, 'unverified', 'no dmarc result'],
  ])('%s', (_name, overrides, verdict, reason) => {
    expect(verdictOf(evidence(overrides))).toEqual({ verdict, reason });
  });
});

describe('alignment (equal or subdomain, no public suffix list)', () => {
  it('aligns equal domains, subdomains either way, ignoring case and a final dot', () => {
    expect(sameOrganisation('moe.go.th', 'MOE.go.th.')).toBe(true);
    expect(sameOrganisation('moe.go.th', 'mail.moe.go.th')).toBe(true);
    expect(sameOrganisation('obec.moe.go.th', 'moe.go.th')).toBe(true);
  });

  it('does not align other domains, look-alikes or sibling subdomains', () => {
    expect(sameOrganisation('moe.go.th', 'mof.go.th')).toBe(false);
    expect(sameOrganisation('moe.go.th', 'evilmoe.go.th')).toBe(false);
    expect(sameOrganisation('a.moe.go.th', 'b.moe.go.th')).toBe(false);
    expect(sameOrganisation('moe.go.th', '')).toBe(false);
  });
});

describe('Authentication-Results', () => {
  it('reads the authserv-id, every result and its properties', () => {
    expect(
      parseAuthenticationResults(
        'mx.moe.go.th 1; spf=pass smtp.mailfrom=clerk@moe.go.th; dkim=pass header.d=moe.go.th header.s=s1; dkim=fail header.d=example.com; dmarc=pass header.from=moe.go.th',
      ),
    ).toEqual({
      authservId: 'mx.moe.go.th',
      results: [
        { method: 'spf', result: 'pass', properties: { 'smtp.mailfrom': 'clerk@moe.go.th' } },
        { method: 'dkim', result: 'pass', properties: { 'header.d': 'moe.go.th', 'header.s': 's1' } },
        { method: 'dkim', result: 'fail', properties: { 'header.d': 'example.com' } },
        { method: 'dmarc', result: 'pass', properties: { 'header.from': 'moe.go.th' } },
      ],
    });
  });

  it('drops comments, nested ones too, but keeps semicolons and parentheses inside quoted strings', () => {
    const parsed = parseAuthenticationResults(
      'mx.moe.go.th (Postfix; with (nested) comment); spf=pass (mx.moe.go.th: domain of clerk@moe.go.th designates 192.0.2.10 as permitted sender) smtp.mailfrom=clerk@moe.go.th; dkim=pass reason="good (sig); ok" header.d=moe.go.th',
    );
    expect(parsed.authservId).toBe('mx.moe.go.th');
    expect(parsed.results).toEqual([
      { method: 'spf', result: 'pass', properties: { 'smtp.mailfrom': 'clerk@moe.go.th' } },
      { method: 'dkim', result: 'pass', properties: { reason: 'good (sig); ok', 'header.d': 'moe.go.th' } },
    ]);
  });

  it('reads folded lines, upper case, method versions and spaces around =', () => {
    const parsed = parseAuthenticationResults(
      'Authentication-Results: MX.Moe.Go.Th;\r\n\tSPF = FAIL\r\n  smtp.mailfrom=moe.go.th;\r\n DKIM/1=None',
    );
    expect(parsed).toEqual({
      authservId: 'MX.Moe.Go.Th',
      results: [
        { method: 'spf', result: 'fail', properties: { 'smtp.mailfrom': 'moe.go.th' } },
        { method: 'dkim', result: 'none', properties: {} },
      ],
    });
  });

  it('reads "none" as no results, and a header without an authserv-id (Microsoft 365) as having none', () => {
    expect(parseAuthenticationResults('mx.moe.go.th; none')).toEqual({ authservId: 'mx.moe.go.th', results: [] });
    const m365 = parseAuthenticationResults(
      'spf=pass (sender IP is 192.0.2.10) smtp.mailfrom=moe.go.th; dkim=pass (signature was verified) header.d=moe.go.th;dmarc=pass action=none header.from=moe.go.th;compauth=pass reason=100',
    );
    expect(m365.authservId).toBeNull();
    expect(m365.results.map((r) => `${r.method}=${r.result}`)).toEqual(['spf=pass', 'dkim=pass', 'dmarc=pass', 'compauth=pass']);
  });
});

describe('authenticity of mail read through IMAP', () => {
  const ours = 'mx.moe.go.th; spf=fail smtp.mailfrom=clerk@moe.go.th; dkim=none; dmarc=fail header.from=moe.go.th';
  const planted = 'mx.moe.go.th; spf=pass smtp.mailfrom=clerk@moe.go.th; dkim=pass header.d=moe.go.th; dmarc=pass header.from=moe.go.th';

  it('trusts the topmost header our server wrote, not one the sender planted below it', () => {
    const result = fromAuthenticationResults([ours, planted], 'mx.moe.go.th', from);
    expect(result).toMatchObject({ verdict: 'forged', reason: 'dmarc=fail', source: 'authentication-results', spf: 'fail', dmarc: 'fail' });
  });

  it('ignores headers from other servers, above or below ours', () => {
    const otherAbove = 'relay.example.com; dmarc=fail header.from=moe.go.th';
    const otherBelow = 'evil.example.com; dmarc=fail header.from=moe.go.th';
    const result = fromAuthenticationResults(
      [otherAbove, planted.replace('mx.moe.go.th', 'MX.MOE.GO.TH'), otherBelow],
      'Mx.Moe.Go.Th',
      from,
    );
    expect(result).toEqual({
      verdict: 'authentic',
      reason: 'dmarc=pass',
      source: 'authentication-results',
      spf: 'pass',
      spfDomain: 'moe.go.th',
      dkim: [{ domain: 'moe.go.th', result: 'pass', aligned: true }],
      dmarc: 'pass',
      arc: null,
      fromDomain: from,
    });
  });

  it('is unverified when no header is from our server, or none is trusted', () => {
    const untrusted = fromAuthenticationResults([planted.replace('mx.moe.go.th', 'evil.example.com')], 'mx.moe.go.th', from);
    expect(untrusted).toMatchObject({
      verdict: 'unverified',
      reason: 'no trusted Authentication-Results',
      source: 'none',
      spf: null,
      dkim: [],
    });
    expect(fromAuthenticationResults([planted], null, from)).toMatchObject({ verdict: 'unverified', source: 'none' });
    expect(fromAuthenticationResults([], 'mx.moe.go.th', from)).toMatchObject({ verdict: 'unverified', source: 'none' });
  });

  it('never trusts a header without an authserv-id', () => {
    const m365 = 'spf=pass smtp.mailfrom=moe.go.th; dmarc=pass header.from=moe.go.th';
    expect(fromAuthenticationResults([m365], 'mx.moe.go.th', from)).toMatchObject({ verdict: 'unverified', source: 'none' });
  });

  it('aligns DKIM signatures with the From domain and records ARC', () => {
    const header =
      'mx.moe.go.th; dkim=pass header.d=mailer.example.com; dkim=pass header.i=@obec.moe.go.th; spf=softfail smtp.mailfrom=bounce@mailer.example.com; dmarc=none header.from=obec.moe.go.th; arc=pass';
    const result = fromAuthenticationResults([header], 'mx.moe.go.th', 'obec.moe.go.th');
    expect(result).toMatchObject({
      verdict: 'authentic',
      reason: 'aligned dkim=pass',
      spf: 'softfail',
      spfDomain: 'mailer.example.com',
      dkim: [
        { domain: 'mailer.example.com', result: 'pass', aligned: false },
        { domain: 'obec.moe.go.th', result: 'pass', aligned: true },
      ],
      dmarc: 'none',
      arc: 'pass',
    });
  });

  it('is not authentic when the letter shows no From, whatever domain the server judged', () => {
    const result = fromAuthenticationResults(
      ['mx.moe.go.th; spf=pass smtp.mailfrom=moe.go.th; dmarc=pass header.from=moe.go.th'],
      'mx.moe.go.th',
      null,
    );
    expect(result).toMatchObject({
      verdict: 'unverified',
      reason: 'dmarc=pass judged header.from=moe.go.th, not the From shown (none)',
      fromDomain: null,
    });
  });
});

describe("the trusted server's DMARC counts only for the From the register shows", () => {
  // The register shows clerk@moe.go.th; the server read the From otherwise (a second address, a
  // comment left open, an encoded word) and judged DMARC for another domain.
  const judging = (dmarc: string, more = '') => [`mx.moe.go.th; ${more}${dmarc}`];

  it('is unverified when the server passed DMARC for another domain than the From shown', () => {
    const result = fromAuthenticationResults(judging('dmarc=pass header.from=evil.example'), 'mx.moe.go.th', from);
    expect(result).toMatchObject({
      verdict: 'unverified',
      reason: 'dmarc=pass judged header.from=evil.example, not the From shown (moe.go.th)',
      dmarc: 'pass',
      fromDomain: 'moe.go.th',
    });
  });

  it('is not made authentic by a DKIM or SPF pass aligned with the From shown when DMARC judged another', () => {
    const result = fromAuthenticationResults(
      judging('dmarc=pass header.from=evil.example', 'spf=pass smtp.mailfrom=clerk@moe.go.th; dkim=pass header.d=moe.go.th; '),
      'mx.moe.go.th',
      from,
    );
    expect(result).toMatchObject({ verdict: 'unverified', dkim: [{ domain: 'moe.go.th', result: 'pass', aligned: true }] });
  });

  it('is unverified when the DMARC result names no header.from', () => {
    const result = fromAuthenticationResults(judging('dmarc=pass', 'dkim=pass header.d=moe.go.th; '), 'mx.moe.go.th', from);
    expect(result).toMatchObject({ verdict: 'unverified', reason: 'dmarc=pass judged no header.from, not the From shown (moe.go.th)' });
    expect(fromAuthenticationResults(judging('dmarc=none', 'dkim=pass header.d=moe.go.th; '), 'mx.moe.go.th', from)).toMatchObject({
      verdict: 'unverified',
    });
  });

  it('is forged when DMARC failed, for another domain or for none named', () => {
    expect(fromAuthenticationResults(judging('dmarc=fail header.from=evil.example'), 'mx.moe.go.th', from)).toMatchObject({
      verdict: 'forged',
      reason: 'dmarc=fail for header.from=evil.example, not the From shown (moe.go.th)',
    });
    expect(fromAuthenticationResults(judging('dmarc=fail'), 'mx.moe.go.th', from)).toMatchObject({ verdict: 'forged' });
  });

  it('takes the same domain in any case, with a final dot, or in punycode for a Thai name', () => {
    expect(fromAuthenticationResults(judging('dmarc=pass header.from=MOE.go.th.'), 'mx.moe.go.th', from)).toMatchObject({
      verdict: 'authentic',
      reason: 'dmarc=pass',
    });
    const thai = fromAuthenticationResults(
      judging('dmarc=pass header.from=xn--12c1fe0br.go.th', 'dkim=pass header.d=xn--12c1fe0br.go.th; '),
      'mx.moe.go.th',
      'ศึกษา.go.th',
    );
    expect(thai).toMatchObject({ verdict: 'authentic', dkim: [{ domain: 'xn--12c1fe0br.go.th', result: 'pass', aligned: true }] });
  });

  it('leaves a header without a DMARC result to SPF and DKIM, aligned with the From shown', () => {
    expect(fromAuthenticationResults(['mx.moe.go.th; spf=pass smtp.mailfrom=clerk@moe.go.th'], 'mx.moe.go.th', from)).toMatchObject({
      verdict: 'authentic',
      reason: 'aligned spf=pass',
    });
    expect(fromAuthenticationResults(['mx.moe.go.th; spf=pass smtp.mailfrom=x@evil.example'], 'mx.moe.go.th', from)).toMatchObject({
      verdict: 'unverified',
    });
  });
});
