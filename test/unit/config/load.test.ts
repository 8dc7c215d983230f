import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bookForAddress, ConfigError, loadConfig, parseConfig } from '../../../config/load';

describe('settings', () => {
  it('loads the example file with the documented defaults', () => {
    const config = loadConfig({});
    expect(config.books).toEqual([{ code: 'RB', name: 'ทะเบียนหนังสือรับ', addresses: ['saraban@example.go.th'] }]);
    expect(config.smtp).toMatchObject({ host: '127.0.0.1', port: 2525, maxSizeBytes: 25 * 1024 * 1024 });
    expect(config.desk).toEqual({
      host: '127.0.0.1',
      port: 8080,
      secureCookies: true,
      trustProxy: false,
      digits: 'thai',
      sessionHours: 12,
      login: { perMinute: 10, maxFailures: 5, lockMinutes: 15 },
    });
    expect(config.agency.officeHours).toBe('วันจันทร์ถึงวันศุกร์ เวลา ๐๘.๓๐–๑๖.๓๐ น. เว้นวันหยุดราชการ');
    expect(config.units).toEqual([]);
    expect(config.officers).toEqual([]);
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/saraban');
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
  });

  it('takes the deployment overrides from the environment', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u@db/x',
      REDIS_URL: 'redis://cache:6380',
      SARABAN_SMTP_PORT: '25',
      SARABAN_DESK_PORT: '80',
      SARABAN_RELAY_URL: 'smtp://relay:25',
    });
    expect(config.database.url).toBe('postgres://u@db/x');
    expect(config.redis.url).toBe('redis://cache:6380');
    expect(config.smtp.port).toBe(25);
    expect(config.desk.port).toBe(80);
    expect(config.relay.url).toBe('smtp://relay:25');
  });

  it('reads the file named by SARABAN_CONFIG', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'saraban-config-'));
    const file = path.join(dir, 'x.yaml');
    writeFileSync(file, 'agency: {name: ก, domain: a.go.th}\nbooks: [{code: A, name: ก, addresses: [Saraban@A.go.th]}]\n');
    const config = loadConfig({ SARABAN_CONFIG: file });
    expect(config.books[0].addresses).toEqual(['saraban@a.go.th']);
    expect(bookForAddress(config, 'SARABAN@a.go.th')?.code).toBe('A');
    expect(bookForAddress(config, 'other@a.go.th')).toBeUndefined();
  });

  it('says which setting is wrong and how', () => {
    expect(() =>
      parseConfig({ agency: { name: 'x', domain: 'x' }, books: [{ code: 'RB', name: 'x', addresses: ['not-an-address'] }] }),
    ).toThrow(/books\.0\.addresses\.0/);
    expect(() => parseConfig({ books: [] })).toThrow(ConfigError);
    expect(() => loadConfig({ SARABAN_CONFIG: '/nonexistent.yaml' })).toThrow(/SARABAN_CONFIG/);
    expect(() => loadConfig({ SARABAN_SMTP_PORT: 'twenty' })).toThrow(/SARABAN_SMTP_PORT=twenty/);
  });

  it('refuses a misspelt setting at any depth by its path, naming the setting meant', () => {
    const base = { agency: { name: 'x', domain: 'x' }, books: [{ code: 'RB', name: 'x', addresses: ['saraban@x.go.th'] }] };
    expect(() => parseConfig({ ...base, replies: { allSendersPerHuor: 5 } })).toThrow(
      /replies\.allSendersPerHuor: unknown setting; did you mean replies\.allSendersPerHour\?/,
    );
    expect(() => parseConfig({ ...base, replies: { unverified: { windows: [{ minutes: 10, replys: 5 }] } } })).toThrow(
      /replies\.unverified\.windows\.0\.replys: unknown setting; did you mean replies\.unverified\.windows\.0\.replies\?/,
    );
    expect(() => parseConfig({ ...base, smpt: { port: 25 } })).toThrow(/smpt: unknown setting; did you mean smtp\?/);
    expect(() => parseConfig({ ...base, books: [{ ...base.books[0], adresses: [] }] })).toThrow(/books\.0\.adresses: unknown setting/);
    expect(() => parseConfig({ ...base, imap: [{ host: 'h', user: 'u', password: 'p', folderr: 'X' }] })).toThrow(
      /imap\.0\.folderr: unknown setting; did you mean imap\.0\.folder\?/,
    );
    // Nothing near: no guess, but the names that are known there.
    expect(() => parseConfig({ ...base, colour: 'blue' })).toThrow(/colour: unknown setting \(known here: agency, books, smtp/);
  });

  it('shows the form a database or Redis URL must take, naming the variable', () => {
    expect(() => loadConfig({ DATABASE_URL: 'localhost:5432' })).toThrow(
      /database\.url: write postgres:\/\/user:password@host:5432\/database \(in DATABASE_URL or database\.url\)/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db.example.go.th' })).toThrow(/in DATABASE_URL/);
    expect(() => loadConfig({ REDIS_URL: '127.0.0.1:6379' })).toThrow(/redis\.url: write redis:\/\/.*\(in REDIS_URL or redis\.url\)/);
    expect(loadConfig({ DATABASE_URL: 'postgresql://u:p@db:5433/saraban?sslmode=require' }).database.url).toMatch(/^postgresql:/);
  });

  it('refuses one address in two books', () => {
    expect(() =>
      parseConfig({
        agency: { name: 'x', domain: 'x' },
        books: [
          { code: 'A', name: 'a', addresses: ['saraban@x.go.th'] },
          { code: 'B', name: 'b', addresses: ['saraban@x.go.th'] },
        ],
      }),
    ).toThrow(/in both books A and B/);
  });

  it('adds one mailbox from SARABAN_IMAP_URL, URL-decoded, feeding the first book and moving to Registered', () => {
    const config = loadConfig({
      SARABAN_IMAP_URL:
        'imaps://saraban%40example.go.th:p%40ss%3Aword@imap.gmail.com/%E0%B8%AB%E0%B8%99%E0%B8%B1%E0%B8%87%E0%B8%AA%E0%B8%B7%E0%B8%AD',
    });
    expect(config.imap).toEqual([
      expect.objectContaining({
        host: 'imap.gmail.com',
        port: 993,
        secure: true,
        user: 'saraban@example.go.th',
        password: 'p@ss:word',
        folder: 'หนังสือ',
        afterIntake: 'move',
        moveTo: 'Registered',
      }),
    ]);
    expect(loadConfig({ SARABAN_IMAP_URL: 'imap://clerk:secret@127.0.0.1:1143' }).imap[0]).toMatchObject({
      port: 1143,
      secure: false,
      folder: 'INBOX',
    });
  });

  it('says how to write SARABAN_IMAP_URL when it is wrong', () => {
    expect(() => loadConfig({ SARABAN_IMAP_URL: 'pop3://a:b@host' })).toThrow(/must start with imap:\/\/ or imaps:\/\//);
    expect(() => loadConfig({ SARABAN_IMAP_URL: 'imaps://host/INBOX' })).toThrow(/needs a user and a password/);
    expect(() => loadConfig({ SARABAN_IMAP_URL: 'not a url' })).toThrow(/imaps:\/\/user:password@host/);
  });

  it('refuses a mailbox without password or token, or feeding a book that does not exist', () => {
    const base = { agency: { name: 'x', domain: 'x' }, books: [{ code: 'RB', name: 'x', addresses: ['saraban@x.go.th'] }] };
    expect(() => parseConfig({ ...base, imap: [{ host: 'h', user: 'u' }] })).toThrow(/password or accessToken/);
    expect(() => parseConfig({ ...base, imap: [{ host: 'h', user: 'u', password: 'p', book: 'ZZ' }] })).toThrow(
      /imap\.0\.book: no book "ZZ"/,
    );
  });

  it('takes units and officers to seed, and refuses a unit or parent not listed before, a twice-listed officer and a password in place of its hash', () => {
    const base = { agency: { name: 'x', domain: 'x' }, books: [{ code: 'RB', name: 'x', addresses: ['saraban@x.go.th'] }] };
    const passwordHash = '$scrypt$ln=17,r=8,p=1$c2FsdA==$aGFzaA==';
    const units = [
      { code: 'KK', name: 'กองกลาง' },
      { code: 'KK-SB', name: 'ฝ่ายสารบรรณ', parent: 'KK' },
    ];
    const officer = { username: 'Somchai', name: 'สมชาย ใจดี', role: 'admin', unit: 'KK-SB', passwordHash };
    const config = parseConfig({ ...base, units, officers: [officer] });
    expect(config.officers).toEqual([{ ...officer, username: 'somchai', secretClearance: false, checksMailbox: false }]);
    expect(parseConfig({ ...base, units, officers: [{ ...officer, checksMailbox: true }] }).officers[0].checksMailbox).toBe(true);

    expect(() => parseConfig({ ...base, units: [units[1], units[0]] })).toThrow(/units\.0\.parent: no unit "KK" listed before "KK-SB"/);
    expect(() => parseConfig({ ...base, units, officers: [{ ...officer, unit: 'NOPE' }] })).toThrow(
      /officers\.0\.unit: no unit "NOPE" in units/,
    );
    expect(() => parseConfig({ ...base, units, officers: [officer, { ...officer, username: 'somchai' }] })).toThrow(
      /officers\.1\.username: officer "somchai" is listed twice/,
    );
    expect(() => parseConfig({ ...base, units, officers: [{ ...officer, passwordHash: 'my password' }] })).toThrow(
      /officers\.0\.passwordHash: give the line `saraban password-hash` prints/,
    );
    expect(() => parseConfig({ ...base, units, officers: [{ ...officer, password: 'x' }] })).toThrow(
      /officers\.0\.password: unknown setting/,
    );
  });

  it('says what replaced the reply caps of earlier releases, rather than only refusing them', () => {
    const base = { agency: { name: 'x', domain: 'x' }, books: [{ code: 'RB', name: 'x', addresses: ['saraban@x.go.th'] }] };
    expect(() => parseConfig({ ...base, replies: { perSenderPerDay: 20, globalPerHour: 500 } })).toThrow(
      new RegExp(
        'replies\\.perSenderPerDay: no longer a setting: replies are held back by windows per trust tier, ' +
          'replies\\.trusted\\|authenticated\\|unverified\\.windows .*\\n' +
          '  - replies\\.globalPerHour: no longer a setting: use replies\\.allSendersPerHour',
      ),
    );
  });

  it('gives the reply windows by trust tier, generous to a trusted agency and fewest to an unverified sender', () => {
    const { replies } = parseConfig({
      agency: { name: 'x', domain: 'x' },
      books: [{ code: 'RB', name: 'x', addresses: ['saraban@x.go.th'] }],
    });
    expect(replies).toEqual({
      trustedSuffixes: ['.go.th'],
      trusted: {
        windows: [
          { minutes: 10, replies: 300 },
          { minutes: 1440, replies: 3000 },
        ],
        hourlyShare: 300,
      },
      authenticated: {
        windows: [
          { minutes: 10, replies: 60 },
          { minutes: 1440, replies: 1000 },
        ],
        hourlyShare: 60,
      },
      unverified: {
        windows: [
          { minutes: 10, replies: 20 },
          { minutes: 1440, replies: 200 },
        ],
        hourlyShare: 20,
      },
      allSendersPerHour: 1000,
      loop: { repeats: 3, withinMinutes: 60, stopMinutes: 1440 },
      digestEveryMinutes: 30,
    });
  });
});
