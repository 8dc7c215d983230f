import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAgencyDirectory, sendingAgency, UNKNOWN_SENDER } from '../../../letter/agencies';

const csv = ['match,name', 'moi.go.th,กระทรวงมหาดไทย', 'saraban-dopa@moi.go.th,กรมการปกครอง', 'psu.ac.th,มหาวิทยาลัยสงขลานครินทร์'].join('\n');
const { directory } = parseAgencyDirectory(csv);
const from = (address: string | null, displayName: string | null = null) => ({ address, displayName });

describe('parsing the agency directory', () => {
  it('reads the shipped config/agencies.csv with no problems', () => {
    const text = readFileSync(join(__dirname, '..', '..', '..', 'config', 'agencies.csv'), 'utf8');
    const parsed = parseAgencyDirectory(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.directory.byDomain.get('moi.go.th')).toBe('กระทรวงมหาดไทย');
    expect(parsed.directory.byDomain.size).toBeGreaterThanOrEqual(5);
  });

  it('lower-cases addresses and domains, tolerates a BOM, skips blank and # lines, and reads quoted names', () => {
    const parsed = parseAgencyDirectory(
      '\ufeffmatch,name\r\n# ministries\r\n\r\nMOI.GO.TH,กระทรวงมหาดไทย\r\n   \r\nSaraban@DOPA.go.th,"กรมการปกครอง, กระทรวงมหาดไทย"\r\n',
    );
    expect(parsed.problems).toEqual([]);
    expect([...parsed.directory.byDomain]).toEqual([['moi.go.th', 'กระทรวงมหาดไทย']]);
    expect([...parsed.directory.byAddress]).toEqual([['saraban@dopa.go.th', 'กรมการปกครอง, กระทรวงมหาดไทย']]);
  });

  it('reports bad lines by number and keeps the good ones', () => {
    const parsed = parseAgencyDirectory(
      [
        'match,name',
        'moi.go.th,กระทรวงมหาดไทย',
        'go.th,ทุกส่วนราชการ',
        'https://opm.go.th,สำนักนายกรัฐมนตรี',
        'saraban@,ไม่มีโดเมน',
        'dga.or.th,',
        'psu.ac.th,มหาวิทยาลัย,สงขลานครินทร์',
        'MOI.go.th,ซ้ำ',
        'caat.or.th,สำนักงานการบินพลเรือนแห่งประเทศไทย',
      ].join('\n'),
    );
    expect(parsed.problems).toEqual([
      expect.stringMatching(/^line 3: go\.th is shared by many agencies/),
      expect.stringMatching(/^line 4: "https:\/\/opm\.go\.th" is neither an e-mail address nor a domain/),
      expect.stringMatching(/^line 5: "saraban@" is not an e-mail address/),
      expect.stringMatching(/^line 6: dga\.or\.th has no agency name/),
      expect.stringMatching(/^line 7: 3 fields where 2 were expected/),
      expect.stringMatching(/^line 8: moi\.go\.th is already on line 2/),
    ]);
    expect([...parsed.directory.byDomain.keys()]).toEqual(['moi.go.th', 'caat.or.th']);
    expect(parsed.directory.byDomain.get('moi.go.th')).toBe('กระทรวงมหาดไทย');
  });

  it('refuses every public suffix as an agency domain', () => {
    const suffixes = ['go.th', 'ac.th', 'or.th', 'co.th', 'in.th', 'mi.th', 'net.th', 'th', '@go.th'];
    const parsed = parseAgencyDirectory(['match,name', ...suffixes.map((s) => `${s},หน่วยงาน`)].join('\n'));
    expect(parsed.problems).toHaveLength(suffixes.length);
    expect(parsed.directory.byDomain.size).toBe(0);
  });

  it('reports an unclosed quote and a missing header instead of throwing', () => {
    expect(parseAgencyDirectory('match,name\nmoi.go.th,"กระทรวงมหาดไทย\n').problems).toEqual([
      expect.stringMatching(/^line \d+: Quote Not Closed/),
    ]);
    const headerless = parseAgencyDirectory('moi.go.th,กระทรวงมหาดไทย\n');
    expect(headerless.problems).toEqual([expect.stringMatching(/^line 1: the first line must be the header match,name/)]);
    expect(headerless.directory.byDomain.get('moi.go.th')).toBe('กระทรวงมหาดไทย');
  });

  it('keeps Thai domain names in their ASCII (xn--) form, as mail carries them', () => {
    const parsed = parseAgencyDirectory('match,name\nทดสอบ.ไทย,หน่วยงานทดสอบ\n');
    expect(parsed.problems).toEqual([]);
    expect(sendingAgency(parsed.directory, from('saraban@ทดสอบ.ไทย')).name).toBe('หน่วยงานทดสอบ');
    expect(sendingAgency(parsed.directory, from([...parsed.directory.byDomain.keys()][0].replace(/^/, 'saraban@'))).name).toBe(
      'หน่วยงานทดสอบ',
    );
  });
});

describe('the sending agency (จาก)', () => {
  it('is the directory entry for the exact address before the one for its domain', () => {
    expect(sendingAgency(directory, from('Saraban-DOPA@moi.go.th', 'saraban'))).toEqual({ name: 'กรมการปกครอง', source: 'directory' });
    expect(sendingAgency(directory, from('saraban@moi.go.th'))).toEqual({ name: 'กระทรวงมหาดไทย', source: 'directory' });
  });

  it('beats the display name when the directory knows the sender', () => {
    expect(sendingAgency(directory, from('saraban@moi.go.th', 'จังหวัดทดสอบ'))).toEqual({ name: 'กระทรวงมหาดไทย', source: 'directory' });
  });

  it('is found through parent domains: mail.moi.go.th belongs to moi.go.th', () => {
    expect(sendingAgency(directory, from('saraban@mail.moi.go.th'))).toEqual({ name: 'กระทรวงมหาดไทย', source: 'directory' });
    expect(sendingAgency(directory, from('a@x.y.psu.ac.th'))).toEqual({ name: 'มหาวิทยาลัยสงขลานครินทร์', source: 'directory' });
  });

  it('never matches a public suffix, even when the directory map holds one', () => {
    const loose = {
      byAddress: new Map<string, string>(),
      byDomain: new Map([
        ['go.th', 'ทุกส่วนราชการ'],
        ['th', 'ประเทศไทย'],
      ]),
    };
    expect(sendingAgency(loose, from('saraban@opm.go.th'))).toEqual({ name: 'opm.go.th', source: 'domain' });
    expect(sendingAgency(directory, from('saraban@go.th'))).toEqual({ name: 'go.th', source: 'domain' });
  });

  it('falls back to the From display name', () => {
    expect(sendingAgency(directory, from('saraban@opm.go.th', '  สำนักนายกรัฐมนตรี  '))).toEqual({
      name: 'สำนักนายกรัฐมนตรี',
      source: 'display-name',
    });
    expect(sendingAgency(directory, from('saraban@opm.go.th', '"Saraban OPM"'))).toEqual({ name: 'Saraban OPM', source: 'display-name' });
  });

  it.each([
    'saraban',
    'SARABAN',
    'e-saraban',
    'Sarabun',
    'สารบรรณ',
    'งานสารบรรณ',
    'saraban@opm.go.th',
    "'saraban@opm.go.th'",
    '<x@opm.go.th>',
    'opm.go.th',
    ' ',
  ])('skips the generic display name %p and gives the domain', (displayName) => {
    expect(sendingAgency(directory, from('Saraban@OPM.go.th', displayName))).toEqual({ name: 'opm.go.th', source: 'domain' });
  });

  it('shows a Thai domain in Thai', () => {
    expect(sendingAgency(directory, from('saraban@ทดสอบ.ไทย'))).toEqual({ name: 'ทดสอบ.ไทย', source: 'domain' });
  });

  it('uses the display name when the address is missing or malformed', () => {
    expect(sendingAgency(directory, from(null, 'นายสมชาย ใจดี'))).toEqual({ name: 'นายสมชาย ใจดี', source: 'display-name' });
    expect(sendingAgency(directory, from('not-an-address', 'นายสมชาย ใจดี'))).toEqual({ name: 'นายสมชาย ใจดี', source: 'display-name' });
  });

  it('is unknown when neither the address nor the display name tells', () => {
    expect(sendingAgency(directory, from(null, null))).toEqual({ name: UNKNOWN_SENDER, source: 'unknown' });
    expect(sendingAgency(directory, from('', 'saraban'))).toEqual({ name: UNKNOWN_SENDER, source: 'unknown' });
    expect(sendingAgency(directory, from('user@[192.0.2.1]', null))).toEqual({ name: UNKNOWN_SENDER, source: 'unknown' });
  });
});
